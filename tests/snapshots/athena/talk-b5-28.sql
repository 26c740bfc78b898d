SELECT
  purchase_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS po_count
FROM purchase_order_header
JOIN warehouse
  ON purchase_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.status IN ('OPEN', 'PARTIAL')
GROUP BY
  purchase_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  po_count DESC,
  warehouse_id ASC,
  warehouse_name ASC
