SELECT
  SUM(sales_order_line.line_total) AS revenue
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN product
  ON sales_order_line.product_id = product.product_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-03-31' AS DATE)
  AND product.category = 'HVAC'
