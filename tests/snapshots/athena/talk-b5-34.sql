SELECT
  supplier.country AS country,
  COUNT(*) AS supplier_count
FROM supplier
GROUP BY
  supplier.country
ORDER BY
  supplier_count DESC,
  country ASC
