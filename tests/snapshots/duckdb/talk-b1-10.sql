SELECT
  COUNT(*) AS order_count
FROM sales_order_header
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.ship_date = CAST('2026-06-29' AS DATE)
  AND (
    NOT sales_order_header.ship_date IS NULL
    AND sales_order_header.status IN ('SHIPPED', 'DELIVERED')
  )
