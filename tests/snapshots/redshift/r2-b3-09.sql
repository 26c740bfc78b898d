SELECT
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-24' AS DATE) AND CAST('2026-06-30' AS DATE)
  AND sales_order_line.product_id = 'P0052'
