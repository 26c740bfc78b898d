SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS delayed_shipments
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status = 'SHIPPED'
  AND sales_order_header.promised_date < CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  delayed_shipments DESC,
  warehouse_id ASC,
  warehouse_name ASC
