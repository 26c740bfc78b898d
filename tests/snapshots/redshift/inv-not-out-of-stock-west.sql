SELECT
  COUNT(*) AS stock_positions
FROM warehouse_product
WHERE
  warehouse_product.warehouse_id = 'WH-WEST'
  AND warehouse_product.quantity_on_hand > 0
