SELECT
  product.category AS category,
  SUM(warehouse_product.quantity_on_hand * product.unit_cost) AS inventory_value
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
GROUP BY
  product.category
ORDER BY
  inventory_value DESC,
  category ASC
