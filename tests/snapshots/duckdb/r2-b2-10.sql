SELECT
  CAST(SUM(sales_order_line.line_total) AS DOUBLE) / NULLIF(COUNT(DISTINCT sales_order_line.order_id), 0) AS avg_order_value
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
