SELECT
  COUNT(*) AS stock_positions
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand > warehouse_product.max_stock
