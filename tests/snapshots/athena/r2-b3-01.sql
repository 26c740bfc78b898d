SELECT
  COUNT(*) AS out_of_stock
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand = 0
  AND warehouse_product.warehouse_id = 'WH-WEST'
