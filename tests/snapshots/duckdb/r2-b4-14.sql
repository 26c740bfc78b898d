SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  CAST(COUNT(CASE WHEN sales_order_header.status = 'CANCELLED' THEN 1 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS cancellation_rate
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.order_date BETWEEN CAST('2026-04-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  cancellation_rate DESC,
  warehouse_id ASC,
  warehouse_name ASC
