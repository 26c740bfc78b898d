SELECT
  sales_order_header.priority AS priority,
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status = 'PENDING'
GROUP BY
  sales_order_header.priority
ORDER BY
  order_count DESC,
  priority ASC
