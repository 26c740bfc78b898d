SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS late_deliveries
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date > sales_order_header.promised_date
  AND sales_order_header.delivery_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-03-31' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  late_deliveries DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
