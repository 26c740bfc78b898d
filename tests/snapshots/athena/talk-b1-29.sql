SELECT
  CAST(DATE_TRUNC('MONTH', purchase_order_header.received_date) AS DATE) AS month,
  CAST(COUNT(
    CASE
      WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
      THEN 1
    END
  ) AS DOUBLE) / NULLIF(COUNT(*), 0) AS supplier_on_time_rate
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
  AND purchase_order_header.received_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('MONTH', purchase_order_header.received_date) AS DATE)
ORDER BY
  month ASC
