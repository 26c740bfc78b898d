SELECT
  product.product_id AS product_id,
  product.product_name AS product_name,
  product.category AS category,
  product.unit_cost AS unit_cost,
  product.unit_price AS unit_price,
  product.lead_time_days AS lead_time_days
FROM product
WHERE
  product.category = 'Safety'
ORDER BY
  product_id ASC
