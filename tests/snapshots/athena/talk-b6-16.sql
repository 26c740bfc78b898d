SELECT
  sales_order_header.customer_id AS customer_id,
  sales_order_header.customer_name AS customer_name,
  CAST(COUNT(
    CASE
      WHEN sales_order_header.delivery_date <= sales_order_header.promised_date
      THEN 1
    END
  ) AS DOUBLE) / NULLIF(COUNT(*), 0) AS on_time_delivery_rate
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date BETWEEN CAST('2026-04-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  sales_order_header.customer_id,
  sales_order_header.customer_name
ORDER BY
  on_time_delivery_rate DESC,
  customer_id ASC,
  customer_name ASC
LIMIT 5
