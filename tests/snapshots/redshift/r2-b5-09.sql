SELECT
  sales_order_header.order_id AS order_id,
  sales_order_header.order_date AS order_date,
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  sales_order_header.warehouse_id AS warehouse_id,
  sales_order_header.status AS status,
  sales_order_header.priority AS priority,
  sales_order_header.promised_date AS promised_date,
  sales_order_header.ship_date AS ship_date
FROM sales_order_header
WHERE
  (
    NOT sales_order_header.ship_date IS NULL
    AND sales_order_header.status IN ('SHIPPED', 'DELIVERED')
  )
  AND sales_order_header.ship_date = CAST('2026-06-30' AS DATE)
ORDER BY
  order_id ASC
