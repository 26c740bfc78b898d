"""Cost tracking: usage of each answer, pricing, and the SQLite ledger."""

from __future__ import annotations

from workbench.cost.usage import Cost, InvocationUsage, LlmUsage, Usage, WarehouseUsage

__all__ = ["Cost", "InvocationUsage", "LlmUsage", "Usage", "WarehouseUsage"]
