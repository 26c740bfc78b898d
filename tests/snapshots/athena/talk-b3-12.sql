SELECT
  CAST(DATE_TRUNC('QUARTER', sales_order_header.order_date) AS DATE) AS quarter,
  SUM(sales_order_line.line_total) AS revenue
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
GROUP BY
  CAST(DATE_TRUNC('QUARTER', sales_order_header.order_date) AS DATE)
ORDER BY
  quarter ASC
