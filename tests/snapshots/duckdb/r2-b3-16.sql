SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  SUM(warehouse_product.quantity_on_hand - warehouse_product.quantity_reserved) AS available
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.product_id = 'P0010'
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  available DESC,
  warehouse_id ASC,
  warehouse_name ASC
