SELECT
  CAST(COUNT(
    CASE
      WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
      THEN 1
    END
  ) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS supplier_on_time_rate
FROM purchase_order_header
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
  AND purchase_order_header.supplier_id = 'S009'
