SELECT
  sales_order_header.status AS status,
  COUNT(*) AS open_orders
FROM sales_order_header
WHERE
  sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
GROUP BY
  sales_order_header.status
ORDER BY
  open_orders DESC NULLS LAST,
  status ASC
