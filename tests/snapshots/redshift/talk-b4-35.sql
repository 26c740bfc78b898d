SELECT
  CAST(SUM(purchase_order_line.line_total) AS DOUBLE PRECISION) / NULLIF(SUM(purchase_order_line.quantity_ordered), 0) AS avg_purchase_price
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_line.product_id = 'P0010'
