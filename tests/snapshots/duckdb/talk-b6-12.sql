SELECT
  product.category AS category,
  COUNT(*) AS product_count
FROM product
GROUP BY
  product.category
ORDER BY
  product_count DESC,
  category ASC
