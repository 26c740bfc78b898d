SELECT
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.customer_id,
  sales_order_header.customer_name
ORDER BY
  units_sold DESC,
  customer_id ASC,
  customer_name ASC
LIMIT 5
