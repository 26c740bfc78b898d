SELECT
  COUNT(*) AS pending_pos
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('OPEN', 'PARTIAL')
