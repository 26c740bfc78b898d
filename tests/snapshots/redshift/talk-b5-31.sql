SELECT
  product.category AS category,
  CAST(SUM(purchase_order_line.quantity_received) AS DOUBLE PRECISION) / NULLIF(SUM(purchase_order_line.quantity_ordered), 0) AS fill_rate
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN product
  ON purchase_order_line.product_id = product.product_id
WHERE
  purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
GROUP BY
  product.category
ORDER BY
  fill_rate DESC NULLS LAST,
  category ASC
