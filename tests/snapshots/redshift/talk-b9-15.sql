SELECT
  SUM(purchase_order_line.quantity_ordered - purchase_order_line.quantity_received) AS units_on_order
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
WHERE
  purchase_order_header.status IN ('OPEN', 'PARTIAL')
  AND purchase_order_header.warehouse_id = 'WH-WEST'
