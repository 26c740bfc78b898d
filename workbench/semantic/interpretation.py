"""How a question was read, in business words: shown first with every answer.

:func:`interpret_plan` turns a :class:`~workbench.semantic.plan.QueryPlan` into an
:class:`Interpretation`: one line ("Revenue by warehouse · East Distribution Center ·
2026-05-01 to 2026-05-31 (last month) · highest first · cancelled orders excluded") and its
parts as data (measure, filters, grouping, period, ordering and limit, exclusions), which
the dashboard shows as chips that can be removed or changed. Specialists describe their
tool call the same way (:func:`interpret_tool_call`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.semantic.compiler import status_is_subject
from workbench.semantic.model import TIME_GRAINS, SemanticModel
from workbench.semantic.plan import QueryPlan

__all__ = ["Interpretation", "InterpretationPart", "interpret_plan", "interpret_tool_call"]

_OPS = {
    "in": "",
    "not_in": "not ",
    "=": "= ",
    "!=": "not ",
    ">": "over ",
    ">=": "at least ",
    "<": "under ",
    "<=": "at most ",
    "between": "between ",
}


@dataclass(frozen=True)
class InterpretationPart:
    """One element of a reading: ``kind`` is measure, rows, filter, condition, grouping,
    period, order, limit, threshold or excluded; ``field`` names what it sets in the plan."""

    kind: str
    label: str
    field: str = ""
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "field": self.field, "value": self.value}


@dataclass(frozen=True)
class Interpretation:
    """One line saying what was computed, with its parts and the plan as data."""

    text: str
    parts: tuple[InterpretationPart, ...] = ()
    plan: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "parts": [p.to_dict() for p in self.parts],
            "plan": self.plan,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interpretation:
        return cls(
            str(data.get("text", "")),
            tuple(
                InterpretationPart(
                    str(p.get("kind", "")),
                    str(p.get("label", "")),
                    str(p.get("field", "")),
                    p.get("value"),
                )
                for p in data.get("parts") or ()
            ),
            dict(data.get("plan") or {}),
        )


def _values(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _field_label(model: SemanticModel, name: str) -> str:
    if name in model.dimensions:
        return model.dimensions[name].label
    if name in model.metrics:
        return model.metrics[name].label
    return name.replace("_", " ")


def _exclusions(model: SemanticModel, plan: QueryPlan) -> list[str]:
    """The glossary's standing exclusions the plan's measures apply ("cancelled orders excluded")."""
    out: list[str] = []
    if plan.kind != "metrics" or status_is_subject(model, plan):
        return out
    asked = set(plan.conditions) | {
        v for f in plan.filters if f.field in {"order_status", "po_status"} for v in f.values
    }
    for name in plan.metrics:
        metric = model.metrics.get(name)
        if metric is None:
            continue
        measures = [metric.measure] if metric.measure else []
        if metric.ratio:
            measures += [metric.ratio[0], metric.ratio[1]]
        for m in measures:
            measure = model.measures.get(m or "")
            if measure is None or measure.filter is None:
                continue
            sql = measure.filter.sql()
            if (
                "CANCELLED" in sql
                and "CANCELLED" not in asked
                and not any("cancel" in c for c in asked)
            ):
                what = "purchase orders" if "purchase_order" in sql else "orders"
                note = f"cancelled {what} excluded"
                if note not in out:
                    out.append(note)
    return out


def interpret_plan(plan: QueryPlan, model: SemanticModel) -> Interpretation:
    """The reading of a semantic-layer plan, for people (``text``) and for chips (``parts``)."""
    parts: list[InterpretationPart] = []
    if plan.kind == "metrics":
        for name in plan.metrics:
            label = model.metrics[name].label if name in model.metrics else name
            parts.append(
                InterpretationPart("measure", label[:1].upper() + label[1:], "metrics", name)
            )
    else:
        listing = model.listings.get(plan.listing or "")
        label = listing.label if listing else str(plan.listing)
        parts.append(
            InterpretationPart("rows", label[:1].upper() + label[1:], "listing", plan.listing)
        )
    for dim in plan.dimensions:
        label = dim if dim in TIME_GRAINS else _field_label(model, dim)
        parts.append(InterpretationPart("grouping", f"by {label}", "dimensions", dim))
    for name in plan.conditions:
        cond = model.conditions.get(name)
        parts.append(
            InterpretationPart("condition", cond.label if cond else name, "conditions", name)
        )
    for name in plan.negated_conditions:
        cond = model.conditions.get(name)
        parts.append(
            InterpretationPart(
                "condition", f"not {cond.label if cond else name}", "negated_conditions", name
            )
        )
    for f in plan.filters:
        what = _field_label(model, f.field)
        shown = f.label or _values(f.values)
        op = _OPS.get(f.op, f.op + " ")
        text = f"{what}: {op}{shown}" if f.op not in ("in",) else f"{what}: {shown}"
        parts.append(InterpretationPart("filter", text, f.field, list(f.values)))
    for h in plan.having:
        label = _field_label(model, h.metric)
        metric = model.metrics.get(h.metric)
        value = f"{h.value:.0%}" if metric is not None and metric.is_rate else f"{h.value:,g}"
        parts.append(
            InterpretationPart(
                "threshold", f"{label} {_OPS.get(h.op, h.op + ' ')}{value}", h.metric, h.value
            )
        )
    if plan.time_window is not None:
        w = plan.time_window
        span = (
            w.start.isoformat()
            if w.start == w.end
            else f"{w.start.isoformat()} to {w.end.isoformat()}"
        )
        label = w.describe()
        text = span if not label or label == span else f"{span} ({label})"
        parts.append(InterpretationPart("period", text, "time_window", w.to_dict()))
    elif plan.kind == "metrics" and any(
        model.metrics[m].default_window_days for m in plan.metrics if m in model.metrics
    ):
        days = max(
            model.metrics[m].default_window_days or 0 for m in plan.metrics if m in model.metrics
        )
        parts.append(
            InterpretationPart(
                "period", f"last {days} days (the measure's default)", "time_window", None
            )
        )
    elif plan.kind == "metrics" and any(
        model.sources[src].time_column is not None
        for m in plan.metrics
        if m in model.metrics
        for src in model.metric_sources(m)
    ):
        parts.append(InterpretationPart("period", "all dates", "time_window", None))
    for o in plan.order_by:
        label = _field_label(model, o.field)
        direction = "highest first" if o.descending else "lowest first"
        parts.append(InterpretationPart("order", f"{label}, {direction}", "order_by", o.field))
    if plan.limit is not None:
        ranked = bool(plan.order_by)
        text = f"top {plan.limit}" if ranked else f"first {plan.limit} rows"
        parts.append(InterpretationPart("limit", text, "limit", plan.limit))
    for note in _exclusions(model, plan):
        parts.append(InterpretationPart("excluded", note, "", None))
    head = parts[0].label
    rest = [p.label for p in parts[1:]]
    grouping = [p.label for p in parts if p.kind == "grouping"]
    text = " ".join([head, *grouping])
    others = [label for label, p in zip(rest, parts[1:], strict=True) if p.kind != "grouping"]
    if others:
        text += " · " + " · ".join(others)
    return Interpretation(text, tuple(parts), plan.to_dict())


def interpret_tool_call(
    tool: str, arguments: dict[str, Any], *, label: str | None = None, reason: str = ""
) -> Interpretation:
    """The reading of a specialist's tool call: the calculation and the inputs it was given."""
    name = (label or tool.replace("_", " ")).strip()
    parts = [InterpretationPart("calculation", name[:1].upper() + name[1:], "tool", tool)]
    for key, value in arguments.items():
        if value is None or value == [] or value == {}:
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(InterpretationPart("input", f"{key.replace('_', ' ')}: {shown}", key, value))
    text = parts[0].label
    if len(parts) > 1:
        text += " · " + " · ".join(p.label for p in parts[1:])
    return Interpretation(
        text, tuple(parts), {"tool": tool, "arguments": dict(arguments), "reason": reason}
    )


#: Parts of a reading that can be taken out of the plan (the dashboard's chips with a ×).
REMOVABLE = frozenset({"filter", "condition", "threshold", "period", "order", "limit", "grouping"})


def without_part(plan: QueryPlan, part: InterpretationPart) -> QueryPlan:
    """The plan without one part of its reading (a filter, the period, the top N …), for
    re-running it without re-reading the question. ValueError for a part that cannot go."""
    if part.kind not in REMOVABLE:
        raise ValueError(f"The {part.kind} of a question cannot be removed; ask another question.")
    if part.kind == "filter":
        return plan.without_filter(part.field)
    if part.kind == "condition":
        if part.field == "negated_conditions":
            return plan.with_(
                negated_conditions=tuple(c for c in plan.negated_conditions if c != part.value)
            )
        return plan.with_(conditions=tuple(c for c in plan.conditions if c != part.value))
    if part.kind == "threshold":
        return plan.with_(having=tuple(h for h in plan.having if h.metric != part.field))
    if part.kind == "period":
        return plan.with_(time_window=None)
    if part.kind == "order":
        return plan.with_(order_by=tuple(o for o in plan.order_by if o.field != part.value))
    if part.kind == "limit":
        return plan.with_(limit=None)
    return plan.with_(dimensions=tuple(d for d in plan.dimensions if d != part.value))
