"""Specialists on questions as business users type them: tool, arguments and numbers.

Each phrasing below was measured before its fix (see the commit messages); the numbers are
checked against the DATA_MODEL formulas recomputed here from raw rows with pandas, not
against the tool's own output.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import pandas as pd
import pytest

from tests.conftest import AS_OF
from workbench.agents.answer import Answer
from workbench.agents.base import AgentRequest
from workbench.agents.specialists import SPECIALISTS
from workbench.app import Workbench
from workbench.core.errors import PermissionDeniedError
from workbench.cost.usage import Usage
from workbench.data.schema import Persona
from workbench.invokers import LocalInvoker
from workbench.semantic.entities import EntityIndex

WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST
A = AS_OF.isoformat()
TOMORROW = (AS_OF + dt.timedelta(days=1)).isoformat()


class RecordingInvoker:
    """The real LocalInvoker, remembering each call (a fake around the real thing)."""

    name = "local"

    def __init__(self, inner: LocalInvoker) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(
        self, tool_name: str, arguments: Mapping[str, Any], *, usage: Usage | None = None
    ) -> dict[str, Any]:
        self.calls.append((tool_name, dict(arguments)))
        return self.inner.invoke(tool_name, arguments, usage=usage)


@pytest.fixture(scope="module")
def entities(workbench: Workbench) -> EntityIndex:
    return EntityIndex.from_warehouse(workbench.warehouse)


@pytest.fixture
def invoker(workbench: Workbench) -> RecordingInvoker:
    return RecordingInvoker(LocalInvoker(workbench.warehouse))


def ask(
    workbench: Workbench,
    invoker: RecordingInvoker,
    entities: EntityIndex,
    name: str,
    question: str,
    persona: Persona,
) -> Answer:
    agent = SPECIALISTS[name](workbench.warehouse, invoker, entities)
    return agent.answer(AgentRequest(question, persona, AS_OF))


def ids(workbench: Workbench, like: str) -> list[str]:
    """Product ids whose name contains ``like`` (case-insensitive), from the raw product table."""
    frame = workbench.sql("SELECT product_id, product_name FROM product ORDER BY product_id")
    return [
        str(r.product_id) for r in frame.itertuples() if like.lower() in str(r.product_name).lower()
    ]


# -- tool and argument choice ----------------------------------------------------------------------
CASES: list[tuple[str, str, Persona, str, dict[str, Any]]] = [
    (
        "inventory",
        "whats the EOQ for cordless drill 18v at east",
        WM,
        "economic_order_quantity",
        {"warehouse_id": "WH-EAST", "product_ids": ["P0020"], "as_of": A},
    ),
    (
        "inventory",
        "how many units of P0007 should we order at a time at west, order cost $80",
        WM,
        "economic_order_quantity",
        {"warehouse_id": "WH-WEST", "product_ids": ["P0007"], "as_of": A, "order_cost": 80.0},
    ),
    (
        "inventory",
        "what's the economic order quantity for p0015 at wh-central if ordering costs $75 and holding is 20%",
        WM,
        "economic_order_quantity",
        {
            "warehouse_id": "WH-CENTRAL",
            "product_ids": ["P0015"],
            "as_of": A,
            "order_cost": 75.0,
            "holding_rate": 0.2,
        },
    ),
    (
        "inventory",
        "how much safety stock should we hold for P0003 in WH-WEST at 99%",
        WM,
        "safety_stock",
        {"warehouse_id": "WH-WEST", "product_ids": ["P0003"], "as_of": A, "service_level": 0.99},
    ),
    (
        "inventory",
        "safety stock for the cordless drill 20v at all warehouses at 90 percent service",
        WM,
        "safety_stock",
        {"product_ids": ["P0023"], "as_of": A, "service_level": 0.9},
    ),
    (
        "inventory",
        "calculate safety stocks for electrical products at east at a 95 pct service level",
        WM,
        "safety_stock",
        {"warehouse_id": "WH-EAST", "category": "Electrical", "as_of": A, "service_level": 0.95},
    ),
    (
        "inventory",
        "reorder point for plumbing items at central",
        WM,
        "reorder_point",
        {"warehouse_id": "WH-CENTRAL", "category": "Plumbing", "as_of": A},
    ),
    (
        "inventory",
        "whats the rop for adjustable wrench 12in at wh-west",
        WM,
        "reorder_point",
        {"warehouse_id": "WH-WEST", "product_ids": ["P0010"], "as_of": A},
    ),
    (
        "inventory",
        "what will we sell of P0001 over the next 3 weeks at east",
        WM,
        "forecast_demand",
        {"warehouse_id": "WH-EAST", "product_ids": ["P0001"], "as_of": A, "horizon_days": 21},
    ),
    (
        "inventory",
        "predict demand for HVAC products next month at the west DC",
        WM,
        "forecast_demand",
        {"warehouse_id": "WH-WEST", "category": "HVAC", "as_of": A, "horizon_days": 30},
    ),
    (
        "inventory",
        "predict next weeks demand for P0019 at wh-east",
        WM,
        "forecast_demand",
        {"warehouse_id": "WH-EAST", "product_ids": ["P0019"], "as_of": A, "horizon_days": 7},
    ),
    (
        "inventory",
        "economic order qty for voltage tester non contact at central with order cost of 100",
        WM,
        "economic_order_quantity",
        {"warehouse_id": "WH-CENTRAL", "product_ids": ["P0008"], "as_of": A, "order_cost": 100.0},
    ),
    (
        "inventory",
        "which products will run out before the next delivery at west",
        WM,
        "identify_stockout_risk",
        {"warehouse_id": "WH-WEST", "as_of": A},
    ),
    (
        "logistics",
        "plan tomorrow's delivery run from central",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-CENTRAL", "as_of": TOMORROW},
    ),
    (
        "supplier",
        "compare suppliers prices for pipe wrench 24in",
        PS,
        "compare_supplier_costs",
        {"product_ids": ["P0039"], "as_of": A},
    ),
    (
        "supplier",
        "how reliable is meridian manufacturing",
        PS,
        "analyze_supplier_performance",
        {"supplier_ids": ["S004"], "as_of": A},
    ),
    (
        "inventory",
        "which items at west will stock out before we can replenish them",
        WM,
        "identify_stockout_risk",
        {"warehouse_id": "WH-WEST", "as_of": A},
    ),
    (
        "logistics",
        "plan my deliveries for today from central",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-CENTRAL", "as_of": A},
    ),
    (
        "logistics",
        "what order should I do my deliveries in from wh-west today",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-WEST", "as_of": A},
    ),
    (
        "logistics",
        "best route for today's east deliveries with 2 trucks of 500 units",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-EAST", "as_of": A, "vehicles": 2, "vehicle_capacity": 500},
    ),
    (
        "logistics",
        "route for tomorrow's deliveries from the west warehouse",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-WEST", "as_of": TOMORROW},
    ),
    (
        "logistics",
        "how much space is left in each warehouse",
        FE,
        "calculate_warehouse_capacity",
        {},
    ),
    (
        "supplier",
        "which supplier should I buy P0020 from",
        PS,
        "compare_supplier_costs",
        {"product_ids": ["P0020"], "as_of": A},
    ),
    (
        "supplier",
        "which vendor should we buy cordless drill 18v from",
        PS,
        "compare_supplier_costs",
        {"product_ids": ["P0020"], "as_of": A},
    ),
    (
        "supplier",
        "which supplier should we use",
        PS,
        "analyze_supplier_performance",
        {"as_of": A},
    ),
    (
        "supplier",
        "how is cascade supply doing",
        PS,
        "analyze_supplier_performance",
        {"supplier_ids": ["S003"], "as_of": A},
    ),
    (
        "supplier",
        "potential savings if we only use suppliers with a score of at least 0.8",
        PS,
        "identify_cost_savings",
        {"min_supplier_score": 0.8, "as_of": A},
    ),
]


@pytest.mark.parametrize(("name", "question", "persona", "tool", "args"), CASES)
def test_phrasing_picks_the_tool_and_arguments(
    workbench: Workbench,
    invoker: RecordingInvoker,
    entities: EntityIndex,
    name: str,
    question: str,
    persona: Persona,
    tool: str,
    args: dict[str, Any],
) -> None:
    answer = ask(workbench, invoker, entities, name, question, persona)
    assert invoker.calls == [(tool, args)]
    assert answer.details["tool"] == tool
    assert answer.answer


def test_product_family_names_all_its_products(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    """'gfci outlet' matches no full product name: it names every GFCI outlet, not all products."""
    ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "forecast demand for gfci outlet for the next 30 days",
        WM,
    )
    (tool, args), *_ = invoker.calls
    assert tool == "forecast_demand"
    assert sorted(args["product_ids"]) == ids(workbench, "gfci outlet")
    assert args["horizon_days"] == 30


# -- numbers against the DATA_MODEL formulas computed from raw rows -------------------------------
def daily_demand(workbench: Workbench, warehouse_id: str, product_id: str) -> pd.Series:
    """The last 30 days of units sold, one value a day, zero-filled, cancelled orders excluded."""
    rows = workbench.sql(
        "SELECT h.order_date, h.status, h.warehouse_id, l.product_id, l.quantity "
        "FROM sales_order_header h JOIN sales_order_line l USING (order_id) "
        f"WHERE h.warehouse_id = '{warehouse_id}' AND l.product_id = '{product_id}'"
    )
    assert len(rows) < 10_000, "the raw rows must not hit the row limit"
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=29)
    rows["order_date"] = pd.to_datetime(rows["order_date"])
    keep = rows[
        (rows["status"] != "CANCELLED")
        & (rows["warehouse_id"] == warehouse_id)
        & (rows["product_id"] == product_id)
        & (rows["order_date"] >= start)
        & (rows["order_date"] <= pd.Timestamp(AS_OF))
    ]
    days = [d.strftime("%Y-%m-%d") for d in pd.date_range(start, pd.Timestamp(AS_OF), freq="D")]
    sold = keep.groupby(keep["order_date"].dt.strftime("%Y-%m-%d"))["quantity"].sum()
    assert len(days) == 30
    return sold.reindex(days, fill_value=0).astype(float)


def product_row(workbench: Workbench, product_id: str) -> pd.Series:
    frame = workbench.sql("SELECT * FROM product")
    return frame.set_index("product_id").loc[product_id]


def test_safety_stock_and_reorder_point_match_the_formula(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    demand = daily_demand(workbench, "WH-WEST", "P0003")
    lead = int(product_row(workbench, "P0003")["lead_time_days"])
    z = NormalDist().inv_cdf(0.99)
    expected_ss = z * demand.std(ddof=1) * math.sqrt(lead)
    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "how much safety stock should we hold for P0003 in WH-WEST at 99%",
        WM,
    )
    assert float(answer.frame.iloc[0]["safety_stock"]) == pytest.approx(expected_ss, rel=1e-9)

    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "what reorder point should p0003 have at wh-west with 99% service",
        WM,
    )
    expected_rop = demand.mean() * lead + expected_ss
    assert float(answer.frame.iloc[0]["reorder_point"]) == pytest.approx(expected_rop, rel=1e-9)


def test_eoq_with_typed_costs_matches_the_formula(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    demand = daily_demand(workbench, "WH-CENTRAL", "P0015")
    unit_cost = float(product_row(workbench, "P0015")["unit_cost"])
    expected = math.sqrt(2 * demand.mean() * 365 * 75 / (0.2 * unit_cost))
    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "what's the economic order quantity for p0015 at wh-central if ordering costs $75 and holding is 20%",
        WM,
    )
    assert float(answer.frame.iloc[0]["economic_order_quantity"]) == pytest.approx(
        expected, rel=1e-9
    )


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_planned_deliveries_are_the_shortest_tour_of_todays_open_orders(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    """'what order should I do my deliveries in' routes exactly the open orders due today, optimally."""
    depot_row = workbench.sql("SELECT * FROM warehouse").set_index("warehouse_id").loc["WH-WEST"]
    depot = (float(depot_row["latitude"]), float(depot_row["longitude"]))
    orders = workbench.sql(
        "SELECT order_id, status, promised_date, warehouse_id, ship_to_latitude, ship_to_longitude "
        "FROM sales_order_header WHERE warehouse_id = 'WH-WEST'"
    )
    due = orders[
        orders["status"].isin(["PENDING", "PICKING", "SHIPPED"])
        & (pd.to_datetime(orders["promised_date"]) == pd.Timestamp(AS_OF))
        & (orders["warehouse_id"] == "WH-WEST")
    ]
    assert 1 < len(due) <= 8, "the brute force below needs a small stop count"
    points = {
        str(r.order_id): (float(r.ship_to_latitude), float(r.ship_to_longitude))
        for r in due.itertuples()
    }

    def tour(seq: tuple[str, ...]) -> float:
        path = [depot, *(points[o] for o in seq), depot]
        return sum(haversine(a, b) for a, b in itertools.pairwise(path))

    best = min(tour(p) for p in itertools.permutations(points))
    answer = ask(
        workbench,
        invoker,
        entities,
        "logistics",
        "what order should I do my deliveries in from wh-west today",
        FE,
    )
    stops = answer.frame[answer.frame["stop_type"] == "delivery"]["order_id"].astype(str)
    assert sorted(stops) == sorted(points)
    assert tour(tuple(stops)) == pytest.approx(best, rel=1e-9)
    assert answer.details["summary"]["total_km"] == pytest.approx(best, abs=1e-3)
    assert "due today" in answer.answer


def test_shortened_supplier_name_scores_that_supplier(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    """'cascade supply' is Cascade Supply Partners; its score follows the 0.4/0.3/0.3 formula."""
    heads = workbench.sql(
        "SELECT po_id, supplier_id, expected_date, received_date, status, order_date "
        f"FROM purchase_order_header WHERE status <> 'CANCELLED' AND supplier_id = 'S003' "
        f"AND order_date <= DATE '{A}'"
    )
    lines = workbench.sql(
        "SELECT l.po_id, l.quantity_ordered, l.quantity_received, l.unit_cost, p.unit_cost AS std "
        "FROM purchase_order_line l JOIN product p USING (product_id) "
        "JOIN purchase_order_header h USING (po_id) WHERE h.supplier_id = 'S003'"
    ).merge(heads, on="po_id")
    assert len(lines) < 10_000, "the raw rows must not hit the row limit"
    done = heads[heads["received_date"].notna()]
    on_time = (
        pd.to_datetime(done["received_date"]) <= pd.to_datetime(done["expected_date"])
    ).mean()
    received = lines[lines["received_date"].notna()]
    fill = received["quantity_received"].sum() / received["quantity_ordered"].sum()
    variance = (
        (lines["unit_cost"] - lines["std"]) / lines["std"] * lines["quantity_ordered"]
    ).sum() / lines["quantity_ordered"].sum()
    price = max(0.0, 1 - max(0.0, float(variance)) / 0.2)
    expected = 0.4 * on_time + 0.3 * fill + 0.3 * price

    answer = ask(workbench, invoker, entities, "supplier", "how is cascade supply doing", PS)
    assert answer.frame["supplier_id"].tolist() == ["S003"]
    assert float(answer.frame.iloc[0]["score"]) == pytest.approx(expected, abs=1e-9)


def test_cheapest_supplier_for_a_product_matches_po_lines(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    lines = workbench.sql(
        "SELECT h.supplier_id, h.status, h.order_date, l.product_id, l.quantity_ordered, l.unit_cost "
        "FROM purchase_order_header h JOIN purchase_order_line l USING (po_id) "
        "WHERE l.product_id = 'P0020'"
    )
    lines = lines[
        (lines["status"] != "CANCELLED")
        & (lines["product_id"] == "P0020")
        & (pd.to_datetime(lines["order_date"]) <= pd.Timestamp(AS_OF))
        & (pd.to_datetime(lines["order_date"]) > pd.Timestamp(AS_OF) - pd.DateOffset(years=1))
    ]
    answer = ask(
        workbench, invoker, entities, "supplier", "which supplier should I buy P0020 from", PS
    )
    got = answer.frame.set_index("supplier_id")["avg_unit_cost"].astype(float)
    assert sorted(got.index) == sorted(lines["supplier_id"].unique())
    weighted = lines.assign(v=lines["unit_cost"].astype(float) * lines["quantity_ordered"])
    by = weighted.groupby("supplier_id")
    wavg = by["v"].sum() / by["quantity_ordered"].sum()
    plain = lines.groupby("supplier_id")["unit_cost"].apply(lambda s: s.astype(float).mean())
    # The tool's average is one of the two usual definitions; either way the cheapest is the same.
    matches = [
        all(got[s] == pytest.approx(ref[s], rel=1e-9) for s in got.index) for ref in (wavg, plain)
    ]
    assert any(matches)
    assert answer.frame.iloc[0]["supplier_id"] == (wavg if matches[0] else plain).idxmin()


def test_field_engineer_asking_for_supplier_prices_is_told_who_can(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    with pytest.raises(PermissionDeniedError) as err:
        ask(workbench, invoker, entities, "supplier", "which supplier is cheapest for P0020", FE)
    assert "Procurement Specialist" in str(err.value.hint)
    assert invoker.calls == []


def test_route_of_overdue_orders_covers_exactly_the_overdue_open_orders(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    """'overdue orders at west and the best route' routes the overdue orders, not today's."""
    orders = workbench.sql(
        "SELECT order_id, status, priority, promised_date, ship_to_latitude, ship_to_longitude "
        "FROM sales_order_header WHERE warehouse_id = 'WH-WEST'"
    )
    overdue = orders[
        orders["status"].isin(["PENDING", "PICKING", "SHIPPED"])
        & (pd.to_datetime(orders["promised_date"]) < pd.Timestamp(AS_OF))
    ]
    depot_row = workbench.sql("SELECT * FROM warehouse").set_index("warehouse_id").loc["WH-WEST"]
    depot = (float(depot_row["latitude"]), float(depot_row["longitude"]))
    points = {
        str(r.order_id): (float(r.ship_to_latitude), float(r.ship_to_longitude))
        for r in overdue.itertuples()
    }
    answer = ask(
        workbench,
        invoker,
        entities,
        "logistics",
        "overdue orders at west and the best route to deliver them",
        FE,
    )
    stops = answer.frame[answer.frame["stop_type"] == "delivery"]["order_id"].astype(str).tolist()
    assert sorted(stops) == sorted(points) and len(stops) > 2
    path = [depot, *(points[o] for o in stops), depot]
    km = sum(haversine(a, b) for a, b in itertools.pairwise(path))
    assert answer.details["summary"]["total_km"] == pytest.approx(km, abs=1e-3)
    assert answer.details["arguments"]["orders"] == "overdue"
    assert "past their promised date" in answer.answer

    express = ask(
        workbench, invoker, entities, "logistics", "route the overdue express orders from west", FE
    )
    routed = express.frame[express.frame["stop_type"] == "delivery"]["order_id"].astype(str)
    expected = overdue.loc[overdue["priority"] == "EXPRESS", "order_id"].astype(str)
    assert sorted(routed) == sorted(expected)


def test_out_of_stock_and_how_much_to_order_lists_low_stock_with_suggested_quantity(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "what's out of stock at east and how much should I order",
        WM,
    )
    assert invoker.calls == [("identify_low_stock", {"warehouse_id": "WH-EAST"})]
    stock = workbench.sql("SELECT * FROM warehouse_product WHERE warehouse_id = 'WH-EAST'")
    low = stock[stock["quantity_on_hand"] <= stock["safety_stock"]]
    got = answer.frame.set_index("product_id")["suggested_order_quantity"]
    expected = (low["max_stock"] - low["quantity_on_hand"]).set_axis(low["product_id"])
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    assert sorted(got.index) == sorted(expected.index)


@pytest.mark.parametrize(
    ("question", "tool", "condition"),
    [
        ("items below safety stock at west with the cheapest supplier", "compare_supplier_costs", "low"),
        ("low stock items at west and the best supplier to buy them from", "compare_supplier_costs", "low"),
        ("out of stock items at west: how much could we save buying them elsewhere", "identify_cost_savings", "out"),
        ("products below reorder point at west and which supplier is cheapest for each", "compare_supplier_costs", "reorder"),
    ],
)  # fmt: skip
def test_procurement_stock_condition_scopes_the_supplier_tool_to_those_products(
    workbench: Workbench,
    invoker: RecordingInvoker,
    entities: EntityIndex,
    question: str,
    tool: str,
    condition: str,
) -> None:
    stock = workbench.sql("SELECT * FROM warehouse_product WHERE warehouse_id = 'WH-WEST'")
    on_hand = stock["quantity_on_hand"]
    keep = {
        "low": on_hand <= stock["safety_stock"],
        "out": on_hand == 0,
        "reorder": on_hand <= stock["reorder_point"],
    }[condition]
    expected = sorted(stock.loc[keep, "product_id"].astype(str))
    ask(workbench, invoker, entities, "supplier", question, PS)
    assert invoker.calls == [(tool, {"as_of": A, "product_ids": expected})]
