SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  SUM(warehouse_product.quantity_on_hand * product.unit_cost) AS inventory_value
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
WHERE
  warehouse_product.warehouse_id = 'WH-CENTRAL'
GROUP BY
  warehouse_product.product_id,
  product.product_name
ORDER BY
  inventory_value DESC,
  product_id ASC,
  product_name ASC
LIMIT 10
