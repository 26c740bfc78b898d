SELECT
  COUNT(*) AS delivered_orders
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date = CAST('2026-06-29' AS DATE)
