"""Cost tracking: usage of each answer, pricing, and the SQLite ledger."""

from __future__ import annotations

from workbench.cost.ledger import CostLedger, LedgerEntry, MonthEndProjection
from workbench.cost.pricing import AWS_BACKENDS, SERVICES, notebook_daily_cost, price
from workbench.cost.usage import Cost, InvocationUsage, LlmUsage, Usage, WarehouseUsage

__all__ = [
    "AWS_BACKENDS",
    "SERVICES",
    "Cost",
    "CostLedger",
    "InvocationUsage",
    "LedgerEntry",
    "LlmUsage",
    "MonthEndProjection",
    "Usage",
    "WarehouseUsage",
    "notebook_daily_cost",
    "price",
]
