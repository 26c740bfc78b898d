SELECT
  CAST(DATE_TRUNC('DAY', sales_order_header.order_date) AS DATE) AS day,
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-17' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('DAY', sales_order_header.order_date) AS DATE)
ORDER BY
  day ASC
