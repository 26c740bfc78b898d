SELECT
  COUNT(*) AS delayed_shipments
FROM sales_order_header
WHERE
  sales_order_header.status = 'SHIPPED'
  AND sales_order_header.promised_date < CAST('2026-06-30' AS DATE)
