"""Schema providers: which tables and columns an agent may use, with their descriptions.

Agents ask a provider, not the warehouse, so the source of truth can change: the local
provider reads DuckDB's catalog (``Warehouse.tables()``) and adds the descriptions of
``workbench.data.schema``; an AWS Glue provider will read the Glue Data Catalog.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from sqlglot import exp

from workbench.data.schema import PERSONA_TABLES, TABLES, Persona
from workbench.semantic.model import SemanticModel
from workbench.warehouse.base import ColumnInfo, TableInfo, Warehouse

__all__ = [
    "LocalSchemaProvider",
    "SchemaProvider",
    "StaticSchemaProvider",
    "describe_tables",
    "model_schema_issues",
]


@runtime_checkable
class SchemaProvider(Protocol):
    def tables(self, persona: Persona | str | None = None) -> list[TableInfo]:
        """Tables (with columns and descriptions); only the persona's when given."""
        ...


def _for_persona(tables: list[TableInfo], persona: Persona | str | None) -> list[TableInfo]:
    if persona is None:
        return tables
    allowed = PERSONA_TABLES[Persona.parse(persona)]
    return [t for t in tables if t.name in allowed]


class StaticSchemaProvider:
    """The tables of DATA_MODEL.md as defined in code (no warehouse needed)."""

    def tables(self, persona: Persona | str | None = None) -> list[TableInfo]:
        infos = [
            TableInfo(
                t.name,
                tuple(ColumnInfo(c.name, c.type, c.description) for c in t.columns),
                t.description,
            )
            for t in TABLES
        ]
        return _for_persona(infos, persona)


class LocalSchemaProvider:
    """The warehouse's own catalog (DuckDB ``information_schema``), read once per data version."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._cache: tuple[str, list[TableInfo]] | None = None
        self._lock = threading.Lock()

    def tables(self, persona: Persona | str | None = None) -> list[TableInfo]:
        version = self.warehouse.data_version()
        with self._lock:
            if self._cache is None or self._cache[0] != version:
                self._cache = (version, self.warehouse.tables())
            tables = self._cache[1]
        return _for_persona(tables, persona)


def describe_tables(tables: list[TableInfo]) -> str:
    """A compact text description (for prompts and ``--help``)."""
    lines = []
    for t in tables:
        lines.append(f"{t.name}: {t.description}".rstrip(": "))
        for c in t.columns:
            lines.append(f"  - {c.name} ({c.type}){': ' + c.description if c.description else ''}")
    return "\n".join(lines)


def model_schema_issues(model: SemanticModel, tables: list[TableInfo]) -> list[str]:
    """Columns the semantic model uses that the warehouse lacks (checked against the real catalog)."""
    present = {t.name: {c.name for c in t.columns} for t in tables}
    issues: list[str] = []
    seen: set[tuple[str, str]] = set()
    exprs: list[exp.Expression] = []
    for m in model.measures.values():
        exprs += [e for e in (m.expr, m.filter, m.time_column) if e is not None]
    for c in model.conditions.values():
        exprs.append(c.sql)
    for d in model.dimensions.values():
        exprs += [
            d.key,
            *([d.name_expr] if d.name_expr is not None else []),
            *d.key_by_source.values(),
        ]
    for lst in model.listings.values():
        exprs += [e for _, e in (*lst.columns, *lst.extra_columns)]
    for e in exprs:
        for col in e.find_all(exp.Column):
            key = (col.table, col.name)
            if key in seen or (
                col.table not in present and col.table not in {t.name for t in TABLES}
            ):
                continue
            seen.add(key)
            if col.table not in present:
                issues.append(f"table '{col.table}' is missing")
            elif col.name not in present[col.table]:
                issues.append(f"column '{col.table}.{col.name}' is missing")
    return sorted(set(issues))
