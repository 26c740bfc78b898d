SELECT
  SUM(warehouse_product.max_stock - warehouse_product.quantity_on_hand) AS suggested_order_qty
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.reorder_point
  AND product.category = 'Plumbing'
