SELECT
  SUM(warehouse_product.max_stock - warehouse_product.quantity_on_hand) AS suggested_order_qty
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.reorder_point
  AND warehouse_product.warehouse_id = 'WH-EAST'
