SELECT
  product.category AS category,
  COUNT(*) AS out_of_stock
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
WHERE
  warehouse_product.quantity_on_hand = 0
GROUP BY
  product.category
ORDER BY
  out_of_stock DESC NULLS LAST,
  category ASC
