SELECT
  purchase_order_header.po_id AS po_id,
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  purchase_order_header.warehouse_id AS warehouse_id,
  purchase_order_header.order_date AS order_date,
  purchase_order_header.expected_date AS expected_date,
  purchase_order_header.received_date AS received_date,
  purchase_order_header.status AS status
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  (
    purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
    AND NOT purchase_order_header.received_date IS NULL
  )
  AND purchase_order_header.received_date BETWEEN CAST('2026-06-22' AS DATE) AND CAST('2026-06-28' AS DATE)
ORDER BY
  po_id ASC
