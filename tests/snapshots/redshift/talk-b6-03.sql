SELECT
  warehouse.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse.city AS city,
  warehouse.region AS region,
  warehouse.capacity_units AS capacity_units
FROM warehouse
ORDER BY
  warehouse_id ASC
