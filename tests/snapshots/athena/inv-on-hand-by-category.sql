SELECT
  product.category AS category,
  SUM(warehouse_product.quantity_on_hand) AS on_hand
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
GROUP BY
  product.category
ORDER BY
  on_hand DESC,
  category ASC
