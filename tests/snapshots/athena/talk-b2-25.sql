SELECT
  COUNT(*) AS po_count
FROM purchase_order_header
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
