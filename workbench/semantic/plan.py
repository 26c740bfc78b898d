"""``QueryPlan``: what a question asks for, independent of SQL and of how it was understood.

A plan is typed, immutable and JSON-serializable. The offline planner builds plans from
business language; an LLM can fill the same structure through :meth:`QueryPlan.json_schema`
(a Bedrock Converse ``toolSpec`` input schema); the compiler turns a plan into SQL for
any dialect. Two plans with the same meaning have the same :meth:`cache_key`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from workbench.semantic.time import TimeWindow, coerce_date, parse_time_window

__all__ = ["FILTER_OPS", "Filter", "MetricFilter", "Ordering", "PlanKind", "QueryPlan"]

PlanKind = Literal["metrics", "listing"]
FILTER_OPS = ("in", "not_in", "=", "!=", ">", ">=", "<", "<=", "between")
COMPARISON_OPS = (">", ">=", "<", "<=", "=", "!=")


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Filter:
    """Restricts rows by a dimension (``warehouse in [WH-EAST]``) or a listing column."""

    field: str
    op: str = "in"
    values: tuple[Any, ...] = ()
    #: Human words for the values ("East Distribution Center"), for answer sentences.
    label: str = ""

    def __post_init__(self) -> None:
        if self.op not in FILTER_OPS:
            raise ValueError(
                f"unknown filter operator {self.op!r}; use one of {', '.join(FILTER_OPS)}"
            )
        object.__setattr__(self, "values", tuple(self.values))

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "op": self.op,
            "values": _plain(self.values),
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filter:
        values = data.get("values", data.get("value", ()))
        if not isinstance(values, list | tuple):
            values = (values,)
        return cls(
            str(data["field"]), str(data.get("op", "in")), tuple(values), str(data.get("label", ""))
        )


@dataclass(frozen=True)
class MetricFilter:
    """Keeps groups whose metric compares to a number (``on_hand > 100``, ``fill_rate < 0.9``)."""

    metric: str
    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in COMPARISON_OPS:
            raise ValueError(
                f"unknown comparison {self.op!r}; use one of {', '.join(COMPARISON_OPS)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "op": self.op, "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricFilter:
        return cls(str(data["metric"]), str(data["op"]), float(data["value"]))


@dataclass(frozen=True)
class Ordering:
    """Sort by a metric, a dimension or a listing column."""

    field: str
    descending: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "descending": self.descending}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ordering:
        return cls(str(data["field"]), bool(data.get("descending", True)))


@dataclass(frozen=True)
class QueryPlan:
    """A typed question: metrics by dimensions, or a listing of rows, with filters and time.

    ``kind="metrics"``: ``metrics`` aggregated by ``dimensions`` (dimension names or time
    grains: day, week, month, quarter, year). ``kind="listing"``: the rows of ``listing``
    (stock_positions, orders, purchase_orders, products, suppliers, warehouses).
    ``conditions`` are named row predicates of the glossary ("overdue_order",
    "reorder_needed"); ``negated_conditions`` exclude them.
    """

    kind: PlanKind = "metrics"
    metrics: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    conditions: tuple[str, ...] = ()
    negated_conditions: tuple[str, ...] = ()
    having: tuple[MetricFilter, ...] = ()
    time_window: TimeWindow | None = None
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None
    listing: str | None = None
    #: Extra listing columns asked for (e.g. "with their inventory value").
    columns: tuple[str, ...] = ()
    #: The date "today" means for this plan.
    as_of: date | None = None
    persona: str | None = None
    # Not part of the meaning: how the plan came about.
    question: str = field(default="", compare=False)
    confidence: float = field(default=1.0, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("metrics", "listing"):
            raise ValueError(f"plan kind must be 'metrics' or 'listing', not {self.kind!r}")
        if self.kind == "listing" and not self.listing:
            raise ValueError("a listing plan names its listing")
        if self.kind == "metrics" and not self.metrics:
            raise ValueError("a metrics plan names at least one metric")
        if self.limit is not None and self.limit < 1:
            raise ValueError("limit must be a positive number of rows")
        for name in (
            "metrics",
            "dimensions",
            "filters",
            "conditions",
            "negated_conditions",
            "having",
            "order_by",
            "columns",
            "notes",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    # -- convenience --------------------------------------------------------------------------
    def with_(self, **changes: Any) -> QueryPlan:
        return replace(self, **changes)

    def filter_for(self, field_name: str) -> Filter | None:
        return next((f for f in self.filters if f.field == field_name), None)

    def without_filter(self, field_name: str) -> QueryPlan:
        return replace(self, filters=tuple(f for f in self.filters if f.field != field_name))

    # -- serialization -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "metrics": list(self.metrics),
            "dimensions": list(self.dimensions),
            "filters": [f.to_dict() for f in self.filters],
            "conditions": list(self.conditions),
            "negated_conditions": list(self.negated_conditions),
            "having": [h.to_dict() for h in self.having],
            "time_window": self.time_window.to_dict() if self.time_window else None,
            "order_by": [o.to_dict() for o in self.order_by],
            "limit": self.limit,
            "listing": self.listing,
            "columns": list(self.columns),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "persona": self.persona,
            "question": self.question,
            "confidence": self.confidence,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, as_of: date | None = None) -> QueryPlan:
        """Inverse of :meth:`to_dict`; also accepts what an LLM fills from :meth:`json_schema`
        (``time_window`` may be ``{"expression": "last month"}``)."""
        plan_as_of = coerce_date(data["as_of"]) if data.get("as_of") else as_of
        tw = data.get("time_window")
        window: TimeWindow | None = None
        if isinstance(tw, dict):
            if tw.get("start") and tw.get("end"):
                window = TimeWindow.from_dict(tw)
            elif tw.get("expression"):
                window = parse_time_window(str(tw["expression"]), plan_as_of or date.today())
                if window is None:
                    raise ValueError(f"cannot understand the time expression {tw['expression']!r}")
        elif isinstance(tw, str) and tw:
            window = parse_time_window(tw, plan_as_of or date.today())
        kind = str(data.get("kind") or ("listing" if data.get("listing") else "metrics"))
        return cls(
            kind=kind,  # type: ignore[arg-type]
            metrics=tuple(data.get("metrics") or ()),
            dimensions=tuple(data.get("dimensions") or ()),
            filters=tuple(Filter.from_dict(f) for f in data.get("filters") or ()),
            conditions=tuple(data.get("conditions") or ()),
            negated_conditions=tuple(data.get("negated_conditions") or ()),
            having=tuple(MetricFilter.from_dict(h) for h in data.get("having") or ()),
            time_window=window,
            order_by=tuple(Ordering.from_dict(o) for o in data.get("order_by") or ()),
            limit=int(data["limit"]) if data.get("limit") is not None else None,
            listing=data.get("listing"),
            columns=tuple(data.get("columns") or ()),
            as_of=plan_as_of,
            persona=data.get("persona"),
            question=str(data.get("question") or ""),
            confidence=float(data.get("confidence", 1.0)),
            notes=tuple(data.get("notes") or ()),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> QueryPlan:
        return cls.from_dict(json.loads(text))

    def cache_key(self) -> str:
        """A stable hash of the plan's meaning (not of how it was phrased)."""
        meaning = self.to_dict()
        for key in ("question", "confidence", "notes"):
            meaning.pop(key)
        # Order of filters and conditions does not change the answer.
        meaning["filters"] = sorted(meaning["filters"], key=lambda f: json.dumps(f, sort_keys=True))
        meaning["conditions"] = sorted(meaning["conditions"])
        meaning["negated_conditions"] = sorted(meaning["negated_conditions"])
        if meaning["time_window"]:
            meaning["time_window"].pop("label", None)
        blob = json.dumps(meaning, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    # -- schema -------------------------------------------------------------------------------
    @classmethod
    def json_schema(cls, model: Any = None, *, persona: str | None = None) -> dict[str, Any]:
        """JSON schema of a plan (a Bedrock Converse toolSpec ``inputSchema.json``).

        Names are enumerated from the semantic model (only the persona's metrics when
        ``persona`` is given), so the LLM can only choose what exists.
        """
        from workbench.semantic.model import TIME_GRAINS, load_model

        model = model or load_model()
        metric_names = model.metrics_for(persona) if persona else list(model.metrics)
        metric_desc = "; ".join(f"{n}: {model.metrics[n].label}" for n in metric_names)
        dims = [*model.dimensions, *TIME_GRAINS]
        listing_cols = sorted({c for lst in model.listings.values() for c in lst.all_column_names})
        fields = sorted(set(model.dimensions) | set(listing_cols))
        return {
            "type": "object",
            "description": "A question about supply-chain data as a query plan over the semantic layer.",
            "properties": {
                "kind": {
                    "type": "string",
                    "enum": ["metrics", "listing"],
                    "description": "metrics: aggregate metrics by dimensions; listing: list rows of an entity.",
                },
                "metrics": {
                    "type": "array",
                    "items": {"type": "string", "enum": metric_names},
                    "description": f"Metrics to compute. {metric_desc}",
                },
                "dimensions": {
                    "type": "array",
                    "items": {"type": "string", "enum": dims},
                    "description": "Group by these dimensions or time grains.",
                },
                "filters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "enum": fields},
                            "op": {"type": "string", "enum": list(FILTER_OPS)},
                            "values": {
                                "type": "array",
                                "items": {"type": ["string", "number", "boolean"]},
                            },
                        },
                        "required": ["field", "values"],
                    },
                    "description": "Restrict rows, e.g. {field: warehouse, op: in, values: [WH-EAST]}; ids for entities.",
                },
                "conditions": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(model.conditions)},
                    "description": "Glossary row conditions (overdue_order, reorder_needed, ...).",
                },
                "negated_conditions": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(model.conditions)},
                },
                "having": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "metric": {"type": "string", "enum": metric_names},
                            "op": {"type": "string", "enum": list(COMPARISON_OPS)},
                            "value": {"type": "number"},
                        },
                        "required": ["metric", "op", "value"],
                    },
                },
                "time_window": {
                    "type": ["object", "null"],
                    "description": "Either start and end dates (inclusive, YYYY-MM-DD) or an expression such as 'last month'.",
                    "properties": {
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                        "expression": {"type": "string"},
                    },
                },
                "order_by": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "descending": {"type": "boolean"},
                        },
                        "required": ["field"],
                    },
                },
                "limit": {"type": ["integer", "null"], "minimum": 1},
                "listing": {"type": ["string", "null"], "enum": [*model.listings, None]},
                "columns": {"type": "array", "items": {"type": "string", "enum": listing_cols}},
            },
            "required": ["kind"],
        }
