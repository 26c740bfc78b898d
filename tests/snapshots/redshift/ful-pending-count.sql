SELECT
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status = 'PENDING'
