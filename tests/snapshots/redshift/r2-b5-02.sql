SELECT
  CAST(DATE_TRUNC('MONTH', purchase_order_header.order_date) AS DATE) AS month,
  SUM(purchase_order_line.line_total) AS spend
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
  AND purchase_order_header.supplier_id = 'S003'
GROUP BY
  CAST(DATE_TRUNC('MONTH', purchase_order_header.order_date) AS DATE)
ORDER BY
  month ASC
