SELECT
  COUNT(*) AS supplier_count
FROM supplier
