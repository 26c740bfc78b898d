SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS due_today
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
  AND sales_order_header.promised_date = CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  due_today DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
