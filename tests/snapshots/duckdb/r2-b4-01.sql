SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(sales_order_line.line_total) AS revenue
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  revenue DESC,
  warehouse_id ASC,
  warehouse_name ASC
