SELECT
  SUM(warehouse_product.quantity_on_hand) AS on_hand
FROM warehouse_product
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
WHERE
  warehouse.region = 'Northeast'
