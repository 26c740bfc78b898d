SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(warehouse_product.quantity_on_hand * product.unit_cost) AS inventory_value
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  inventory_value DESC NULLS LAST,
  warehouse_id ASC,
  warehouse_name ASC
