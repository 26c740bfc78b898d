SELECT
  product.category AS category,
  SUM(sales_order_line.line_total) AS revenue
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN product
  ON sales_order_line.product_id = product.product_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
GROUP BY
  product.category
ORDER BY
  revenue DESC NULLS LAST,
  category ASC
LIMIT 3
