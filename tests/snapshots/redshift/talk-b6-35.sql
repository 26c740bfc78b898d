SELECT
  SUM(warehouse_product.quantity_on_hand) AS on_hand
FROM warehouse_product
WHERE
  warehouse_product.warehouse_id = 'WH-EAST'
  AND warehouse_product.product_id = 'P0005'
