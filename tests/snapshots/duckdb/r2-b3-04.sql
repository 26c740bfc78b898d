SELECT
  CAST(SUM(COALESCE(stock.on_hand, 0)) AS DOUBLE) / NULLIF(SUM(warehouse.capacity_units), 0) AS capacity_utilization
FROM warehouse
LEFT JOIN (
  SELECT
    warehouse_product.warehouse_id AS warehouse_id,
    SUM(warehouse_product.quantity_on_hand) AS on_hand
  FROM warehouse_product
  GROUP BY
    warehouse_product.warehouse_id
) AS stock
  ON stock.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse.warehouse_id = 'WH-EAST'
