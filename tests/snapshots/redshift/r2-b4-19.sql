SELECT
  SUM(sales_order_line.line_total) AS revenue
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)
  AND sales_order_header.customer_id = 'C0226'
