"""The sentence and the chart suggestion that go with a plan's result.

One or two sentences with the key numbers ("12 stock positions are at or below the
reorder point at East Distribution Center; the largest suggested order is …"); a bar
chart for categorical groupings, a line chart over dates, none for a single value.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.agents.answer import ChartSpec
from workbench.core import present
from workbench.semantic.model import TIME_GRAINS, SemanticModel
from workbench.semantic.plan import QueryPlan

__all__ = ["describe_result", "format_value", "suggest_chart"]

# Units of metrics that count things ("There are 35 delayed shipments").
_COUNTED = frozenset(
    {"orders", "positions", "POs", "products", "suppliers", "warehouses", "customers"}
)


def format_value(value: Any, unit: str = "") -> str:
    """A number as a person would say it: 1,234 units, $12,345.67, 87.5%, 3.2 days."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    if isinstance(value, pd.Timestamp):
        return present.date(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if unit == "currency":
        return present.money(value, cents=True)
    if unit == "ratio":
        return present.percent(value)
    if unit == "score":
        return present.score(value, 3)
    if unit in {"days", "units per day"}:
        return f"{present.number(value, 1)} {unit}"
    return present.quantity(value, unit, digits=2)


def _filters_text(plan: QueryPlan, model: SemanticModel) -> str:
    parts = []
    for f in plan.filters:
        dim = model.dimensions.get(f.field)
        label = f.label or ", ".join(str(v) for v in f.values)
        if f.op == "not_in":
            parts.append(f"excluding {label}")
        elif f.op in ("in", "="):
            if f.field in {"warehouse", "city", "region"}:
                parts.append(f"at {label}")
            elif f.field in {"category"}:
                parts.append(f"in {label}")
            elif f.field in {"priority", "order_status", "po_status"}:
                parts.append(f"({label.lower()} only)")
            else:
                parts.append(f"for {label}")
        else:
            parts.append(
                f"where {dim.label if dim else f.field} {f.op} {', '.join(str(v) for v in f.values)}"
            )
    if plan.time_window is not None:
        parts.append(f"({plan.time_window.describe()})")
    return (" " + " ".join(parts)) if parts else ""


def _row_name(row: pd.Series, columns: list[str]) -> str:
    """'Cordless Drill 18V (P0001) at WH-EAST' from whatever id/name columns the row has."""
    name_cols = [c for c in columns if c.endswith("_name")]
    id_cols = [c for c in columns if c.endswith("_id")]
    parts = []
    # A document (order, PO) is named by its own id first: "SO-000123 (Hayes Electric Co.)".
    for doc in ("order_id", "po_id"):
        if doc in columns:
            who = next((c for c in ("customer_name", "supplier_name") if c in columns), None)
            return f"{row[doc]} ({row[who]})" if who else str(row[doc])
    for name_col in name_cols:
        id_col = name_col[: -len("_name")] + "_id"
        if id_col in columns:
            parts.append(f"{row[name_col]} ({row[id_col]})")
        else:
            parts.append(str(row[name_col]))
    if not parts:
        keys = id_cols or [
            c
            for c in columns
            if c in TIME_GRAINS
            or c in {"category", "region", "city", "status", "priority", "country"}
        ]
        parts = [
            str(row[k].date() if isinstance(row[k], pd.Timestamp) else row[k]) for k in keys[:2]
        ]
    return " at ".join(parts[:2]) if parts else "the first row"


def describe_result(
    plan: QueryPlan, frame: pd.DataFrame, model: SemanticModel, *, truncated: bool = False
) -> str:
    """One or two sentences answering the question with the key numbers."""
    text = _describe(plan, frame, model, truncated=truncated)
    # A name ending in a period ("Keller Electric Co.") ends the sentence once.
    return text[:-1] if text.endswith("..") else text


def _describe(
    plan: QueryPlan, frame: pd.DataFrame, model: SemanticModel, *, truncated: bool
) -> str:
    where = _filters_text(plan, model)
    if plan.kind == "listing":
        listing = model.listings[plan.listing or ""]
        conds = [model.conditions[c].label for c in plan.conditions]
        conds += [f"not {model.conditions[c].label}" for c in plan.negated_conditions]
        what = listing.label
        if conds:
            be = "is" if len(frame) == 1 else "are"
            subject = f"{what} {be} {' and '.join(conds)}"
        else:
            subject = what
        n = len(frame)
        count = present.integer(n, more=truncated)
        attribute_names = {c for c, _ in listing.attributes}
        asked: list[str] = []
        for c in plan.columns:  # the attributes asked come first, then the lookup columns
            if c not in attribute_names or c not in frame.columns or c in asked:
                break
            asked.append(c)
        if asked and 0 < n <= 5:
            # "What's the reorder point for P0005 at WH-EAST?": the value itself, per row.
            shown = asked + [c for c in ("on_hand",) if c in frame.columns and c not in asked]
            money = {"unit_price": "currency", "unit_cost": "currency"}
            parts = [
                _row_name(row, list(frame.columns))
                + ": "
                + ", ".join(
                    f"{c.replace('_', ' ')} {format_value(row[c], money.get(c, ''))}" for c in shown
                )
                for _, row in frame.iterrows()
            ]
            return "; ".join(parts) + "."
        if n == 0:
            return f"No {subject.replace(' is ', ' are ')}{where}."
        noun = (
            subject
            if n != 1
            else subject.replace("positions are", "position is")
            .replace("orders are", "order is")
            .replace("purchase orders are", "purchase order is")
        )
        text = f"{count} {noun}{where}."
        highlight = next(
            (
                model.conditions[c].highlight
                for c in plan.conditions
                if model.conditions[c].highlight
            ),
            None,
        )
        if highlight and highlight.get("column") in frame.columns and n > 0:
            col = str(highlight["column"])
            series = pd.to_numeric(frame[col], errors="coerce")
            if series.notna().any():
                idx = series.idxmin() if highlight.get("ascending") else series.idxmax()
                row = frame.loc[idx]  # type: ignore[call-overload]
                unit = "days" if "day" in col else "units"
                text = (
                    text[:-1]
                    + f"; {highlight['text']} {_row_name(row, list(frame.columns))} ({format_value(row[col], unit)})."
                )
        elif n > 0 and plan.limit and n >= plan.limit:
            text = text[:-1] + f" (showing the first {plan.limit})."
        return text
    metric_names = list(plan.metrics)
    first = model.metrics[metric_names[0]]
    if frame.empty:
        return f"No data for {first.label}{where}."
    if not plan.dimensions:
        row = frame.iloc[0]
        conds = [model.conditions[c].label for c in plan.conditions] + [
            f"not {model.conditions[c].label}" for c in plan.negated_conditions
        ]
        that = f" that are {' and '.join(conds)}" if conds else ""
        if len(metric_names) == 1 and first.unit in _COUNTED:
            value = row[metric_names[0]]
            count = format_value(value)
            window = plan.time_window
            past = window is not None and (
                window.end < (plan.as_of or window.end)
                or window.label.startswith(("last", "yesterday"))
            )
            verb = "were" if past else "are"
            return f"There {verb if count != '1' else verb.replace('were', 'was').replace('are', 'is')} {count} {first.label}{that}{where}."
        parts = [
            f"{model.metrics[m].label}: {format_value(row[m], model.metrics[m].unit)}"
            for m in metric_names
            if m in frame.columns
        ]
        sentence = "; ".join(parts)
        head = f"{first.label}{that}{where}: " if len(parts) == 1 else ""
        text = head + (
            format_value(row[metric_names[0]], first.unit) if len(parts) == 1 else sentence
        )
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    n = len(frame)
    dims = [model.dimensions[d].label if d in model.dimensions else d for d in plan.dimensions]
    by = " and ".join(dims)
    metric_col = (
        plan.order_by[0].field
        if plan.order_by and plan.order_by[0].field in frame.columns
        else metric_names[0]
    )
    metric = model.metrics.get(metric_col, first)
    values = pd.to_numeric(frame[metric_col], errors="coerce")
    if any(d in TIME_GRAINS for d in plan.dimensions):
        total = f"{first.label} by {by}{where}: {n} period{'s' if n != 1 else ''}"
        if values.notna().any():
            last = frame.iloc[-1]
            total += f", latest {format_value(last[metric_col], metric.unit)}"
        return total[:1].upper() + total[1:] + "."
    if not values.notna().any():
        return f"{metric.label[:1].upper()}{metric.label[1:]} by {by}{where}: no values."
    top_idx = values.idxmax()
    low_idx = values.idxmin()
    descending = plan.order_by[0].descending if plan.order_by else True
    lead_idx = top_idx if descending else low_idx
    lead = frame.loc[lead_idx]  # type: ignore[call-overload]
    adjective = "highest" if descending else "lowest"
    if n == 1:
        return f"{_row_name(lead, list(frame.columns))} has the {adjective if plan.limit == 1 else ''} {metric.label}{where}: {format_value(lead[metric_col], metric.unit)}.".replace(
            "the  ", "the "
        )
    text = f"{metric.label[:1].upper()}{metric.label[1:]} by {by}{where} for {n} {'groups' if len(dims) > 1 else _plural(dims[0])}; {adjective} is {_row_name(lead, list(frame.columns))} with {format_value(lead[metric_col], metric.unit)}."
    return text


def _plural(word: str) -> str:
    if word.endswith("y"):
        return word[:-1] + "ies"
    if word.endswith("s"):
        return word + "es"
    return word + "s"


def suggest_chart(plan: QueryPlan, frame: pd.DataFrame, model: SemanticModel) -> ChartSpec | None:
    """Line over time grains, bar over categories, nothing for one value or a listing."""
    if plan.kind != "metrics" or not plan.dimensions or frame.empty or len(frame) < 2:
        return None
    metrics = [m for m in plan.metrics if m in frame.columns]
    title = (
        f"{model.metrics[metrics[0]].label[:1].upper()}{model.metrics[metrics[0]].label[1:]} by "
        + " and ".join(
            model.dimensions[d].label if d in model.dimensions else d for d in plan.dimensions
        )
    )
    grains = [d for d in plan.dimensions if d in TIME_GRAINS]
    others = [d for d in plan.dimensions if d not in TIME_GRAINS]
    series = None
    if others:
        dim = model.dimensions[others[0]]
        series = dim.columns[-1] if grains else None
    if grains:
        return ChartSpec(
            "line",
            x=grains[0],
            y=tuple(metrics[:1] if series else metrics),
            title=title,
            series=series,
        )
    dim = model.dimensions[others[0]]
    x = dim.columns[-1]
    if len(others) > 1:
        series = model.dimensions[others[1]].columns[-1]
    return ChartSpec("bar", x=x, y=tuple(metrics), title=title, series=series)
