SELECT
  product.product_id AS product_id,
  product.product_name AS product_name,
  product.category AS category,
  product.unit_cost AS unit_cost,
  product.unit_price AS unit_price,
  product.lead_time_days AS lead_time_days
FROM product
LEFT JOIN (
  SELECT
    sales_order_line.product_id AS product_id,
    SUM(sales_order_line.quantity) AS units_sold
  FROM sales_order_line
  JOIN sales_order_header
    ON sales_order_line.order_id = sales_order_header.order_id
  WHERE
    sales_order_header.status <> 'CANCELLED'
    AND sales_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
  GROUP BY
    sales_order_line.product_id
) AS recent_sales
  ON recent_sales.product_id = product.product_id
WHERE
  COALESCE(recent_sales.units_sold, 0) = 0
ORDER BY
  product_id ASC
