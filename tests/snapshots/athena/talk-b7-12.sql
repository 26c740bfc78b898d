SELECT
  COUNT(DISTINCT sales_order_header.customer_id) AS customer_count
FROM sales_order_header
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
  AND sales_order_header.warehouse_id = 'WH-CENTRAL'
