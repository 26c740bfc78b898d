SELECT
  sales_order_line.product_id AS product_id,
  product.product_name AS product_name,
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN product
  ON sales_order_line.product_id = product.product_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-04-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_line.product_id,
  product.product_name
ORDER BY
  units_sold ASC,
  product_id ASC,
  product_name ASC
LIMIT 5
