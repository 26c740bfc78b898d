SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse_product.quantity_on_hand AS on_hand,
  warehouse_product.safety_stock AS safety_stock,
  warehouse_product.safety_stock - warehouse_product.quantity_on_hand AS shortfall_to_safety
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.safety_stock
  AND product.category = 'Electrical'
ORDER BY
  shortfall_to_safety DESC,
  product_id ASC,
  warehouse_id ASC
