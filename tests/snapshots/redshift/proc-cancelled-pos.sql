SELECT
  COUNT(*) AS cancelled_pos
FROM purchase_order_header
WHERE
  purchase_order_header.status = 'CANCELLED'
