SELECT
  sales_order_header.order_id AS order_id,
  sales_order_header.order_date AS order_date,
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  sales_order_header.warehouse_id AS warehouse_id,
  sales_order_header.status AS status,
  sales_order_header.priority AS priority,
  sales_order_header.promised_date AS promised_date,
  DATE_DIFF(
    'DAY',
    DATE_TRUNC('DAY', sales_order_header.promised_date),
    DATE_TRUNC('DAY', sales_order_header.delivery_date)
  ) AS days_late
FROM sales_order_header
WHERE
  (
    sales_order_header.status = 'DELIVERED'
    AND sales_order_header.delivery_date > sales_order_header.promised_date
  )
  AND sales_order_header.warehouse_id = 'WH-CENTRAL'
  AND sales_order_header.delivery_date BETWEEN CAST('2026-04-01' AS DATE) AND CAST('2026-04-30' AS DATE)
ORDER BY
  days_late DESC,
  order_id ASC
