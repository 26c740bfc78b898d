"""What each persona's dashboard shows: example questions and KPI tiles.

KPI tiles are computed through the same ``ask`` path as typed questions, so they obey the
persona's table permissions, use the cache and show up in the cost ledger like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from workbench.core import present
from workbench.data.schema import Persona

#: How a KPI's value is read from its answer: the single value, the number of rows,
#: or the label of the first row (e.g. the worst supplier).
KpiReading = Literal["value", "rows", "first_label"]


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label: str
    question: str
    reading: KpiReading = "value"
    #: Python format spec for the value: "int", "money", "percent" or "text".
    fmt: str = "int"


EXAMPLE_QUESTIONS: dict[Persona, tuple[str, ...]] = {
    Persona.WAREHOUSE_MANAGER: (
        "which products are below their reorder point at the East warehouse?",
        "revenue by warehouse last month",
        "inventory value by warehouse",
        "how many products are out of stock?",
    ),
    Persona.FIELD_ENGINEER: (
        "how many orders are overdue?",
        "optimize today's delivery route from the East warehouse",
        "orders due today by warehouse",
        "on-time delivery rate by warehouse",
    ),
    Persona.PROCUREMENT_SPECIALIST: (
        "top 5 suppliers by spend this quarter",
        "rank suppliers by score",
        "how many pending POs are there?",
        "spend by month this year",
    ),
}

KPIS: dict[Persona, tuple[KpiSpec, ...]] = {
    Persona.WAREHOUSE_MANAGER: (
        KpiSpec("out_of_stock", "Out of stock", "how many products are out of stock?"),
        KpiSpec(
            "below_reorder",
            "Below reorder point",
            "how many products are below their reorder point?",
        ),
        KpiSpec(
            "inventory_value", "Inventory value", "what is the total inventory value?", fmt="money"
        ),
    ),
    Persona.FIELD_ENGINEER: (
        KpiSpec("overdue", "Overdue orders", "how many orders are overdue?"),
        KpiSpec("due_today", "Due today", "how many orders are due today?"),
        KpiSpec(
            "on_time_rate",
            "On-time rate (30 days)",
            "what is the on-time delivery rate in the last 30 days?",
            fmt="percent",
        ),
    ),
    Persona.PROCUREMENT_SPECIALIST: (
        KpiSpec(
            "spend_month", "Spend this month", "what is the total spend this month?", fmt="money"
        ),
        KpiSpec("pending_pos", "Pending POs", "how many pending POs are there?"),
        KpiSpec(
            "worst_supplier",
            "Worst supplier (on-time)",
            "which supplier has the lowest on-time rate?",
            reading="first_label",
            fmt="text",
        ),
    ),
}


def format_value(value: object, fmt: str) -> str:
    """A tile's display text (through the presentation layer)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return present.MISSING
    if fmt == "text":
        return str(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if fmt == "money":
        return present.money(number, cents=False, compact=True)
    if fmt == "percent":
        # A fraction (0.871) from the semantic layer; a figure already in percent (87.1) too.
        return present.percent(number if abs(number) <= 1 else number / 100)
    return present.quantity(number, digits=2)


def read_kpi(frame: pd.DataFrame, spec: KpiSpec) -> object:
    """The KPI's raw value from its answer table."""
    if spec.reading == "rows":
        return len(frame)
    if frame is None or frame.empty:
        return 0 if spec.fmt in {"int", "money"} else None
    if spec.reading == "first_label":
        text_cols = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        names = [c for c in text_cols if str(c).lower().endswith("name")]
        column = (names or text_cols or list(frame.columns))[0]
        return frame.iloc[0][column]
    if len(frame) == 1:
        numeric = [
            c
            for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        ]
        value: object = frame.iloc[0][numeric[-1]] if numeric else frame.iloc[0, -1]
        item = getattr(value, "item", None)
        return item() if callable(item) else value
    # A listing answered a "how many" question: the count is its length.
    return len(frame)


__all__ = ["EXAMPLE_QUESTIONS", "KPIS", "KpiReading", "KpiSpec", "format_value", "read_kpi"]
