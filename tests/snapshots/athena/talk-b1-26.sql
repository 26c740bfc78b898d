SELECT
  COUNT(*) AS product_count
FROM product
WHERE
  product.category = 'Plumbing'
