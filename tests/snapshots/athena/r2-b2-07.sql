SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS low_stock
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.safety_stock
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  low_stock DESC,
  warehouse_id ASC,
  warehouse_name ASC
