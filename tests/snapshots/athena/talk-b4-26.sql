SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  COUNT(*) AS po_count
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  po_count DESC,
  supplier_id ASC,
  supplier_name ASC
