WITH m_purchase_orders AS (
  SELECT
    purchase_order_header.supplier_id AS supplier_id,
    supplier.supplier_name AS supplier_name,
    COUNT(
      CASE
        WHEN purchase_order_header.received_date <= purchase_order_header.expected_date
        THEN 1
      END
    ) AS on_time_receipts,
    COUNT(*) AS received_pos
  FROM purchase_order_header
  JOIN supplier
    ON purchase_order_header.supplier_id = supplier.supplier_id
  WHERE
    purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
    AND NOT purchase_order_header.received_date IS NULL
  GROUP BY
    purchase_order_header.supplier_id,
    supplier.supplier_name
), m_purchases AS (
  SELECT
    purchase_order_header.supplier_id AS supplier_id,
    supplier.supplier_name AS supplier_name,
    SUM(
      CASE
        WHEN purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
        THEN purchase_order_line.quantity_received
      END
    ) AS received_units_filled,
    SUM(
      CASE
        WHEN purchase_order_header.status IN ('PARTIAL', 'RECEIVED')
        THEN purchase_order_line.quantity_ordered
      END
    ) AS ordered_units_filled,
    SUM(
      CASE
        WHEN purchase_order_header.status <> 'CANCELLED'
        THEN CAST(purchase_order_line.quantity_ordered * (
          purchase_order_line.unit_cost - product.unit_cost
        ) AS DOUBLE PRECISION) / product.unit_cost
      END
    ) AS weighted_cost_variance,
    SUM(
      CASE
        WHEN purchase_order_header.status <> 'CANCELLED'
        THEN purchase_order_line.quantity_ordered
      END
    ) AS units_ordered_for_variance
  FROM purchase_order_line
  JOIN purchase_order_header
    ON purchase_order_line.po_id = purchase_order_header.po_id
  JOIN product
    ON purchase_order_line.product_id = product.product_id
  JOIN supplier
    ON purchase_order_header.supplier_id = supplier.supplier_id
  GROUP BY
    purchase_order_header.supplier_id,
    supplier.supplier_name
)
SELECT
  supplier_id,
  supplier_name,
  0.4 * COALESCE(
    (
      CAST(m_purchase_orders.on_time_receipts AS DOUBLE PRECISION) / NULLIF(m_purchase_orders.received_pos, 0)
    ),
    0
  ) + 0.3 * COALESCE(
    (
      CAST(m_purchases.received_units_filled AS DOUBLE PRECISION) / NULLIF(m_purchases.ordered_units_filled, 0)
    ),
    0
  ) + 0.3 * GREATEST(
    0,
    1 - CAST(GREATEST(
      0,
      COALESCE(
        (
          CAST(m_purchases.weighted_cost_variance AS DOUBLE PRECISION) / NULLIF(m_purchases.units_ordered_for_variance, 0)
        ),
        0
      )
    ) AS DOUBLE PRECISION) / 0.2
  ) AS supplier_score
FROM m_purchase_orders
FULL OUTER JOIN m_purchases
  USING (supplier_id, supplier_name)
ORDER BY
  supplier_score DESC NULLS LAST,
  supplier_id ASC,
  supplier_name ASC
