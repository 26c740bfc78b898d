SELECT
  CAST(SUM(purchase_order_line.line_total) AS DOUBLE) / NULLIF(COUNT(DISTINCT purchase_order_line.po_id), 0) AS avg_po_value
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
