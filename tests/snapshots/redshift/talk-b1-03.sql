SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  COUNT(*) AS late_receipts
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND purchase_order_header.received_date > purchase_order_header.expected_date
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  late_receipts DESC NULLS LAST,
  supplier_id ASC,
  supplier_name ASC
LIMIT 10
