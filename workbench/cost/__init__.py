"""Cost tracking: usage of each answer, pricing, the SQLite ledger, estimates and reconciliation."""

from __future__ import annotations

from workbench.cost.hooks import record_bedrock_request, record_lambda_request
from workbench.cost.ledger import CostLedger, LedgerEntry, MonthEndProjection
from workbench.cost.pricing import (
    AWS_BACKENDS,
    BEDROCK_PRICES,
    SERVICES,
    bedrock_rate,
    notebook_daily_cost,
    price,
    redshift_billed_seconds,
)
from workbench.cost.usage import Cost, InvocationUsage, LlmUsage, Usage, WarehouseUsage

__all__ = [
    "AWS_BACKENDS",
    "BEDROCK_PRICES",
    "SERVICES",
    "Cost",
    "CostLedger",
    "InvocationUsage",
    "LedgerEntry",
    "LlmUsage",
    "MonthEndProjection",
    "Usage",
    "WarehouseUsage",
    "bedrock_rate",
    "notebook_daily_cost",
    "price",
    "record_bedrock_request",
    "record_lambda_request",
    "redshift_billed_seconds",
]
