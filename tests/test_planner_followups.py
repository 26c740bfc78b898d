"""Follow-ups refine the previous plan: time, filters, limit, grouping, ordering, metric."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.core.errors import NotUnderstoodError
from workbench.semantic.entities import EntityIndex
from workbench.semantic.plan import QueryPlan
from workbench.semantic.planner import OfflinePlanner, is_followup

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def planner() -> OfflinePlanner:
    index = EntityIndex.from_rows(
        warehouses=[
            ("WH-EAST", "East Distribution Center", "Edison, NJ", "Northeast"),
            ("WH-WEST", "West Distribution Center", "Ontario, CA", "West"),
            ("WH-CENTRAL", "Central Distribution Center", "Kansas City, MO", "Midwest"),
        ],
        products=[
            ("P0052", "PVC Pipe 3/4 in x 10 ft", "Plumbing"),
            ("P0007", "Angle Grinder 5 in", "Tools"),
        ],
        suppliers=[("S001", "Coastal Fasteners Inc.", "Italy")],
    )
    return OfflinePlanner(entities=index)


def converse(planner: OfflinePlanner, persona: str, *turns: str) -> QueryPlan:
    previous = None
    for turn in turns:
        previous = planner.plan(turn, persona=persona, as_of=AS_OF, previous=previous)
    assert previous is not None
    return previous


CONVERSATIONS = [
    # (persona, turns, check)
    (
        "warehouse_manager",
        ["revenue by warehouse last month", "what about this month?"],
        lambda p: p.time_window.label == "this month" and p.dimensions == ("warehouse",),
    ),
    (
        "field_engineer",
        ["how many late deliveries this month", "and last month?"],
        lambda p: p.metrics == ("late_deliveries",) and p.time_window.label == "last month",
    ),
    (
        "field_engineer",
        ["which orders are overdue?", "only the express ones"],
        lambda p: p.kind == "listing" and p.filter_for("priority").values == ("EXPRESS",),
    ),
    (
        "warehouse_manager",
        ["top 5 products by revenue", "show the top 3 instead"],
        lambda p: p.limit == 3 and p.dimensions == ("product",),
    ),
    (
        "warehouse_manager",
        ["units sold by warehouse", "by category instead"],
        lambda p: p.dimensions == ("category",) and p.metrics == ("units_sold",),
    ),
    (
        "warehouse_manager",
        ["what is below reorder point at the East warehouse?", "same for the West warehouse"],
        lambda p: p.filter_for("warehouse").values == ("WH-WEST",),
    ),
    (
        "procurement_specialist",
        ["spend by supplier", "just for Plumbing"],
        lambda p: (
            p.filter_for("category").values == ("Plumbing",) and p.dimensions == ("supplier",)
        ),
    ),
    (
        "warehouse_manager",
        ["units sold by category", "sort by revenue"],
        lambda p: p.order_by[0].field == "revenue" and "revenue" in p.metrics,
    ),
    (
        "field_engineer",
        ["orders due today at the East warehouse", "what about Central?"],
        lambda p: p.filter_for("warehouse").values == ("WH-CENTRAL",),
    ),
    (
        "warehouse_manager",
        ["units sold by warehouse last week", "what about revenue?"],
        lambda p: (
            p.metrics == ("revenue",)
            and p.dimensions == ("warehouse",)
            and p.time_window.label == "last week"
        ),
    ),
    (
        "procurement_specialist",
        ["fill rate by supplier", "only last quarter", "top 3"],
        lambda p: p.limit == 3 and p.time_window.label == "last quarter",
    ),
    (
        "warehouse_manager",
        ["inventory value by category", "excluding the East warehouse"],
        lambda p: p.filter_for("warehouse").op == "not_in",
    ),
    (
        "warehouse_manager",
        ["which products are out of stock?", "by warehouse"],
        lambda p: (
            p.kind == "metrics"
            and p.metrics == ("out_of_stock",)
            and p.dimensions == ("warehouse",)
        ),
    ),
    (
        "procurement_specialist",
        ["total spend this year", "by month"],
        lambda p: p.dimensions == ("month",),
    ),
    (
        "field_engineer",
        ["delayed shipments at the East warehouse", "and the West warehouse too"],
        lambda p: set(p.filter_for("warehouse").values) == {"WH-EAST", "WH-WEST"},
    ),
    (
        "warehouse_manager",
        ["on-time delivery rate by warehouse", "between 2026-06-01 and 2026-06-15"],
        lambda p: p.time_window.start == date(2026, 6, 1),
    ),
    (
        "warehouse_manager",
        ["overdue orders by warehouse", "only express"],
        lambda p: (
            p.filter_for("priority").values == ("EXPRESS",) and p.metrics == ("overdue_orders",)
        ),
    ),
    (
        "warehouse_manager",
        ["revenue by warehouse this month", "and yesterday?"],
        lambda p: p.time_window.label == "yesterday",
    ),
]


@pytest.mark.parametrize(
    ("persona", "turns", "check"), CONVERSATIONS, ids=[" > ".join(c[1]) for c in CONVERSATIONS]
)
def test_conversations(planner: OfflinePlanner, persona: str, turns: list[str], check) -> None:  # type: ignore[no-untyped-def]
    final = converse(planner, persona, *turns)
    assert check(final), final.to_dict()
    assert final.question == turns[-1]


def test_a_new_question_is_not_a_followup(planner: OfflinePlanner) -> None:
    first = converse(planner, "warehouse_manager", "revenue by warehouse last month")
    fresh = planner.plan(
        "How many orders are overdue?", persona="warehouse_manager", as_of=AS_OF, previous=first
    )
    assert (
        fresh.metrics == ("overdue_orders",)
        and fresh.time_window is None
        and fresh.dimensions == ()
    )


def test_unclear_followup_is_refused(planner: OfflinePlanner) -> None:
    first = converse(planner, "warehouse_manager", "revenue by warehouse last month")
    with pytest.raises(NotUnderstoodError):
        planner.plan("and?", persona="warehouse_manager", as_of=AS_OF, previous=first)


@pytest.mark.parametrize(
    "text",
    [
        "what about this month?",
        "only the express ones",
        "show the top 3 instead",
        "by category instead",
        "same for the West warehouse",
        "and last month?",
        "just for Plumbing",
        "sort by revenue",
    ],
)
def test_is_followup(text: str) -> None:
    assert is_followup(text)


@pytest.mark.parametrize(
    "text",
    [
        "How many orders are overdue?",
        "Which products are below their reorder point at the East warehouse?",
        "revenue by warehouse last month",
    ],
)
def test_is_not_followup(text: str) -> None:
    assert not is_followup(text)
