SELECT
  AVG(
    DATE_DIFF('DAY', sales_order_header.order_date, sales_order_header.delivery_date)
  ) AS fulfilment_time
FROM sales_order_header
JOIN warehouse
  ON sales_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  sales_order_header.status = 'DELIVERED' AND warehouse.region = 'Northeast'
