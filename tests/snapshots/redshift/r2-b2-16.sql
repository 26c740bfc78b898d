SELECT
  CAST(DATE_TRUNC('MONTH', sales_order_header.order_date) AS DATE) AS month,
  COUNT(*) AS cancelled_orders
FROM sales_order_header
WHERE
  sales_order_header.status = 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('MONTH', sales_order_header.order_date) AS DATE)
ORDER BY
  month ASC
