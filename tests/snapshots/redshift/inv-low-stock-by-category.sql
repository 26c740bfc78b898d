SELECT
  product.category AS category,
  COUNT(*) AS low_stock
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
WHERE
  warehouse_product.quantity_on_hand <= warehouse_product.safety_stock
GROUP BY
  product.category
ORDER BY
  low_stock DESC NULLS LAST,
  category ASC
