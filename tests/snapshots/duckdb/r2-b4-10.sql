SELECT
  sales_order_header.order_id AS order_id,
  sales_order_header.order_date AS order_date,
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  sales_order_header.warehouse_id AS warehouse_id,
  sales_order_header.status AS status,
  sales_order_header.priority AS priority,
  sales_order_header.promised_date AS promised_date
FROM sales_order_header
WHERE
  (
    sales_order_header.status IN ('PENDING', 'PICKING', 'SHIPPED')
    AND sales_order_header.promised_date = CAST('2026-06-30' AS DATE)
  )
  AND sales_order_header.warehouse_id = 'WH-CENTRAL'
ORDER BY
  order_id ASC
