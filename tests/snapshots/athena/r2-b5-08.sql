SELECT
  purchase_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(purchase_order_line.quantity_received) AS units_received
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN warehouse
  ON purchase_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND purchase_order_header.received_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
GROUP BY
  purchase_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  units_received DESC,
  warehouse_id ASC,
  warehouse_name ASC
