SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  COUNT(*) AS overdue_pos
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('OPEN', 'PARTIAL')
  AND purchase_order_header.expected_date < CAST('2026-06-30' AS DATE)
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  overdue_pos DESC,
  supplier_id ASC,
  supplier_name ASC
