SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS reorder_needed
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.reorder_point
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  reorder_needed DESC,
  warehouse_id ASC,
  warehouse_name ASC
