SELECT
  AVG(DATEDIFF(DAY, sales_order_header.order_date, sales_order_header.delivery_date)) AS fulfilment_time
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.warehouse_id = 'WH-EAST'
