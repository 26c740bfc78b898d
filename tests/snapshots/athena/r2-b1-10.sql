SELECT
  SUM(sales_order_line.quantity) AS units_sold
FROM sales_order_line
JOIN sales_order_header
  ON sales_order_line.order_id = sales_order_header.order_id
WHERE
  sales_order_header.status <> 'CANCELLED'
  AND sales_order_header.order_date BETWEEN CAST('2026-05-01' AS DATE) AND CAST('2026-05-31' AS DATE)
  AND sales_order_line.product_id IN ('P0020', 'P0023', 'P0050', 'P0196', 'P0207')
