"""QueryPlan: typed, immutable, JSON round trip, schema for an LLM tool, stable cache key."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import jsonschema
import pytest

from workbench.semantic.plan import Filter, MetricFilter, Ordering, QueryPlan
from workbench.semantic.time import parse_time_window

AS_OF = date(2026, 6, 30)


def _plan() -> QueryPlan:
    return QueryPlan(
        metrics=("revenue", "units_sold"),
        dimensions=("warehouse", "month"),
        filters=(
            Filter("category", "in", ("Plumbing", "HVAC"), "Plumbing and HVAC"),
            Filter("priority", "=", ("EXPRESS",)),
        ),
        having=(MetricFilter("revenue", ">", 1000.0),),
        time_window=parse_time_window("last quarter", AS_OF),
        order_by=(Ordering("revenue", True),),
        limit=5,
        as_of=AS_OF,
        persona="warehouse_manager",
        question="revenue and units by warehouse and month last quarter",
    )


def test_immutable_and_validated() -> None:
    plan = _plan()
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.limit = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        QueryPlan(metrics=())
    with pytest.raises(ValueError):
        QueryPlan(kind="listing")
    with pytest.raises(ValueError):
        Filter("warehouse", "like", ("x",))
    with pytest.raises(ValueError):
        QueryPlan(metrics=("revenue",), limit=0)


def test_json_round_trip() -> None:
    plan = _plan()
    text = plan.to_json()
    again = QueryPlan.from_json(text)
    assert again == plan
    assert json.loads(text)["time_window"] == {
        "start": "2026-01-01",
        "end": "2026-03-31",
        "label": "last quarter",
    }
    listing = QueryPlan(
        kind="listing", listing="orders", conditions=("overdue_order",), as_of=AS_OF
    )
    assert QueryPlan.from_dict(listing.to_dict()) == listing


def test_cache_key_is_about_meaning_not_phrasing() -> None:
    plan = _plan()
    same = plan.with_(
        question="something else", confidence=0.5, filters=tuple(reversed(plan.filters))
    )
    assert same.cache_key() == plan.cache_key()
    assert plan.with_(limit=6).cache_key() != plan.cache_key()
    assert plan.with_(as_of=date(2026, 7, 1)).cache_key() != plan.cache_key()


def test_json_schema_accepts_plans_and_llm_style_input() -> None:
    schema = QueryPlan.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate({k: v for k, v in _plan().to_dict().items() if k in schema["properties"]})
    llm = {
        "kind": "metrics",
        "metrics": ["spend"],
        "dimensions": ["supplier"],
        "time_window": {"expression": "last month"},
        "limit": 3,
    }
    validator.validate(llm)
    plan = QueryPlan.from_dict(llm, as_of=AS_OF)
    assert plan.time_window is not None and plan.time_window.start == date(2026, 5, 1)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"kind": "metrics", "metrics": ["profit"]})


def test_json_schema_per_persona_lists_only_allowed_metrics() -> None:
    wm = QueryPlan.json_schema(persona="warehouse_manager")["properties"]["metrics"]["items"][
        "enum"
    ]
    ps = QueryPlan.json_schema(persona="procurement_specialist")["properties"]["metrics"]["items"][
        "enum"
    ]
    assert "revenue" in wm and "spend" not in wm
    assert "spend" in ps and "revenue" not in ps
