SELECT
  COUNT(*) AS out_of_stock
FROM warehouse_product
WHERE
  warehouse_product.quantity_on_hand = 0
