"""Calculation tools: pure functions over DataFrames, a thin data-access layer and the tool registry.

- :mod:`~workbench.tools.inventory`, :mod:`~workbench.tools.logistics`,
  :mod:`~workbench.tools.supplier`: the formulas (pure, typed, no I/O, no clock);
- :mod:`~workbench.tools.forecasting`, :mod:`~workbench.tools.routing`: the engines behind
  the demand forecast (statsmodels) and the delivery route (exact / fast-tsp / PyVRP);
- :mod:`~workbench.tools.data_access`: fetch tool inputs with sqlglot ASTs;
- :mod:`~workbench.tools.registry` and :mod:`~workbench.tools.catalog`: every tool's JSON
  schema (a Bedrock Converse ``toolSpec``), validation and the runner the invokers call.
"""

from __future__ import annotations

from workbench.tools import registry
from workbench.tools.registry import AGENTS, ToolRegistry, ToolSpec, default_registry
from workbench.tools.result import ToolResult

__all__ = ["AGENTS", "ToolRegistry", "ToolResult", "ToolSpec", "default_registry", "registry"]
