"""``ToolResult``: the JSON-safe answer of every tool, identical in-process and over Lambda.

A tool returns one main table (``columns`` + ``rows``), a ``summary`` of headline figures
(totals, counts, backtest errors) and optionally named secondary ``tables`` (for example
the day-by-day forecast beside the per-product table). Everything is plain JSON: dates as
ISO strings, NaN and infinity as ``null``, numpy scalars as Python numbers, so the same
dictionary travels through ``lambda.invoke`` unchanged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """One cell or summary value as plain JSON (NaN/inf → None, dates → ISO, numpy → Python)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is pd.NA:
        return None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


def frame_to_table(frame: pd.DataFrame) -> dict[str, Any]:
    """``{"columns": [...], "rows": [[...], ...]}`` with JSON-safe cells."""
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [[json_safe(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def table_to_frame(table: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(table.get("rows", [])), columns=list(table.get("columns", [])))


@dataclass
class ToolResult:
    """What a tool computed: a main table, headline figures and optional secondary tables."""

    tool: str
    columns: list[str]
    rows: list[list[Any]]
    summary: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_frame(
        cls,
        tool: str,
        frame: pd.DataFrame,
        summary: Mapping[str, Any] | None = None,
        tables: Mapping[str, pd.DataFrame] | None = None,
    ) -> ToolResult:
        main = frame_to_table(frame)
        return cls(
            tool=tool,
            columns=main["columns"],
            rows=main["rows"],
            summary={str(k): json_safe(v) for k, v in (summary or {}).items()},
            tables={name: frame_to_table(t) for name, t in (tables or {}).items()},
        )

    @property
    def frame(self) -> pd.DataFrame:
        return table_to_frame({"columns": self.columns, "rows": self.rows})

    def table(self, name: str) -> pd.DataFrame:
        """A secondary table as a DataFrame (empty when the tool did not produce it)."""
        return table_to_frame(self.tables.get(name, {}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "row_count": len(self.rows),
            "summary": dict(self.summary),
            "tables": {
                k: {"columns": list(v["columns"]), "rows": [list(r) for r in v["rows"]]}
                for k, v in self.tables.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ToolResult:
        return cls(
            tool=str(data.get("tool", "")),
            columns=list(data.get("columns", [])),
            rows=[list(r) for r in data.get("rows", [])],
            summary=dict(data.get("summary", {})),
            tables={
                k: {"columns": list(v.get("columns", [])), "rows": list(v.get("rows", []))}
                for k, v in dict(data.get("tables", {})).items()
            },
        )
