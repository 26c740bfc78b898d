SELECT
  COUNT(*) AS due_today
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
  AND sales_order_header.promised_date = CAST('2026-06-30' AS DATE)
  AND sales_order_header.warehouse_id = 'WH-EAST'
