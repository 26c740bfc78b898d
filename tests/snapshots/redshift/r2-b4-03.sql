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
  AND sales_order_header.delivery_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
  AND sales_order_header.warehouse_id = 'WH-WEST'
