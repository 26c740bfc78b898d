SELECT
  sales_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  AVG(DATEDIFF(DAY, sales_order_header.order_date, sales_order_header.delivery_date)) AS fulfilment_time
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
GROUP BY
  sales_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  fulfilment_time DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
