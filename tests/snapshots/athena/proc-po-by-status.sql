SELECT
  purchase_order_header.status AS status,
  COUNT(*) AS po_count
FROM purchase_order_header
GROUP BY
  purchase_order_header.status
ORDER BY
  po_count DESC,
  status ASC
