SELECT
  COUNT(*) AS late_receipts
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND purchase_order_header.received_date > purchase_order_header.expected_date
  AND purchase_order_header.supplier_id = 'S001'
