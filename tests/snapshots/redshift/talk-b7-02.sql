SELECT
  COUNT(*) AS product_count
FROM product
