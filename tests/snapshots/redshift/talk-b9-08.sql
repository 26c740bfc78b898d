SELECT
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.priority = 'EXPRESS'
  AND (
    sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
    AND sales_order_header.promised_date < CAST('2026-06-30' AS DATE)
  )
