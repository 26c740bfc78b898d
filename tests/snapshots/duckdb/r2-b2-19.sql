SELECT
  product.category AS category,
  SUM(sales_order_line.line_total) AS revenue,
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN product
  ON sales_order_line.product_id = product.product_id
WHERE
  sales_order_header.status <> 'CANCELLED'
GROUP BY
  product.category
ORDER BY
  revenue DESC,
  category ASC
