SELECT
  product.category AS category,
  SUM(purchase_order_line.line_total) AS spend
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN product
  ON purchase_order_line.product_id = product.product_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
  AND product.category IN ('Tools', 'Plumbing')
GROUP BY
  product.category
ORDER BY
  spend DESC,
  category ASC
