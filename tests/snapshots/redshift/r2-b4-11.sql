SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(warehouse_product.quantity_reserved) AS reserved
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  reserved DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
