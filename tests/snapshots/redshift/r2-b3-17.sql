SELECT
  CAST(DATE_TRUNC('MONTH', purchase_order_header.received_date) AS DATE) AS month,
  CAST(SUM(purchase_order_line.quantity_received) AS DOUBLE PRECISION) / NULLIF(SUM(purchase_order_line.quantity_ordered), 0) AS fill_rate
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND purchase_order_header.received_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-12-31' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('MONTH', purchase_order_header.received_date) AS DATE)
ORDER BY
  month ASC
