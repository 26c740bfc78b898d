SELECT
  purchase_order_header.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  CAST(COUNT(
    CASE
      WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
      THEN 1
    END
  ) AS DOUBLE) / NULLIF(COUNT(*), 0) AS supplier_on_time_rate
FROM purchase_order_header
JOIN warehouse
  ON purchase_order_header.warehouse_id = warehouse.warehouse_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
  AND NOT purchase_order_header.received_date IS NULL
GROUP BY
  purchase_order_header.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  supplier_on_time_rate DESC,
  warehouse_id ASC,
  warehouse_name ASC
