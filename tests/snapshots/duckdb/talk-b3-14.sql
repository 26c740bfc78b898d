SELECT
  COUNT(*) AS cancelled_pos
FROM purchase_order_header
WHERE
  purchase_order_header.status = 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
