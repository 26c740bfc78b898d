SELECT
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  COUNT(*) AS late_deliveries
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date > sales_order_header.promised_date
GROUP BY
  sales_order_header.customer_id,
  sales_order_header.customer_name
ORDER BY
  late_deliveries DESC NULLS LAST,
  customer_id ASC,
  customer_name ASC
LIMIT 1
