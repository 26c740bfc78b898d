"""Every tool on the generated sample data, checked against an independent pandas/numpy computation.

The expected values are recomputed here from raw table rows (``SELECT *``) with code that
shares nothing with the tools: no data-access helpers, no tool functions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.core.errors import ToolArgumentError, ToolError
from workbench.tools import registry
from workbench.tools.forecasting import forecast_series
from workbench.tools.result import ToolResult

A = AS_OF.isoformat()
R = 6371.0088


@pytest.fixture(scope="module")
def raw(workbench: Workbench) -> dict[str, pd.DataFrame]:
    """Every table as loaded, with dates as Timestamps and money as float."""
    out = {}
    for table in (
        "product",
        "warehouse",
        "warehouse_product",
        "supplier",
        "sales_order_header",
        "sales_order_line",
        "purchase_order_header",
        "purchase_order_line",
    ):
        frame = workbench.warehouse.execute(f"SELECT * FROM {table}", row_limit=10_000_000).frame
        for col in frame.columns:
            if col.endswith("_date"):
                frame[col] = pd.to_datetime(frame[col])
            elif col in {"unit_cost", "unit_price", "line_total"}:
                frame[col] = frame[col].astype(float)
        out[table] = frame
    return out


def call(workbench: Workbench, name: str, **args: Any) -> ToolResult:
    return registry.call(name, args, workbench.warehouse)


def _daily_matrix(
    raw: dict[str, pd.DataFrame], warehouse_id: str, days: int = 30
) -> dict[str, np.ndarray]:
    """product_id -> array of units sold per day over the ``days`` ending AS_OF (cancelled excluded)."""
    h = raw["sales_order_header"]
    first = pd.Timestamp(AS_OF - dt.timedelta(days=days - 1))
    h = h[
        (h["warehouse_id"] == warehouse_id)
        & (h["status"] != "CANCELLED")
        & (h["order_date"] >= first)
        & (h["order_date"] <= pd.Timestamp(AS_OF))
    ]
    lines = raw["sales_order_line"].merge(h[["order_id", "order_date"]], on="order_id")
    products = raw["warehouse_product"].loc[
        raw["warehouse_product"]["warehouse_id"] == warehouse_id, "product_id"
    ]
    out = {p: np.zeros(days) for p in products}
    for pid, day, qty in zip(
        lines["product_id"], lines["order_date"], lines["quantity"], strict=True
    ):
        out[pid][(day - first).days] += qty
    return out


# -- inventory ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service_level", [0.95, 0.99])
def test_safety_stock_and_reorder_point_equal_the_formula_on_raw_order_lines(
    workbench: Workbench, raw: dict[str, pd.DataFrame], service_level: float
) -> None:
    demand = _daily_matrix(raw, "WH-WEST")
    lead = raw["product"].set_index("product_id")["lead_time_days"]
    z = norm.ppf(service_level)
    result = call(
        workbench, "reorder_point", as_of=A, warehouse_id="WH-WEST", service_level=service_level
    )
    frame = result.frame.set_index("product_id")
    assert len(frame) == len(demand) == 240
    for pid, series in demand.items():
        ss = z * series.std(ddof=1) * math.sqrt(lead[pid])
        rop = series.mean() * lead[pid] + ss
        assert frame.loc[pid, "safety_stock"] == pytest.approx(ss, abs=1e-9), pid
        assert frame.loc[pid, "reorder_point"] == pytest.approx(rop, abs=1e-9), pid
    on_hand = (
        raw["warehouse_product"]
        .query("warehouse_id == 'WH-WEST'")
        .set_index("product_id")["quantity_on_hand"]
    )
    expected_now = {
        p
        for p in demand
        if on_hand[p] <= demand[p].mean() * lead[p] + z * demand[p].std(ddof=1) * math.sqrt(lead[p])
    }
    assert set(frame.index[frame["reorder_now"].astype(bool)]) == expected_now
    assert result.summary["reorder_now"] == len(expected_now)
    ss_result = call(
        workbench, "safety_stock", as_of=A, warehouse_id="WH-WEST", service_level=service_level
    ).frame.set_index("product_id")
    assert np.allclose(ss_result.loc[frame.index, "safety_stock"], frame["safety_stock"])
    assert (ss_result["recommended_safety_stock"] >= ss_result["safety_stock"] - 1e-9).all()


def test_safety_stock_for_one_named_product_and_category_filter(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    product = raw["product"].set_index("product_name").loc["Cordless Drill 18V"]
    series = _daily_matrix(raw, "WH-WEST")[product["product_id"]]
    one = call(
        workbench,
        "safety_stock",
        as_of=A,
        warehouse_id="wh-west",
        product_ids=[product["product_id"]],
        service_level=0.99,
    )
    assert one.frame["warehouse_id"].tolist() == ["WH-WEST"]
    assert one.frame["safety_stock"].iloc[0] == pytest.approx(
        norm.ppf(0.99) * series.std(ddof=1) * math.sqrt(product["lead_time_days"])
    )
    plumbing = call(workbench, "safety_stock", as_of=A, category="plumbing")
    n_plumbing = int((raw["product"]["category"] == "Plumbing").sum())
    assert len(plumbing.rows) == 3 * n_plumbing and set(plumbing.frame["category"]) == {"Plumbing"}


def test_eoq_equals_the_formula_from_raw_demand_and_unit_cost(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    demand = _daily_matrix(raw, "WH-EAST")
    cost = raw["product"].set_index("product_id")["unit_cost"]
    pids = ["P0003", "P0010", "P0020"]
    result = call(
        workbench,
        "economic_order_quantity",
        as_of=A,
        warehouse_id="WH-EAST",
        product_ids=pids,
        order_cost=80,
        holding_rate=0.2,
    )
    frame = result.frame.set_index("product_id")
    for pid in pids:
        d = demand[pid].sum() / 30 * 365
        expected = math.sqrt(2 * d * 80 / (0.2 * cost[pid])) if d else 0.0
        assert frame.loc[pid, "economic_order_quantity"] == pytest.approx(expected, rel=1e-12)


def test_low_stock_is_on_hand_at_or_below_safety_stock(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    wp = raw["warehouse_product"]
    result = call(workbench, "identify_low_stock", warehouse_id="WH-EAST")
    expected = wp[
        (wp["warehouse_id"] == "WH-EAST") & (wp["quantity_on_hand"] <= wp["safety_stock"])
    ]
    assert set(result.frame["product_id"]) == set(expected["product_id"]) and len(expected) > 0
    got = result.frame.set_index("product_id")["suggested_order_quantity"]
    assert all(
        got[p] == m - q
        for p, m, q in zip(
            expected["product_id"], expected["max_stock"], expected["quantity_on_hand"], strict=True
        )
    )
    assert result.summary["out_of_stock"] == int((expected["quantity_on_hand"] == 0).sum()) > 0


def test_stockout_risk_is_days_of_cover_below_lead_time(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    result = call(
        workbench, "identify_stockout_risk", as_of=A, warehouse_id="WH-CENTRAL", include_all=True
    )
    frame = result.frame.set_index("product_id")
    demand = _daily_matrix(raw, "WH-CENTRAL")
    wp = raw["warehouse_product"].query("warehouse_id == 'WH-CENTRAL'").set_index("product_id")
    lead = raw["product"].set_index("product_id")["lead_time_days"]
    at_risk = set()
    for pid, series in demand.items():
        avg = series.sum() / 30
        available = wp.loc[pid, "quantity_on_hand"] - wp.loc[pid, "quantity_reserved"]
        if avg == 0:
            # Infinite cover travels as JSON null, flagged no_demand; never at risk.
            assert pd.isna(frame.loc[pid, "days_of_cover"]) and frame.loc[pid, "no_demand"]
            assert not frame.loc[pid, "at_risk"]
            continue
        assert frame.loc[pid, "days_of_cover"] == pytest.approx(available / avg)
        if available / avg < lead[pid]:
            at_risk.add(pid)
    assert set(frame.index[frame["at_risk"].astype(bool)]) == at_risk and at_risk
    only = call(workbench, "identify_stockout_risk", as_of=A, warehouse_id="WH-CENTRAL")
    assert set(only.frame["product_id"]) == at_risk and only.summary["at_risk"] == len(at_risk)


def test_forecast_is_fitted_on_the_raw_history_and_reports_its_backtest(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    result = call(workbench, "forecast_demand", as_of=A, category="Plumbing", horizon_days=14)
    s = result.summary
    assert s["forecast_start"] == "2026-07-01" and s["forecast_end"] == "2026-07-14"
    assert s["products"] == int((raw["product"]["category"] == "Plumbing").sum())
    assert s["backtest_wmape"] is not None and 0 <= s["backtest_wmape"] < 5
    daily = result.table("daily")
    assert len(daily) == 14 * s["products"] and (daily["forecast"] >= 0).all()
    assert result.table("total")["forecast"].sum() == pytest.approx(s["forecast_total"])
    # Rebuild the busiest product's history from raw rows (all warehouses) and forecast it directly.
    top = result.frame.iloc[0]
    h = raw["sales_order_header"].query("status != 'CANCELLED'")
    lines = raw["sales_order_line"].merge(h[["order_id", "order_date"]], on="order_id")
    sold = lines[lines["product_id"] == top["product_id"]].groupby("order_date")["quantity"].sum()
    first = h["order_date"].min()
    index = pd.date_range(
        max(first, pd.Timestamp(AS_OF) - pd.Timedelta(days=364)), pd.Timestamp(AS_OF), freq="D"
    )
    series = sold.reindex(index, fill_value=0).astype(float)
    assert top["history_mean"] == pytest.approx(series.mean())
    direct = forecast_series(series, 14, backtest_days=14)
    assert top["method"] == direct.method
    assert top["forecast_total"] == pytest.approx(float(direct.forecast.sum()), rel=1e-6)
    assert top["backtest_wmape"] == pytest.approx(direct.backtest_wmape)


# -- logistics --------------------------------------------------------------------------------


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


def _due_today(raw: dict[str, pd.DataFrame], warehouse_id: str) -> pd.DataFrame:
    h = raw["sales_order_header"]
    return h[
        (h["warehouse_id"] == warehouse_id)
        & h["status"].isin(["PENDING", "PICKING", "SHIPPED"])
        & (h["promised_date"] == pd.Timestamp(AS_OF))
    ]


def _tour_km(points: list[tuple[float, float]]) -> float:
    return sum(_haversine(points[i], points[i + 1]) for i in range(len(points) - 1))


def _two_opt_improvement(points: list[tuple[float, float]]) -> float:
    """The best gain any single 2-opt move (reversing a stretch) would give; <= 0 for a 2-opt optimal tour."""
    best = 0.0
    for i in range(1, len(points) - 2):
        for j in range(i + 1, len(points) - 1):
            before = _haversine(points[i - 1], points[i]) + _haversine(points[j], points[j + 1])
            after = _haversine(points[i - 1], points[j]) + _haversine(points[i], points[j + 1])
            best = max(best, before - after)
    return best


@pytest.mark.parametrize("pick", ["fewest", "most"])
def test_route_visits_exactly_the_open_orders_due_today_and_is_optimal(
    workbench: Workbench, raw: dict[str, pd.DataFrame], pick: str
) -> None:
    counts = {w: len(_due_today(raw, w)) for w in raw["warehouse"]["warehouse_id"]}
    warehouse_id = (min if pick == "fewest" else max)(counts, key=lambda w: (counts[w], w))
    due = _due_today(raw, warehouse_id)
    assert len(due) >= 1
    result = call(
        workbench,
        "optimize_delivery_route",
        as_of=A,
        warehouse_id=warehouse_id,
        time_limit_seconds=0.5,
    )
    frame = result.frame
    wh = raw["warehouse"].set_index("warehouse_id").loc[warehouse_id]
    depot = (float(wh["latitude"]), float(wh["longitude"]))
    stops = frame[frame["stop_type"] == "delivery"]
    assert sorted(stops["order_id"]) == sorted(due["order_id"])
    assert (
        (frame.iloc[0]["latitude"], frame.iloc[0]["longitude"])
        == depot
        == (frame.iloc[-1]["latitude"], frame.iloc[-1]["longitude"])
    )
    points = [depot, *zip(stops["latitude"], stops["longitude"], strict=True), depot]
    assert result.summary["total_km"] == pytest.approx(_tour_km(points), abs=1e-3)
    assert _two_opt_improvement(points) < 1e-6
    if len(due) <= 8:
        coords = dict(
            zip(
                due["order_id"],
                zip(due["ship_to_latitude"], due["ship_to_longitude"], strict=True),
                strict=True,
            )
        )
        best = min(
            _tour_km([depot, *(coords[o] for o in perm), depot])
            for perm in itertools.permutations(coords)
        )
        assert result.summary["total_km_exact"] == pytest.approx(best, rel=1e-12)
    units = raw["sales_order_line"][raw["sales_order_line"]["order_id"].isin(due["order_id"])][
        "quantity"
    ].sum()
    assert result.summary["units"] == units


def test_route_on_real_stops_matches_brute_force(raw: dict[str, pd.DataFrame]) -> None:
    """The busiest warehouse's first eight stops today, solved by the pure function, against every order."""
    from workbench.tools.logistics import optimize_delivery_route

    counts = {w: len(_due_today(raw, w)) for w in raw["warehouse"]["warehouse_id"]}
    warehouse_id = max(counts, key=lambda w: (counts[w], w))
    due = _due_today(raw, warehouse_id).head(8)
    wh = raw["warehouse"].set_index("warehouse_id").loc[warehouse_id]
    depot = (float(wh["latitude"]), float(wh["longitude"]))
    stops = due.rename(columns={"ship_to_latitude": "latitude", "ship_to_longitude": "longitude"})[
        ["order_id", "latitude", "longitude"]
    ]
    _, summary = optimize_delivery_route(
        {"warehouse_id": warehouse_id, "latitude": depot[0], "longitude": depot[1]}, stops
    )
    coords = list(zip(stops["latitude"], stops["longitude"], strict=True))
    best = min(
        _tour_km([depot, *(coords[i] for i in perm), depot])
        for perm in itertools.permutations(range(len(coords)))
    )
    assert summary["total_km_exact"] == pytest.approx(best, rel=1e-12)


def test_route_with_several_vehicles_and_capacity_on_the_busiest_warehouse(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    counts = {w: len(_due_today(raw, w)) for w in raw["warehouse"]["warehouse_id"]}
    busiest = max(counts, key=lambda w: counts[w])
    due = _due_today(raw, busiest)
    units = (
        raw["sales_order_line"][raw["sales_order_line"]["order_id"].isin(due["order_id"])]
        .groupby("order_id")["quantity"]
        .sum()
    )
    capacity = max(int(units.max()), math.ceil(units.sum() / 2) + 1)
    result = call(
        workbench,
        "optimize_delivery_route",
        as_of=A,
        warehouse_id=busiest,
        vehicles=3,
        vehicle_capacity=capacity,
        time_limit_seconds=0.3,
    )
    deliveries = result.frame[result.frame["stop_type"] == "delivery"]
    assert sorted(deliveries["order_id"]) == sorted(due["order_id"])
    for _, legs in deliveries.groupby("vehicle"):
        assert legs["units"].sum() <= capacity
    assert result.summary["vehicles_used"] >= 2
    with pytest.raises(ToolError, match="vehicles"):
        call(
            workbench,
            "optimize_delivery_route",
            as_of=A,
            warehouse_id=busiest,
            vehicles=1,
            vehicle_capacity=int(units.max()),
        )


def test_fulfillment_status_counts_match_raw_orders(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    result = call(workbench, "check_fulfillment_status", as_of=A)
    frame = result.frame.set_index("warehouse_id")
    h = raw["sales_order_header"]
    today = pd.Timestamp(AS_OF)
    open_ = h[h["status"].isin(["PENDING", "PICKING", "SHIPPED"])]
    delivered = h[
        (h["status"] == "DELIVERED")
        & (h["delivery_date"] >= today - pd.Timedelta(days=29))
        & (h["delivery_date"] <= today)
    ]
    for wid in raw["warehouse"]["warehouse_id"]:
        o = open_[open_["warehouse_id"] == wid]
        d = delivered[delivered["warehouse_id"] == wid]
        assert frame.loc[wid, "open_orders"] == len(o)
        assert frame.loc[wid, "overdue_orders"] == int((o["promised_date"] < today).sum())
        assert frame.loc[wid, "due_today"] == int((o["promised_date"] == today).sum())
        assert frame.loc[wid, "delayed_shipments"] == int(
            ((o["status"] == "SHIPPED") & (o["promised_date"] < today)).sum()
        )
        assert frame.loc[wid, "on_time_rate"] == pytest.approx(
            (d["delivery_date"] <= d["promised_date"]).mean()
        )
        assert frame.loc[wid, "avg_fulfilment_days"] == pytest.approx(
            (d["delivery_date"] - d["order_date"]).dt.days.mean()
        )
    assert result.summary["delayed_shipments"] > 0 and result.summary["overdue_orders"] > 0


def test_delayed_orders_are_open_orders_past_their_promise(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    h = raw["sales_order_header"]
    today = pd.Timestamp(AS_OF)
    overdue = h[h["status"].isin(["PENDING", "PICKING", "SHIPPED"]) & (h["promised_date"] < today)]
    result = call(workbench, "identify_delayed_orders", as_of=A)
    assert set(result.frame["order_id"]) == set(overdue["order_id"])
    days = dict(zip(overdue["order_id"], (today - overdue["promised_date"]).dt.days, strict=True))
    assert all(
        days[o] == d
        for o, d in zip(result.frame["order_id"], result.frame["days_late"], strict=True)
    )
    assert list(result.frame["days_late"]) == sorted(result.frame["days_late"], reverse=True)
    shipped = call(
        workbench, "identify_delayed_orders", as_of=A, warehouse_id="WH-WEST", shipped_only=True
    )
    expected = overdue[(overdue["status"] == "SHIPPED") & (overdue["warehouse_id"] == "WH-WEST")]
    assert set(shipped.frame["order_id"]) == set(expected["order_id"])


def test_capacity_utilization_matches_raw_inventory(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    result = call(workbench, "calculate_warehouse_capacity")
    frame = result.frame.set_index("warehouse_id")
    on_hand = raw["warehouse_product"].groupby("warehouse_id")["quantity_on_hand"].sum()
    cap = raw["warehouse"].set_index("warehouse_id")["capacity_units"]
    for wid in cap.index:
        assert frame.loc[wid, "utilization"] == pytest.approx(on_hand[wid] / cap[wid])
        assert frame.loc[wid, "free_units"] == cap[wid] - on_hand[wid]
    assert result.summary["utilization"] == pytest.approx(on_hand.sum() / cap.sum())


# -- supplier -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def po(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Non-cancelled PO lines ordered in the default window (365 days ending AS_OF)."""
    h = raw["purchase_order_header"]
    h = h[
        (h["status"] != "CANCELLED")
        & (h["order_date"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=364))
        & (h["order_date"] <= pd.Timestamp(AS_OF))
    ]
    lines = raw["purchase_order_line"].merge(h, on="po_id")
    std = raw["product"].set_index("product_id")["unit_cost"]
    return lines.assign(standard=lines["product_id"].map(std))


def _expected_scores(po: pd.DataFrame) -> dict[str, float]:
    scores = {}
    for sid, lines in po.groupby("supplier_id"):
        heads = lines.drop_duplicates("po_id")
        rec = heads[heads["status"].isin(["PARTIAL", "RECEIVED"]) & heads["received_date"].notna()]
        on_time = float((rec["received_date"] <= rec["expected_date"]).sum() / len(rec))
        filled = lines[lines["status"].isin(["PARTIAL", "RECEIVED"])]
        fill = filled["quantity_received"].sum() / filled["quantity_ordered"].sum()
        variance = float(
            np.average(
                (lines["unit_cost"] - lines["standard"]) / lines["standard"],
                weights=lines["quantity_ordered"],
            )
        )
        price = max(0.0, 1 - max(0.0, variance) / 0.2)
        scores[str(sid)] = 0.4 * on_time + 0.3 * fill + 0.3 * price
    return scores


def test_supplier_scores_match_the_glossary_on_raw_po_rows(
    workbench: Workbench, po: pd.DataFrame
) -> None:
    result = call(workbench, "analyze_supplier_performance", as_of=A)
    got = dict(zip(result.frame["supplier_id"], result.frame["score"], strict=True))
    expected = _expected_scores(po)
    assert got.keys() == expected.keys()
    for sid, score in expected.items():
        assert got[sid] == pytest.approx(score, abs=1e-12), sid
    assert list(result.frame["score"]) == sorted(result.frame["score"], reverse=True)
    assert max(expected.values()) - min(expected.values()) > 0.1  # the suppliers differ clearly
    assert result.summary["total_spend"] == pytest.approx(po["line_total"].sum())


def test_compare_supplier_costs_for_one_product(workbench: Workbench, po: pd.DataFrame) -> None:
    result = call(workbench, "compare_supplier_costs", as_of=A, product_ids=["P0010"])
    frame = result.frame.set_index("supplier_id")
    lines = po[po["product_id"] == "P0010"]
    expected = lines.groupby("supplier_id").apply(
        lambda g: (g["unit_cost"] * g["quantity_ordered"]).sum() / g["quantity_ordered"].sum()
    )
    assert set(frame.index) == set(expected.index) and len(expected) >= 2
    for sid, cost in expected.items():
        assert frame.loc[sid, "avg_unit_cost"] == pytest.approx(cost)
    assert (
        frame["avg_unit_cost"].idxmin() == expected.idxmin() == result.frame.iloc[0]["supplier_id"]
    )


def test_cost_savings_equal_moving_volume_to_the_cheapest_reliable_supplier(
    workbench: Workbench, po: pd.DataFrame
) -> None:
    result = call(workbench, "identify_cost_savings", as_of=A, min_supplier_score=0.75)
    scores = _expected_scores(po)
    paid = po.assign(value=po["unit_cost"] * po["quantity_ordered"])
    sums = paid.groupby(["product_id", "supplier_id"])[["value", "quantity_ordered"]].sum()
    avg = (sums["value"] / sums["quantity_ordered"]).rename("avg").reset_index()
    reliable = avg[avg["supplier_id"].map(scores) >= 0.75]
    bench = reliable.sort_values(["product_id", "avg", "supplier_id"]).groupby("product_id").first()
    lines = po.merge(bench, left_on="product_id", right_index=True, suffixes=("", "_best"))
    others = lines[lines["supplier_id"] != lines["supplier_id_best"]]
    total = float(
        ((others["unit_cost"] - others["avg"]).clip(lower=0) * others["quantity_ordered"]).sum()
    )
    assert result.summary["total_potential_savings"] == pytest.approx(total)
    assert total > 0
    assert set(result.frame["best_supplier_id"]) <= {s for s, v in scores.items() if v >= 0.75}
    top = result.frame.iloc[0]
    assert top["best_unit_cost"] == pytest.approx(bench.loc[top["product_id"], "avg"])


def test_purchase_trends_are_spend_by_month_and_supplier(
    workbench: Workbench, raw: dict[str, pd.DataFrame]
) -> None:
    result = call(workbench, "analyze_purchase_trends", as_of=A)
    h = raw["purchase_order_header"]
    h = h[(h["status"] != "CANCELLED") & (h["order_date"] >= pd.Timestamp("2025-07-01"))]
    lines = raw["purchase_order_line"].merge(h, on="po_id")
    lines["month"] = lines["order_date"].dt.strftime("%Y-%m-01")
    expected = lines.groupby(["month", "supplier_id"])["line_total"].sum()
    frame = result.frame.set_index(["month", "supplier_id"])
    for key, spend in expected.items():
        assert frame.loc[key, "spend"] == pytest.approx(spend)
    assert frame["spend"].sum() == pytest.approx(expected.sum())
    by_month = result.table("by_month").set_index("month")
    monthly = lines.groupby("month")["line_total"].sum()
    assert by_month["spend"].to_dict() == pytest.approx(monthly.to_dict())
    months = list(monthly.index)
    assert by_month.loc[months[-1], "change"] == pytest.approx(monthly.iloc[-1] - monthly.iloc[-2])


# -- errors on real data -------------------------------------------------------------------------


def test_unknown_ids_and_empty_scopes_give_actionable_errors(workbench: Workbench) -> None:
    with pytest.raises(ToolArgumentError, match="no warehouse 'WH-EST'") as err:
        call(workbench, "identify_low_stock", warehouse_id="WH-EST")
    assert "WH-EAST" in str(err.value)
    with pytest.raises(ToolArgumentError, match="P9999"):
        call(workbench, "safety_stock", as_of=A, product_ids=["P9999"])
    with pytest.raises(ToolError, match="No inventory positions"):
        call(workbench, "identify_low_stock", category="Bakery")
    with pytest.raises(ToolArgumentError, match="starts"):
        call(
            workbench,
            "analyze_supplier_performance",
            as_of=A,
            start_date="2026-06-01",
            end_date="2026-05-01",
        )
    with pytest.raises(ToolError, match="No purchase orders"):
        call(workbench, "analyze_supplier_performance", as_of="2020-01-01")


def test_every_tool_answers_plain_json(workbench: Workbench) -> None:
    import json

    examples: Iterator[tuple[str, dict[str, Any]]] = iter(
        [
            ("safety_stock", {"as_of": A, "warehouse_id": "WH-EAST", "category": "Tools"}),
            ("reorder_point", {"as_of": A, "product_ids": ["P0001"]}),
            ("economic_order_quantity", {"as_of": A, "product_ids": ["P0001"]}),
            ("identify_low_stock", {}),
            ("identify_stockout_risk", {"as_of": A, "category": "HVAC"}),
            ("forecast_demand", {"as_of": A, "product_ids": ["P0001", "P0002"], "horizon_days": 3}),
            (
                "optimize_delivery_route",
                {"as_of": A, "warehouse_id": "WH-WEST", "time_limit_seconds": 0.2},
            ),
            ("check_fulfillment_status", {"as_of": A, "warehouse_id": "WH-WEST"}),
            ("identify_delayed_orders", {"as_of": A}),
            ("calculate_warehouse_capacity", {"warehouse_id": "WH-WEST"}),
            ("analyze_supplier_performance", {"as_of": A}),
            ("compare_supplier_costs", {"as_of": A, "category": "Safety"}),
            ("identify_cost_savings", {"as_of": A}),
            ("analyze_purchase_trends", {"as_of": A}),
        ]
    )
    seen = set()
    for name, args in examples:
        data = call(workbench, name, **args).to_dict()
        text = json.dumps(data, allow_nan=False)
        assert json.loads(text)["tool"] == name and data["rows"], name
        seen.add(name)
    assert seen == set(registry.names())
