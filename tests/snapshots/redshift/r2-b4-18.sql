SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  CAST(SUM(purchase_order_line.quantity_received) AS DOUBLE PRECISION) / NULLIF(SUM(purchase_order_line.quantity_ordered), 0) AS fill_rate
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  fill_rate DESC NULLS LAST,
  supplier_id ASC,
  supplier_name ASC
LIMIT 1
