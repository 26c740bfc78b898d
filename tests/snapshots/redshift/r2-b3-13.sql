SELECT
  purchase_order_header.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  CAST(COUNT(
    CASE
      WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
      THEN 1
    END
  ) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS supplier_on_time_rate
FROM purchase_order_header
JOIN supplier
  ON purchase_order_header.supplier_id = supplier.supplier_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
GROUP BY
  purchase_order_header.supplier_id,
  supplier.supplier_name
ORDER BY
  supplier_on_time_rate ASC,
  supplier_id ASC,
  supplier_name ASC
LIMIT 3
