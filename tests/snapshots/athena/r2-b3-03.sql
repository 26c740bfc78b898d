SELECT
  sales_order_header.priority AS priority,
  AVG(
    DATE_DIFF(
      'DAY',
      DATE_TRUNC('DAY', sales_order_header.order_date),
      DATE_TRUNC('DAY', sales_order_header.delivery_date)
    )
  ) AS fulfilment_time
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.priority IN ('EXPRESS', 'STANDARD')
GROUP BY
  sales_order_header.priority
ORDER BY
  fulfilment_time DESC,
  priority ASC
