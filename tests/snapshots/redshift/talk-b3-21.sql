SELECT
  COUNT(*) AS active_product_count
FROM product
WHERE
  product.is_active
