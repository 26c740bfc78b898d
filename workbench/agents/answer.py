"""``Answer``: what every question returns, whichever agent produced it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from workbench.cost.usage import Cost, Usage


class Intent(StrEnum):
    SQL_QUERY = "sql_query"
    OPTIMIZATION = "optimization"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class ChartSpec:
    """A suggested chart: ``kind`` is bar, line, scatter, route (a map of the plan) or table_only; axes name frame columns."""

    kind: str
    x: str | None = None
    y: tuple[str, ...] = ()
    title: str = ""
    series: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "x": self.x,
            "y": list(self.y),
            "title": self.title,
            "series": self.series,
        }


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if value is pd.NaT or (isinstance(value, type(pd.NA)) and value is pd.NA):
        return None
    return str(value)


@dataclass
class Answer:
    """One answered question: the table, a sentence, a chart suggestion and what it cost."""

    question: str
    persona: str
    intent: Intent | None = None
    agent: str | None = None
    sql: str | None = None
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    answer: str = ""
    chart: ChartSpec | None = None
    cached: bool = False
    cost: Cost = field(default_factory=Cost.zero)
    duration_ms: float = 0.0
    error: str | None = None
    #: Close questions the workbench can answer, when it did not understand this one.
    suggestions: list[str] = field(default_factory=list)
    #: The resolved query plan (semantic-layer answers) or tool call, for follow-ups and caching.
    plan: Any = None
    usage: Usage = field(default_factory=Usage)
    #: Extra structured output (tool results, recommendations) beyond the table.
    details: dict[str, Any] = field(default_factory=dict)
    as_of: dt.date | None = None
    #: How the question was read (an :class:`~workbench.semantic.interpretation.Interpretation`):
    #: one line in business words and its parts, shown before the table.
    interpretation: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def with_(self, **changes: Any) -> Answer:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form with ``columns`` and ``rows`` (lists), for the CLI, Lambda and the UI."""
        frame = self.frame if self.frame is not None else pd.DataFrame()
        rows = [[_json_safe(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        plan = self.plan.to_dict() if hasattr(self.plan, "to_dict") else self.plan
        return {
            "question": self.question,
            "persona": self.persona,
            "intent": self.intent.value if self.intent else None,
            "agent": self.agent,
            "sql": self.sql,
            "answer": self.answer,
            "columns": [str(c) for c in frame.columns],
            "rows": rows,
            "row_count": len(frame),
            "chart": self.chart.to_dict() if self.chart else None,
            "cached": self.cached,
            "cost": self.cost.to_dict(),
            "duration_ms": round(self.duration_ms, 3),
            "error": self.error,
            "suggestions": list(self.suggestions),
            "plan": plan,
            "details": {
                k: _json_safe(v) if not isinstance(v, dict | list) else v
                for k, v in self.details.items()
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "interpretation": self.interpretation.to_dict()
            if hasattr(self.interpretation, "to_dict")
            else self.interpretation,
        }
