SELECT
  COUNT(*) AS po_count
FROM purchase_order_header
WHERE
  purchase_order_header.status = 'PARTIAL'
