"""Golden values and properties of the pure tool functions (no warehouse needed)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest

from workbench.core.errors import ToolArgumentError, ToolError
from workbench.tools import forecasting as fc
from workbench.tools import inventory as inv
from workbench.tools import logistics as lg
from workbench.tools import supplier as sp
from workbench.tools.result import ToolResult, json_safe
from workbench.tools.routing import (
    EARTH_RADIUS_KM,
    distance_matrix,
    haversine_km,
    route_length,
    solve_routes,
)

# -- golden values from the issue ------------------------------------------------------------


def test_eoq_golden_value() -> None:
    assert inv.eoq_value(1300, 8, 0.225) == pytest.approx(304.0468, abs=5e-5)


def test_safety_stock_and_reorder_point_golden_values() -> None:
    ss = inv.safety_stock_value(1.645, 10, 4)
    assert round(ss, 2) == 32.90
    assert round(inv.reorder_point_value(20, 4, ss), 2) == 112.90


def test_z_score_matches_the_normal_quantile_and_rejects_nonsense() -> None:
    assert inv.z_score(0.95) == pytest.approx(1.6448536, abs=1e-6)
    assert inv.z_score(0.99) == pytest.approx(2.3263479, abs=1e-6)
    for bad in (0.3, 1.0, 95):
        with pytest.raises(ToolArgumentError):
            inv.z_score(bad)


def test_eoq_zero_demand_needs_no_order_and_bad_holding_cost_is_refused() -> None:
    assert inv.eoq_value(0, 50, 2.5) == 0.0
    with pytest.raises(ToolArgumentError):
        inv.eoq_value(100, 50, 0)


# -- frame-level inventory functions ---------------------------------------------------------


def _grid(values: dict[tuple[str, str], list[float]], start: dt.date) -> pd.DataFrame:
    rows = []
    for (wid, pid), series in values.items():
        for i, q in enumerate(series):
            rows.append((wid, pid, pd.Timestamp(start + dt.timedelta(days=i)), float(q)))
    return pd.DataFrame(rows, columns=["warehouse_id", "product_id", "date", "quantity"])


def test_daily_demand_grid_fills_missing_days_and_products_with_zero() -> None:
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 5)
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-06-02", "2026-06-02", "2026-06-05"]),
            "warehouse_id": ["W1", "W1", "W1"],
            "product_id": ["A", "A", "A"],
            "quantity": [2.0, 3.0, 4.0],
        }
    )
    keys = pd.DataFrame({"warehouse_id": ["W1", "W1"], "product_id": ["A", "B"]})
    grid = inv.daily_demand_grid(sales, keys, start, end)
    assert len(grid) == 10
    a = grid[grid["product_id"] == "A"]["quantity"].tolist()
    assert a == [0.0, 5.0, 0.0, 0.0, 4.0]
    assert grid[grid["product_id"] == "B"]["quantity"].sum() == 0


def test_safety_stock_reorder_point_and_eoq_on_a_frame() -> None:
    series = [10, 30, 20, 10, 30, 20, 10, 30, 20, 20]
    daily = _grid({("W1", "A"): series, ("W1", "B"): [0] * 10}, dt.date(2026, 1, 1))
    rop = inv.reorder_point(daily, {"A": 4, "B": 9}, 0.95)
    a = rop.set_index("product_id").loc["A"]
    sigma = float(np.std(series, ddof=1))
    assert a["std_daily_demand"] == pytest.approx(sigma)
    assert a["safety_stock"] == pytest.approx(inv.z_score(0.95) * sigma * 2)
    assert a["reorder_point"] == pytest.approx(20 * 4 + a["safety_stock"])
    b = rop.set_index("product_id").loc["B"]
    assert b["safety_stock"] == 0 and b["reorder_point"] == 0
    eoq = inv.economic_order_quantity(
        daily, {"A": 10.0, "B": 5.0}, order_cost=50, holding_rate=0.25
    )
    ea = eoq.set_index("product_id").loc["A"]
    assert ea["economic_order_quantity"] == pytest.approx(math.sqrt(2 * 20 * 365 * 50 / 2.5))
    assert ea["annual_order_cost"] == pytest.approx(
        ea["annual_holding_cost"]
    )  # EOQ balances the two
    assert eoq.set_index("product_id").loc["B", "economic_order_quantity"] == 0


def test_missing_lead_time_is_reported() -> None:
    daily = _grid({("W1", "A"): [1, 2, 3]}, dt.date(2026, 1, 1))
    with pytest.raises(ToolArgumentError, match="lead time"):
        inv.safety_stock(daily, {"Z": 3})


def _positions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "warehouse_id": ["W1"] * 4,
            "product_id": ["A", "B", "C", "D"],
            "quantity_on_hand": [0, 5, 50, 8],
            "quantity_reserved": [0, 1, 10, 0],
            "safety_stock": [10, 6, 10, 8],
            "reorder_point": [20, 12, 30, 15],
            "max_stock": [100, 40, 120, 60],
            "lead_time_days": [5, 5, 5, 5],
            "unit_cost": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_low_stock_follows_the_glossary() -> None:
    low = inv.identify_low_stock(_positions())
    assert set(low["product_id"]) == {"A", "B", "D"}  # on hand <= safety stock (D is equal)
    assert low.iloc[0]["product_id"] == "A" and bool(low.iloc[0]["out_of_stock"])
    assert dict(zip(low["product_id"], low["suggested_order_quantity"], strict=True)) == {
        "A": 100,
        "B": 35,
        "D": 52,
    }


def test_stockout_risk_days_of_cover_and_no_demand_is_never_at_risk() -> None:
    daily = _grid(
        {
            ("W1", "A"): [1] * 30,
            ("W1", "B"): [2] * 30,
            ("W1", "C"): [20] * 30,
            ("W1", "D"): [0] * 30,
        },
        dt.date(2026, 1, 1),
    )
    risk = inv.identify_stockout_risk(_positions(), daily).set_index("product_id")
    assert risk.loc["B", "days_of_cover"] == pytest.approx(4 / 2)
    assert risk.loc["C", "days_of_cover"] == pytest.approx(40 / 20)
    assert math.isinf(risk.loc["D", "days_of_cover"]) and not risk.loc["D", "at_risk"]
    assert set(risk.index[risk["at_risk"]]) == {"A", "B", "C"}
    assert risk.loc["C", "shortfall_units"] == 20 * 5 - 40


# -- forecasting --------------------------------------------------------------------------------


def _synthetic(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    weekly = np.array([4.0, 6.0, 5.0, 3.0, 8.0, -12.0, -14.0])
    return np.clip(30 + 0.15 * t + weekly[t % 7] + rng.normal(0, 1.5, n), 0, None)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_forecast_beats_a_7_day_moving_average_on_trend_and_weekly_seasonality(seed: int) -> None:
    values = _synthetic(140, seed)
    train, test = values[:-14], values[-14:]
    forecast, method = fc.forecast_values(train, 14)
    assert method == "holt_winters"
    model_error = fc.wmape(test, forecast)
    baseline_error = fc.wmape(test, fc.moving_average_forecast(train, 14))
    assert model_error is not None and baseline_error is not None
    assert model_error < 0.5 * baseline_error, (model_error, baseline_error)


def test_forecast_series_reports_its_backtest_beside_the_forecast() -> None:
    index = pd.date_range("2026-01-01", periods=120, freq="D")
    out = fc.forecast_series(pd.Series(_synthetic(120, 9), index=index), 10, backtest_days=14)
    assert len(out.forecast) == 10 and out.forecast.index[0] == pd.Timestamp("2026-05-01")
    assert out.backtest_days == 14
    assert out.backtest_wmape is not None and out.baseline_wmape is not None
    assert out.backtest_wmape < out.baseline_wmape
    assert out.backtest_actual > 0 and out.backtest_abs_error == pytest.approx(
        out.backtest_wmape * out.backtest_actual, rel=1e-4
    )


def test_forecast_fallbacks_for_short_intermittent_and_empty_series() -> None:
    short, method = fc.forecast_values(np.array([3.0, 5.0, 4.0, 6.0, 2.0]), 3)
    assert method == "mean" and np.allclose(short, 4.0)
    rng = np.random.default_rng(0)
    sparse = np.where(rng.random(120) < 0.15, rng.integers(1, 10, 120), 0).astype(float)
    values, method = fc.forecast_values(sparse, 7)
    assert method == "croston_sba"
    assert np.allclose(values, values[0]) and 0 < values[0] < sparse.max()
    zeros, method = fc.forecast_values(np.zeros(40), 5)
    assert method == "zero" and not zeros.any()
    two_weeks, method = fc.forecast_values(_synthetic(18, 3), 4)
    assert method == "holt" and (two_weeks >= 0).all()


def test_forecast_demand_per_group_pools_backtest_errors() -> None:
    idx = pd.date_range("2026-01-01", periods=100, freq="D")
    frame = pd.concat(
        [
            pd.DataFrame({"product_id": "A", "date": idx, "quantity": _synthetic(100, 1)}),
            pd.DataFrame({"product_id": "B", "date": idx, "quantity": np.zeros(100)}),
        ]
    )
    per, daily = inv.forecast_demand(frame, 7)
    assert list(per["product_id"]) == ["A", "B"]
    assert dict(zip(per["product_id"], per["method"], strict=True)) == {
        "A": "holt_winters",
        "B": "zero",
    }
    assert len(daily) == 14 and daily["date"].min() == pd.Timestamp("2026-04-11")


def test_mape_and_wmape_definitions() -> None:
    actual, pred = np.array([10.0, 0.0, 20.0]), np.array([8.0, 1.0, 25.0])
    assert fc.wmape(actual, pred) == pytest.approx((2 + 1 + 5) / 30)
    assert fc.mape(actual, pred) == pytest.approx((0.2 + 0.25) / 2)
    assert fc.wmape(np.zeros(3), pred) is None


# -- routing ----------------------------------------------------------------------------------


def test_haversine_uses_the_contract_radius() -> None:
    # A quarter of a great circle along the equator.
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    m = distance_matrix([40.0, 41.0], [-74.0, -73.0])
    assert m[0, 1] == pytest.approx(haversine_km(40, -74, 41, -73)) and m[1, 0] == m[0, 1]


def _instance(rng: np.random.Generator, n: int) -> np.ndarray:
    lat = 39 + rng.random(n + 1) * 2
    lon = -75 + rng.random(n + 1) * 2
    return distance_matrix(lat, lon)


def _brute_force(matrix: np.ndarray) -> float:
    n = matrix.shape[0] - 1
    return min(route_length(matrix, list(p)) for p in itertools.permutations(range(1, n + 1)))


@pytest.mark.parametrize("n", range(1, 9))
def test_route_matches_brute_force_on_random_instances(n: int) -> None:
    rng = np.random.default_rng(1000 + n)
    for _ in range(3):
        matrix = _instance(rng, n)
        best = _brute_force(matrix)
        plan = solve_routes(matrix)
        assert plan.method == "exact"
        assert sorted(plan.routes[0]) == list(range(1, n + 1))
        assert route_length(matrix, plan.routes[0]) == pytest.approx(best, rel=1e-12, abs=1e-9)
        # The OR-Tools path (kept for comparison, integer distances) finds the same optimum here.
        ort = solve_routes(matrix, method="ortools", time_limit_seconds=0.05)
        assert ort.method == "ortools_gls"
        assert route_length(matrix, ort.routes[0]) == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_multi_vehicle_routes_respect_capacity_and_visit_every_stop_once() -> None:
    rng = np.random.default_rng(7)
    matrix = _instance(rng, 25)
    demands = [int(x) for x in rng.integers(1, 20, 25)]
    plan = solve_routes(matrix, demands=demands, vehicles=4, capacity=80, time_limit_seconds=0.3)
    visited = [s for r in plan.routes for s in r]
    assert sorted(visited) == list(range(1, 26))
    for route in plan.routes:
        assert sum(demands[s - 1] for s in route) <= 80
    assert plan.total_km == pytest.approx(sum(route_length(matrix, r) for r in plan.routes))


def test_infeasible_capacity_is_explained() -> None:
    matrix = _instance(np.random.default_rng(3), 4)
    with pytest.raises(ToolError, match="at least 3 vehicles"):
        solve_routes(matrix, demands=[30, 30, 30, 30], vehicles=2, capacity=50)
    with pytest.raises(ToolError, match="more than one vehicle's capacity"):
        solve_routes(matrix, demands=[80, 1, 1, 1], vehicles=4, capacity=50)


def test_delivery_route_frame_starts_and_ends_at_the_warehouse() -> None:
    rng = np.random.default_rng(11)
    depot = {"warehouse_id": "W1", "warehouse_name": "Depot", "latitude": 40.0, "longitude": -74.0}
    stops = pd.DataFrame(
        {
            "order_id": [f"SO-{i}" for i in range(6)],
            "customer_name": [f"C{i}" for i in range(6)],
            "latitude": 40 + rng.random(6) - 0.5,
            "longitude": -74 + rng.random(6) - 0.5,
            "units": [3, 4, 5, 6, 7, 8],
        }
    )
    frame, summary = lg.optimize_delivery_route(depot, stops)
    assert frame.iloc[0]["stop_type"] == "start" and frame.iloc[-1]["stop_type"] == "return"
    assert sorted(frame["order_id"].dropna()) == sorted(stops["order_id"])
    assert frame["cumulative_km"].iloc[-1] == pytest.approx(summary["total_km"], abs=1e-3)
    lat = [depot["latitude"], *stops["latitude"]]
    lon = [depot["longitude"], *stops["longitude"]]
    assert summary["total_km_exact"] == pytest.approx(
        _brute_force(distance_matrix(lat, lon)), abs=1e-9
    )
    empty, s = lg.optimize_delivery_route(depot, stops.iloc[:0])
    assert (
        s["stops"] == 0 and s["total_km"] == 0 and list(empty["stop_type"]) == ["start", "return"]
    )


# -- supplier score -------------------------------------------------------------------------


def _po_lines() -> pd.DataFrame:
    d = pd.Timestamp
    rows = [
        # po, supplier, status, order, expected, received, product, ordered, received qty, unit cost, standard
        (
            "PO1",
            "S1",
            "RECEIVED",
            d("2026-01-01"),
            d("2026-01-10"),
            d("2026-01-09"),
            "P1",
            100,
            100,
            11.0,
            10.0,
        ),
        (
            "PO2",
            "S1",
            "PARTIAL",
            d("2026-01-05"),
            d("2026-01-20"),
            d("2026-01-25"),
            "P1",
            100,
            50,
            9.0,
            10.0,
        ),
        ("PO3", "S1", "OPEN", d("2026-02-01"), d("2026-02-15"), pd.NaT, "P2", 50, 0, 22.0, 20.0),
        (
            "PO4",
            "S1",
            "CANCELLED",
            d("2026-02-02"),
            d("2026-02-10"),
            pd.NaT,
            "P1",
            1000,
            0,
            100.0,
            10.0,
        ),
        (
            "PO5",
            "S2",
            "RECEIVED",
            d("2026-01-03"),
            d("2026-01-12"),
            d("2026-01-12"),
            "P1",
            40,
            40,
            13.0,
            10.0,
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "po_id", "supplier_id", "status", "order_date", "expected_date", "received_date", "product_id",
            "quantity_ordered", "quantity_received", "unit_cost", "standard_cost",
        ],
    )  # fmt: skip
    frame["line_total"] = frame["quantity_ordered"] * frame["unit_cost"]
    frame["supplier_name"] = frame["supplier_id"].map({"S1": "One", "S2": "Two"})
    frame["product_name"] = frame["product_id"]
    return frame


def test_supplier_score_matches_the_glossary_on_a_hand_computed_example() -> None:
    # S1: on-time 1/2 (PO3 has no receipt, PO4 is cancelled); fill (100+50)/(100+100) = 0.75;
    # variance (100*0.1 + 100*-0.1 + 50*0.1)/250 = 0.02 -> price score 0.9;
    # score = 0.4*0.5 + 0.3*0.75 + 0.3*0.9 = 0.695.  S2: variance 0.3 -> price score 0 -> 0.7.
    perf = sp.analyze_supplier_performance(_po_lines()).set_index("supplier_id")
    s1 = perf.loc["S1"]
    assert s1["on_time_rate"] == pytest.approx(0.5)
    assert s1["fill_rate"] == pytest.approx(0.75)
    assert s1["avg_cost_variance"] == pytest.approx(0.02)
    assert s1["price_score"] == pytest.approx(0.9)
    assert s1["score"] == pytest.approx(0.695)
    assert s1["po_count"] == 3 and s1["spend"] == pytest.approx(1100 + 900 + 1100)
    assert perf.loc["S2", "score"] == pytest.approx(0.7)
    assert list(perf.index) == ["S2", "S1"] and list(perf["rank"]) == [1, 2]
    assert sp.supplier_score(0.5, 0.75, 0.02) == pytest.approx(0.695)
    assert sp.price_score(-0.3) == 1.0 and sp.price_score(0.25) == 0.0


def test_compare_costs_and_savings_on_the_hand_example() -> None:
    costs = sp.compare_supplier_costs(_po_lines())
    p1 = costs[costs["product_id"] == "P1"].set_index("supplier_id")
    assert p1.loc["S1", "avg_unit_cost"] == pytest.approx(10.0)  # (100*11 + 100*9) / 200
    assert p1.loc["S2", "avg_unit_cost"] == pytest.approx(13.0)
    assert bool(p1.loc["S1", "is_cheapest"]) and p1.loc[
        "S2", "premium_vs_cheapest"
    ] == pytest.approx(0.3)
    # Reliable at 0.69: S1 (0.695) is the benchmark for P1 at 10.00; S2's 40 units at 13 would save 120.
    savings, summary = sp.identify_cost_savings(_po_lines(), min_supplier_score=0.69)
    row = savings.set_index("product_id").loc["P1"]
    assert row["best_supplier_id"] == "S1" and row["potential_savings"] == pytest.approx(120.0)
    assert summary["total_potential_savings"] == pytest.approx(120.0)
    # At 0.7 only S2 is reliable: it is the benchmark and S1's cheaper lines stay as they were.
    savings, summary = sp.identify_cost_savings(_po_lines(), min_supplier_score=0.7)
    assert (
        summary["total_potential_savings"] == 0
        and summary["products_without_reliable_supplier"] == 1
    )


def test_purchase_trends_fill_months_and_compute_changes() -> None:
    by_supplier, by_month = sp.analyze_purchase_trends(_po_lines(), dt.date(2026, 2, 14))
    assert list(by_month["spend"]) == [1100 + 900 + 520, 1100]
    assert by_month["change"].iloc[1] == pytest.approx(1100 - 2520)
    assert bool(by_month["partial_month"].iloc[1]) and not by_month["partial_month"].iloc[0]
    s2 = by_supplier[by_supplier["supplier_id"] == "S2"]
    assert list(s2["spend"]) == [520, 0] and s2["change_pct"].iloc[1] == pytest.approx(-1.0)


# -- logistics frames ---------------------------------------------------------------------------


def test_delayed_orders_fulfilment_and_capacity() -> None:
    d = pd.Timestamp
    open_orders = pd.DataFrame(
        {
            "order_id": ["A", "B", "C", "D"],
            "warehouse_id": ["W1", "W1", "W2", "W1"],
            "status": ["PENDING", "SHIPPED", "SHIPPED", "PICKING"],
            "priority": ["STANDARD", "EXPRESS", "STANDARD", "STANDARD"],
            "promised_date": [d("2026-06-28"), d("2026-06-25"), d("2026-06-30"), d("2026-07-02")],
            "order_date": [d("2026-06-20")] * 4,
            "units": [1, 2, 3, 4],
        }
    )
    late = lg.identify_delayed_orders(open_orders, dt.date(2026, 6, 30))
    assert list(late["order_id"]) == ["B", "A"] and list(late["days_late"]) == [5, 2]
    assert list(
        lg.identify_delayed_orders(open_orders, dt.date(2026, 6, 30), shipped_only=True)["order_id"]
    ) == ["B"]
    delivered = pd.DataFrame(
        {
            "warehouse_id": ["W1", "W1", "W2"],
            "order_date": [d("2026-06-01")] * 3,
            "promised_date": [d("2026-06-05")] * 3,
            "delivery_date": [d("2026-06-04"), d("2026-06-07"), d("2026-06-05")],
        }
    )
    status = lg.check_fulfillment_status(open_orders, delivered, dt.date(2026, 6, 30)).set_index(
        "warehouse_id"
    )
    assert status.loc["W1", "open_orders"] == 3 and status.loc["W1", "overdue_orders"] == 2
    assert status.loc["W1", "delayed_shipments"] == 1 and status.loc["W2", "due_today"] == 1
    assert status.loc["W1", "on_time_rate"] == pytest.approx(0.5) and status.loc[
        "W1", "avg_fulfilment_days"
    ] == pytest.approx(4.5)
    warehouses = pd.DataFrame(
        {"warehouse_id": ["W1", "W2"], "warehouse_name": ["a", "b"], "capacity_units": [100, 50]}
    )
    stock = pd.DataFrame(
        {
            "warehouse_id": ["W1", "W1", "W2"],
            "product_id": ["x", "y", "x"],
            "quantity_on_hand": [30, 20, 45],
        }
    )
    cap = lg.calculate_warehouse_capacity(warehouses, stock).set_index("warehouse_id")
    assert cap.loc["W2", "utilization"] == pytest.approx(0.9) and cap.loc["W1", "free_units"] == 50
    assert list(cap.index) == ["W2", "W1"]


# -- results are plain JSON ---------------------------------------------------------------------


def test_tool_result_is_json_safe_and_round_trips() -> None:
    frame = pd.DataFrame(
        {
            "d": pd.to_datetime(["2026-06-30", None]),
            "x": [np.float64(1.5), np.inf],
            "n": [np.int64(3), np.int64(4)],
            "b": [np.True_, np.False_],
        }
    )
    result = ToolResult.from_frame(
        "t", frame, {"as_of": dt.date(2026, 6, 30), "nan": float("nan")}, {"extra": frame}
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["rows"] == [["2026-06-30", 1.5, 3, True], [None, None, 4, False]]
    assert data["summary"] == {"as_of": "2026-06-30", "nan": None}
    back = ToolResult.from_dict(data)
    assert (
        back.frame.shape == (2, 4)
        and back.table("extra").shape == (2, 4)
        and back.table("missing").empty
    )
    assert json_safe({"k": (np.float32(2.0), None)}) == {"k": [2.0, None]}
