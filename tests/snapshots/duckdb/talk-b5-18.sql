SELECT
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  COUNT(*) AS overdue_orders
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
  AND sales_order_header.promised_date < CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.customer_id,
  sales_order_header.customer_name
ORDER BY
  overdue_orders DESC,
  customer_id ASC,
  customer_name ASC
