SELECT
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.customer_id,
  sales_order_header.customer_name
ORDER BY
  order_count DESC NULLS LAST,
  customer_id ASC,
  customer_name ASC
LIMIT 5
