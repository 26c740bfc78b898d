SELECT
  product.category AS category,
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN product
  ON sales_order_line.product_id = product.product_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  product.category
ORDER BY
  units_sold DESC,
  category ASC
