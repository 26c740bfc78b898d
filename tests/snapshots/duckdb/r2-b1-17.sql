SELECT
  sales_order_header.status AS status,
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.priority = 'EXPRESS'
GROUP BY
  sales_order_header.status
ORDER BY
  order_count DESC,
  status ASC
