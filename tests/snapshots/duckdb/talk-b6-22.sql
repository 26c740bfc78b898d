SELECT
  purchase_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(purchase_order_line.line_total) AS spend
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN warehouse
  ON purchase_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
GROUP BY
  purchase_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  spend DESC,
  warehouse_id ASC,
  warehouse_name ASC
