SELECT
  sales_order_header.priority AS priority,
  COUNT(*) AS open_orders
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
  AND sales_order_header.warehouse_id = 'WH-WEST'
GROUP BY
  sales_order_header.priority
ORDER BY
  open_orders DESC,
  priority ASC
