SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse_product.quantity_on_hand AS on_hand,
  warehouse_product.max_stock AS max_stock,
  warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved AS available,
  warehouse_product.quantity_reserved AS reserved,
  warehouse_product.safety_stock AS safety_stock,
  warehouse_product.reorder_point AS reorder_point
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.product_id = 'P0010'
  AND warehouse_product.warehouse_id = 'WH-WEST'
ORDER BY
  product_id ASC,
  warehouse_id ASC
