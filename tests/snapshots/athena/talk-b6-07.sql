SELECT
  SUM(warehouse_product.quantity_on_hand) AS on_hand,
  SUM(warehouse_product.quantity_reserved) AS reserved
FROM warehouse_product
WHERE
  warehouse_product.warehouse_id = 'WH-WEST'
