SELECT
  SUM(purchase_order_line.quantity_ordered) AS units_ordered
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status <> 'CANCELLED' AND supplier.country = 'Canada'
