SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  CAST(COUNT(
    CASE
      WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
      THEN 1
    END
  ) AS DOUBLE) / NULLIF(COUNT(*), 0) AS supplier_on_time_rate
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
  AND purchase_order_header.received_date BETWEEN CAST('2026-04-02' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  supplier_on_time_rate DESC,
  supplier_id ASC,
  supplier_name ASC
