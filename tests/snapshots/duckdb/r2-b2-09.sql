SELECT
  COUNT(*) AS late_deliveries
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date > sales_order_header.promised_date
  AND sales_order_header.delivery_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-07' AS DATE)
