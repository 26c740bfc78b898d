SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  COUNT(*) AS cancelled_pos
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status = 'CANCELLED'
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  cancelled_pos DESC,
  supplier_id ASC,
  supplier_name ASC
