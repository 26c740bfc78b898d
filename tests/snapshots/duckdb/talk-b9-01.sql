SELECT
  SUM(warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved) AS available
FROM warehouse_product
WHERE
  warehouse_product.product_id = 'P0020'
  AND warehouse_product.warehouse_id = 'WH-WEST'
