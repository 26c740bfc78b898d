"""The offline planner: business language -> QueryPlan, deterministic, refusing to guess."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.core.errors import NotUnderstoodError, PermissionDeniedError
from workbench.semantic.entities import EntityIndex
from workbench.semantic.plan import QueryPlan
from workbench.semantic.planner import (
    OfflinePlanner,
    OutOfScopeError,
    QuestionTooLongError,
    SqlInQuestionError,
)

AS_OF = date(2026, 6, 30)
WM, FE, PS = "warehouse_manager", "field_engineer", "procurement_specialist"


@pytest.fixture(scope="module")
def planner() -> OfflinePlanner:
    index = EntityIndex.from_rows(
        warehouses=[
            ("WH-EAST", "East Distribution Center", "Edison, NJ", "Northeast"),
            ("WH-WEST", "West Distribution Center", "Ontario, CA", "West"),
        ],
        products=[
            ("P0007", "Angle Grinder 5 in", "Tools"),
            ("P0052", "PVC Pipe 3/4 in x 10 ft", "Plumbing"),
            ("P0090", "Safety Glasses Clear", "Safety"),
        ],
        suppliers=[
            ("S001", "Coastal Fasteners Inc.", "Italy"),
            ("S002", "Keystone Trading Co.", "Mexico"),
        ],
        customers=[("C0006", "Thornton Builders Inc.")],
    )
    return OfflinePlanner(entities=index)


def plan(planner: OfflinePlanner, question: str, persona: str = WM) -> QueryPlan:
    return planner.plan(question, persona=persona, as_of=AS_OF)


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("which products are running low?", "low_stock"),
        ("what's under the reorder level?", "reorder_needed"),
        ("items below their reorder point", "reorder_needed"),
        ("late orders that haven't been delivered", "overdue_order"),
        ("orders past their promised date", "overdue_order"),
        ("what is out of stock", "out_of_stock"),
        ("shipments that are stuck in transit", "delayed_shipment"),
        ("which items might run out", "stockout_risk"),
    ],
)
def test_condition_synonyms_list_rows(
    planner: OfflinePlanner, question: str, condition: str
) -> None:
    p = plan(planner, question)
    assert p.kind == "listing" and p.conditions == (condition,)


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("how much is our inventory worth", "inventory_value"),
        ("turnover last week", "revenue"),
        ("qty sold yesterday", "units_sold"),
        ("how full are we", "capacity_utilization"),
        ("how long do deliveries take", "fulfilment_time"),
        ("OTD this month", "on_time_delivery_rate"),
        ("average basket size", "avg_order_value"),
        ("days of supply", "days_of_cover"),
        ("daily run rate", "avg_daily_demand"),
    ],
)
def test_metric_synonyms(planner: OfflinePlanner, question: str, metric: str) -> None:
    assert plan(planner, question).metrics == (metric,)


def test_counting_versus_listing(planner: OfflinePlanner) -> None:
    assert plan(planner, "how many orders are overdue?").metrics == ("overdue_orders",)
    assert plan(planner, "list overdue orders").kind == "listing"
    assert plan(planner, "number of products below safety stock").metrics == ("low_stock",)
    assert plan(planner, "how many products do we have?").metrics == ("product_count",)
    assert plan(planner, "are there any late deliveries today?").metrics == ("late_deliveries",)


def test_groupings(planner: OfflinePlanner) -> None:
    assert plan(planner, "revenue by warehouse").dimensions == ("warehouse",)
    assert plan(planner, "units sold per category").dimensions == ("category",)
    assert plan(planner, "open orders for each priority").dimensions == ("priority",)
    assert plan(planner, "revenue by month and warehouse").dimensions == ("month", "warehouse")
    assert plan(planner, "weekly revenue").dimensions == ("week",)
    assert plan(planner, "open orders broken down by status").dimensions == ("order_status",)
    assert plan(planner, "purchase orders by status", PS).dimensions == ("po_status",)


def test_top_and_bottom_n(planner: OfflinePlanner) -> None:
    p = plan(planner, "top 5 products by revenue last month")
    assert (p.dimensions, p.limit, p.order_by[0].field, p.order_by[0].descending) == (
        ("product",),
        5,
        "revenue",
        True,
    )
    p = plan(planner, "bottom ten products by units sold")
    assert (p.limit, p.order_by[0].descending) == (10, False)
    p = plan(planner, "which warehouse has the most overdue orders?")
    assert (p.metrics, p.dimensions, p.limit) == (("overdue_orders",), ("warehouse",), 1)
    p = plan(planner, "who are our biggest suppliers?", PS)
    assert (p.metrics, p.dimensions, p.limit, p.order_by[0].descending) == (
        ("spend",),
        ("supplier",),
        10,
        True,
    )
    p = plan(planner, "which supplier has the worst lead time?", PS)
    assert (p.metrics, p.limit, p.order_by[0].descending) == (("supplier_lead_time",), 1, True)


def test_comparisons(planner: OfflinePlanner) -> None:
    p = plan(planner, "products with more than 100 units on hand at the East warehouse")
    assert p.dimensions == ("product",) and p.having[0].to_dict() == {
        "metric": "on_hand",
        "op": ">",
        "value": 100.0,
    }
    assert p.filter_for("warehouse").values == ("WH-EAST",)  # type: ignore[union-attr]
    p = plan(planner, "suppliers with a fill rate under 90%", PS)
    assert p.having[0].value == pytest.approx(0.9) and p.having[0].op == "<"


def test_entities_and_typos(planner: OfflinePlanner) -> None:
    p = plan(planner, "revnue for the west DC last wek")
    assert p.metrics == ("revenue",) and p.filter_for("warehouse").values == ("WH-WEST",)  # type: ignore[union-attr]
    assert "Read" in " ".join(p.notes)
    p = plan(planner, "units sold of angle grindr 5 in")
    assert p.filter_for("product").values == ("P0007",)  # type: ignore[union-attr]
    p = plan(planner, "stock of Plumbing and Safety items in Edison")
    assert set(p.filter_for("category").values) == {"Plumbing", "Safety"}  # type: ignore[union-attr]
    assert p.filter_for("warehouse").values == ("WH-EAST",)  # type: ignore[union-attr]
    p = plan(planner, "revenue excluding the East warehouse")
    assert p.filter_for("warehouse").op == "not_in"  # type: ignore[union-attr]


def test_time_windows_attach_to_the_plan(planner: OfflinePlanner) -> None:
    p = plan(planner, "revenue between 2026-05-01 and 2026-05-15")
    assert (p.time_window.start, p.time_window.end) == (date(2026, 5, 1), date(2026, 5, 15))  # type: ignore[union-attr]
    p = plan(planner, "revenue in April and May")
    assert (p.time_window.start, p.time_window.end) == (date(2026, 4, 1), date(2026, 5, 31))  # type: ignore[union-attr]
    with pytest.raises(NotUnderstoodError, match="separate"):
        plan(planner, "revenue in January and in May")


def test_persona_decides_between_meanings(planner: OfflinePlanner) -> None:
    assert plan(planner, "on time rate last month", WM).metrics == ("on_time_delivery_rate",)
    assert plan(planner, "on time rate last month", PS).metrics == ("supplier_on_time_rate",)
    assert plan(planner, "how many were cancelled last month", PS).metrics == ("cancelled_pos",)


def test_persona_refusal_names_who_can_answer(planner: OfflinePlanner) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        plan(planner, "What is our spend by supplier?", WM)
    assert (
        str(info.value)
        == "Spend needs purchase-order data, which the Warehouse Manager persona cannot see. Ask as Procurement Specialist."
    )
    with pytest.raises(PermissionDeniedError, match="Warehouse Manager or Field Engineer"):
        plan(planner, "revenue last month", PS)


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ("", NotUnderstoodError),
        ("blorp zibber quax", NotUnderstoodError),
        ("SELECT product_id FROM product WHERE 1=1", SqlInQuestionError),
        ("x" * 1500, QuestionTooLongError),
        ("forecast revenue for next month", OutOfScopeError),
        ("revenue per employee", NotUnderstoodError),
        ("what is the revenue from returns", NotUnderstoodError),
    ],
)
def test_not_understood_is_never_a_guess(
    planner: OfflinePlanner, question: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        plan(planner, question)


def test_suggestions_are_the_personas_closest_examples(planner: OfflinePlanner) -> None:
    with pytest.raises(NotUnderstoodError) as info:
        plan(planner, "supplier gizmo flux capacitance", PS)
    assert info.value.suggestions
    assert set(info.value.suggestions) <= set(planner.model.persona_examples[PS])
    assert any("supplier" in s.lower() for s in info.value.suggestions)


def test_persona_examples_all_plan(planner: OfflinePlanner) -> None:
    for persona, examples in planner.model.persona_examples.items():
        for question in examples:
            assert plan(planner, question, persona).question == question


def test_deterministic(planner: OfflinePlanner) -> None:
    q = "top 3 categories by units sold in the last 30 days at the West warehouse"
    assert plan(planner, q).cache_key() == plan(planner, q).cache_key()


def test_document_numbers_select_that_document(planner: OfflinePlanner) -> None:
    p = plan(planner, "what's the status of order SO-000123?", "field_engineer")
    assert (p.kind, p.listing, p.filters[0].field, p.filters[0].values) == (
        "listing",
        "orders",
        "order_id",
        ("SO-000123",),
    )
    p = plan(planner, "show PO 45", "procurement_specialist")
    assert p.listing == "purchase_orders" and p.filters[0].values == ("PO-000045",)
    with pytest.raises(PermissionDeniedError):
        plan(planner, "status of PO-000045", "field_engineer")


def test_per_position_comparisons_list_stock_positions(planner: OfflinePlanner) -> None:
    p = plan(planner, "items with less than 3 days of cover")
    assert p.kind == "listing" and p.listing == "stock_positions"
    assert p.filter_for("days_of_cover").to_dict()["values"] == [3.0]  # type: ignore[union-attr]


def test_contractions_and_period_comparisons(planner: OfflinePlanner) -> None:
    assert plan(
        planner, "I'd like to see the fill rate for each supplier", "procurement_specialist"
    ).dimensions == ("supplier",)
    # Whole calendar periods side by side: one row per period.
    p = plan(planner, "revenue this month vs last month")
    assert p.dimensions == ("month",) and p.time_window is not None
    assert (p.time_window.start.isoformat(), p.time_window.end.isoformat()) == (
        "2026-05-01",
        "2026-06-30",
    )
    p = plan(planner, "how did units sold change from last week to this week")
    assert p.metrics == ("units_sold",) and p.dimensions == ("week",)
    # Periods with a gap between them (or of different lengths) are still refused.
    with pytest.raises(NotUnderstoodError, match="separate"):
        plan(planner, "revenue this month vs June 2025")
    with pytest.raises(NotUnderstoodError, match="separate"):
        plan(planner, "revenue this week vs last month")


def test_requests_to_act_are_refused(planner: OfflinePlanner) -> None:
    from workbench.semantic.planner import ActionNotSupportedError

    with pytest.raises(ActionNotSupportedError, match="nothing was changed"):
        plan(planner, "please delete the overdue orders")


def test_product_families_filter_every_member(planner: OfflinePlanner) -> None:
    p = plan(planner, "how many angle grinders do we have")
    assert p.metrics == ("on_hand",) and set(p.filter_for("product").values) == {"P0007"}  # type: ignore[union-attr]


def test_unexplained_numbers_are_not_ignored(planner: OfflinePlanner) -> None:
    with pytest.raises(NotUnderstoodError, match="'5'"):
        plan(planner, "pending orders older than 5 days")
    assert (
        plan(planner, "units sold since the start of the month").time_window.label == "this month"
    )  # type: ignore[union-attr]
    assert plan(planner, "overdue ordrs").conditions == ("overdue_order",)


def test_prefixes_are_not_typos(planner: OfflinePlanner) -> None:
    p = plan(planner, "list inactive products")
    assert p.kind == "listing" and p.conditions == ("inactive_product",)
    assert plan(planner, "how many products are active").conditions == ("active_product",)
