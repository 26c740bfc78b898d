SELECT
  sales_order_header.priority AS priority,
  CAST(COUNT(
    CASE
      WHEN sales_order_header.delivery_date <= sales_order_header.promised_date
      THEN 1
    END
  ) AS DOUBLE) / NULLIF(COUNT(*), 0) AS on_time_delivery_rate
FROM sales_order_header
WHERE
  sales_order_header.status = 'DELIVERED'
GROUP BY
  sales_order_header.priority
ORDER BY
  on_time_delivery_rate DESC,
  priority ASC
