SELECT
  CAST(DATE_TRUNC('MONTH', sales_order_header.delivery_date) AS DATE) AS month,
  AVG(
    DATE_DIFF('DAY', sales_order_header.order_date, sales_order_header.delivery_date)
  ) AS fulfilment_time
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('MONTH', sales_order_header.delivery_date) AS DATE)
ORDER BY
  month ASC
