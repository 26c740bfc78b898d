SELECT
  CAST(COUNT(
    CASE
      WHEN sales_order_header.delivery_date <= sales_order_header.promised_date
      THEN 1
    END
  ) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS on_time_delivery_rate
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
  AND sales_order_header.delivery_date BETWEEN CAST('2026-06-22' AS DATE) AND CAST('2026-06-28' AS DATE)
