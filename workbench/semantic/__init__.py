"""The semantic layer: business vocabulary, metrics and the question planner.

- :mod:`~workbench.semantic.model` — the glossary of DATA_MODEL.md as data (``model.yaml``),
  validated as a whole: sources and joins, conditions, measures, metrics, dimensions,
  listings, idioms, grammar words and per-persona examples.
- :mod:`~workbench.semantic.plan` — :class:`QueryPlan`, the typed, JSON-serializable
  question (with a JSON schema for an LLM ``plan_query`` tool).
- :mod:`~workbench.semantic.compiler` — plans to sqlglot ASTs for DuckDB, Redshift, Athena.
- :mod:`~workbench.semantic.planner` — the offline planner (business language -> plan).
- :mod:`~workbench.semantic.time`, :mod:`~workbench.semantic.entities` — time expressions
  and entity names, shared with the specialist agents.
- :mod:`~workbench.semantic.schema_provider` — table descriptions for agents.
"""

from __future__ import annotations

from workbench.semantic.answer_text import describe_result, suggest_chart
from workbench.semantic.compiler import (
    DIALECTS,
    CompiledQuery,
    PlanCompiler,
    PlanError,
    compile_plan,
)
from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.model import SemanticModel, load_model
from workbench.semantic.plan import Filter, MetricFilter, Ordering, QueryPlan
from workbench.semantic.planner import OfflinePlanner, is_followup
from workbench.semantic.schema_provider import (
    LocalSchemaProvider,
    SchemaProvider,
    StaticSchemaProvider,
)
from workbench.semantic.time import TimeWindow, find_time_window, parse_time_window

__all__ = [
    "DIALECTS",
    "CompiledQuery",
    "EntityIndex",
    "EntityMatch",
    "Filter",
    "LocalSchemaProvider",
    "MetricFilter",
    "OfflinePlanner",
    "Ordering",
    "PlanCompiler",
    "PlanError",
    "QueryPlan",
    "SchemaProvider",
    "SemanticModel",
    "StaticSchemaProvider",
    "TimeWindow",
    "compile_plan",
    "describe_result",
    "find_time_window",
    "is_followup",
    "load_model",
    "parse_time_window",
    "suggest_chart",
]
