SELECT
  COUNT(*) AS on_time_receipts
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND purchase_order_header.received_date <= purchase_order_header.expected_date
