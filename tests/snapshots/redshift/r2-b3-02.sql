SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse_product.quantity_on_hand AS on_hand,
  warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved AS available,
  CAST(COALESCE(demand_30d.units_sold, 0) AS DOUBLE PRECISION) / 30.0 AS avg_daily_demand,
  CAST((
    warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved
  ) AS DOUBLE PRECISION) / NULLIF(CAST(COALESCE(demand_30d.units_sold, 0) AS DOUBLE PRECISION) / 30.0, 0) AS days_of_cover,
  product.lead_time_days AS lead_time_days
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
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
  (
    COALESCE(demand_30d.units_sold, 0) > 0
    AND CAST((
      warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved
    ) AS DOUBLE PRECISION) / (
      CAST(demand_30d.units_sold AS DOUBLE PRECISION) / 30.0
    ) < product.lead_time_days
  )
  AND warehouse_product.warehouse_id = 'WH-WEST'
ORDER BY
  days_of_cover ASC,
  product_id ASC,
  warehouse_id ASC
