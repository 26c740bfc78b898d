SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  AVG(
    DATEDIFF(DAY, purchase_order_header.order_date, purchase_order_header.received_date)
  ) AS supplier_lead_time
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  supplier_lead_time DESC NULLS LAST,
  supplier_id ASC,
  supplier_name ASC
