SELECT
  purchase_order_line.product_id AS product_id,
  product.product_name AS product_name,
  SUM(purchase_order_line.line_total) AS spend
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN product
  ON purchase_order_line.product_id = product.product_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND purchase_order_header.order_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-06-30' AS DATE)
GROUP BY
  purchase_order_line.product_id,
  product.product_name
ORDER BY
  spend DESC,
  product_id ASC,
  product_name ASC
LIMIT 5
