SELECT
  warehouse_product.product_id AS product_id,
  product.product_name AS product_name,
  warehouse_product.warehouse_id AS warehouse_id,
  warehouse.warehouse_name AS warehouse_name,
  warehouse_product.quantity_on_hand AS on_hand
FROM warehouse_product
JOIN product
  ON warehouse_product.product_id = product.product_id
JOIN warehouse
  ON warehouse_product.warehouse_id = warehouse.warehouse_id
LEFT JOIN (
  SELECT
    sales_order_header.warehouse_id AS warehouse_id,
    sales_order_line.product_id AS product_id,
    SUM(sales_order_line.quantity) AS units_sold
  FROM sales_order_line
  JOIN sales_order_header
    ON sales_order_line.order_id = sales_order_header.order_id
  WHERE
    sales_order_header.status <> 'CANCELLED'
    AND sales_order_header.order_date BETWEEN CAST('2026-05-02' AS DATE) AND CAST('2026-06-30' AS DATE)
  GROUP BY
    sales_order_header.warehouse_id,
    sales_order_line.product_id
) AS recent_sales
  ON recent_sales.warehouse_id = warehouse_product.warehouse_id
  AND recent_sales.product_id = warehouse_product.product_id
WHERE
  COALESCE(recent_sales.units_sold, 0) = 0
  AND warehouse_product.warehouse_id = 'WH-EAST'
ORDER BY
  product_id ASC,
  warehouse_id ASC
