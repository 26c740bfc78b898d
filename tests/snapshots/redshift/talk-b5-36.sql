SELECT
  supplier.supplier_id AS supplier_id,
  supplier.supplier_name AS supplier_name,
  supplier.country AS country
FROM supplier
WHERE
  supplier.country = 'United States'
ORDER BY
  supplier_id ASC
