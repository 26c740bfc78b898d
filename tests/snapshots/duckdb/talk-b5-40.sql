SELECT
  SUM(warehouse_product.quantity_reserved) AS reserved
FROM warehouse_product
WHERE
  warehouse_product.product_id = 'P0001'
