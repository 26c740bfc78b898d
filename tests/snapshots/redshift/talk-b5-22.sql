SELECT
  CAST(DATE_TRUNC('DAY', sales_order_header.order_date) AS DATE) AS day,
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-29' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('DAY', sales_order_header.order_date) AS DATE)
ORDER BY
  day ASC
