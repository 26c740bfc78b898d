SELECT
  COUNT(*) AS reorder_needed
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.reorder_point
  AND warehouse_product.warehouse_id = 'WH-WEST'
