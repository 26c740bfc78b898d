SELECT
  CAST(COUNT(CASE WHEN sales_order_header.status = 'CANCELLED' THEN 1 END) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS cancellation_rate
FROM sales_order_header
WHERE
  sales_order_header.order_date BETWEEN CAST('2026-04-01' AS DATE) AND CAST('2026-06-30' AS DATE)
