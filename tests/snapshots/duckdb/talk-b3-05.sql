SELECT
  CAST(SUM(warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved) AS DOUBLE) / NULLIF(SUM(COALESCE(demand_30d.units_sold, 0)) / 30.0, 0) AS days_of_cover
FROM warehouse_product
LEFT JOIN (
  SELECT
    sales_order_header.warehouse_id AS warehouse_id,
    sales_order_line.product_id AS product_id,
    SUM(sales_order_line.quantity) AS units_sold
  FROM sales_order_line
  JOIN sales_order_header
    ON sales_order_line.order_id = sales_order_header.order_id
  WHERE
    sales_order_header.status <> 'CANCELLED'
    AND sales_order_header.order_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)
  GROUP BY
    sales_order_header.warehouse_id,
    sales_order_line.product_id
) AS demand_30d
  ON demand_30d.warehouse_id = warehouse_product.warehouse_id
  AND demand_30d.product_id = warehouse_product.product_id
WHERE
  warehouse_product.product_id = 'P0020'
  AND warehouse_product.warehouse_id = 'WH-EAST'
