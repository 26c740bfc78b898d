SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS order_count
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status = 'PICKING'
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  order_count DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
