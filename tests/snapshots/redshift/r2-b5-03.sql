SELECT
  COUNT(*) AS overdue_orders
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
  AND sales_order_header.promised_date < CAST('2026-06-30' AS DATE)
  AND sales_order_header.priority = 'EXPRESS'
  AND sales_order_header.warehouse_id = 'WH-CENTRAL'
