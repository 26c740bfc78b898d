SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(warehouse_product.quantity_on_hand) AS on_hand
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  product.category = 'Electrical'
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  on_hand DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
