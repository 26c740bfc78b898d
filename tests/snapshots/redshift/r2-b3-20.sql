SELECT
  AVG(
    DATEDIFF(DAY, purchase_order_header.order_date, purchase_order_header.received_date)
  ) AS supplier_lead_time
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
  AND purchase_order_header.received_date BETWEEN CAST('2026-03-01' AS DATE) AND CAST('2026-06-30' AS DATE)
  AND purchase_order_header.supplier_id = 'S004'
