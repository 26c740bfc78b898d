SELECT
  COUNT(*) AS open_orders
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
