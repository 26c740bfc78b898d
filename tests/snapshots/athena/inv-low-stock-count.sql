SELECT
  COUNT(*) AS low_stock
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.safety_stock
