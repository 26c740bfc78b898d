SELECT
  product.category AS category,
  CAST(SUM(
    CAST(purchase_order_line.quantity_ordered * (
      purchase_order_line.unit_cost - product.unit_cost
    ) AS DOUBLE) / product.unit_cost
  ) AS DOUBLE) / NULLIF(SUM(purchase_order_line.quantity_ordered), 0) AS cost_variance
FROM purchase_order_line
JOIN purchase_order_header
  ON purchase_order_line.po_id = purchase_order_header.po_id
JOIN product
  ON purchase_order_line.product_id = product.product_id
WHERE
  purchase_order_header.status <> 'CANCELLED'
GROUP BY
  product.category
ORDER BY
  cost_variance DESC,
  category ASC
