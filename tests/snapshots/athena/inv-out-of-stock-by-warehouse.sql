SELECT
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  COUNT(*) AS out_of_stock
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse_product.quantity_on_hand = 0
GROUP BY
  warehouse_product.warehouse_id,
  warehouse.warehouse_name
ORDER BY
  out_of_stock DESC,
  warehouse_id ASC,
  warehouse_name ASC
