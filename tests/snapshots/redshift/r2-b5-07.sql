SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse_product.quantity_on_hand AS on_hand,
  warehouse_product.reorder_point AS reorder_point,
  warehouse_product.max_stock - warehouse_product.quantity_on_hand AS suggested_order_qty
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.reorder_point
  AND product.category = 'Plumbing'
  AND warehouse_product.warehouse_id = 'WH-EAST'
ORDER BY
  suggested_order_qty DESC NULLS LAST,
  product_id ASC,
  warehouse_id ASC
