"""Calculation tool speed: delivery routes of 10, 50 and 200 stops; forecasts for a whole warehouse.

Routes use synthetic stops (uniform within about 60 km of a depot, fixed seeds) and the
tool's default solver choice: exact Held-Karp up to 12 stops, fast-tsp for longer tours and
PyVRP for fleets, with the time limit (default 1 s); quality against optima is in bench_routing. Each route's length is compared with a
nearest-neighbour tour to show what the search buys. A capacitated 5-vehicle run of 200
stops is timed too.

Forecasts run the ``forecast_demand`` tool for every product of one warehouse on the
``small`` sample data (generated into a temporary directory), then the Holt-Winters path
alone on 240 synthetic series of 365 days with trend and weekly seasonality (the sample
data is mostly intermittent at warehouse level, where the fast Croston method applies).
Finally every tool is timed once on the sample data.

Run: ``python -m benchmarks tools`` or ``python -m benchmarks.bench_tools --time-limit 2``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

END_DATE = dt.date(2026, 6, 30)


def _stops(n: int, seed: int) -> tuple[dict[str, Any], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    depot = {"warehouse_id": "BENCH", "latitude": 40.0, "longitude": -74.0}
    stops = pd.DataFrame(
        {
            "order_id": [f"SO-{i:05d}" for i in range(n)],
            "latitude": 40.0 + rng.uniform(-0.55, 0.55, n),
            "longitude": -74.0 + rng.uniform(-0.7, 0.7, n),
            "units": rng.integers(1, 30, n),
        }
    )
    return depot, stops


def _nearest_neighbour_km(depot: dict[str, Any], stops: pd.DataFrame) -> float:
    from workbench.tools.routing import distance_matrix

    m = distance_matrix(
        [depot["latitude"], *stops["latitude"]], [depot["longitude"], *stops["longitude"]]
    )
    left = set(range(1, m.shape[0]))
    here, total = 0, 0.0
    while left:
        nxt = min(left, key=lambda j: m[here, j])
        total += m[here, nxt]
        left.remove(nxt)
        here = nxt
    return float(total + m[here, 0])


def bench_routes(sizes: list[int], time_limit: float) -> list[dict[str, Any]]:
    from workbench.tools.logistics import optimize_delivery_route

    rows = []
    for n in sizes:
        depot, stops = _stops(n, seed=n)
        repeats = 3 if n <= 12 else 1
        times = []
        summary: dict[str, Any] = {}
        for _ in range(repeats):
            start = time.perf_counter()
            _, summary = optimize_delivery_route(depot, stops, time_limit_seconds=time_limit)
            times.append(time.perf_counter() - start)
        nn = _nearest_neighbour_km(depot, stops)
        row = {
            "stops": n,
            "vehicles": 1,
            "seconds": round(statistics.median(times), 3),
            "method": summary["method"],
            "total_km": summary["total_km"],
            "nearest_neighbour_km": round(nn, 3),
            "saving_vs_nearest_neighbour": round(1 - summary["total_km"] / nn, 4),
        }
        rows.append(row)
        print(
            f"route {n:>4} stops: {row['seconds']:.3f} s ({row['method']}), {row['total_km']:.1f} km, "
            f"{row['saving_vs_nearest_neighbour']:.1%} shorter than nearest neighbour",
            flush=True,
        )
    depot, stops = _stops(200, seed=7)
    capacity = int(np.ceil(stops["units"].sum() / 5 * 1.1))
    start = time.perf_counter()
    _, summary = optimize_delivery_route(
        depot, stops, vehicles=5, vehicle_capacity=capacity, time_limit_seconds=time_limit
    )
    seconds = time.perf_counter() - start
    rows.append(
        {
            "stops": 200,
            "vehicles": 5,
            "vehicle_capacity": capacity,
            "seconds": round(seconds, 3),
            "method": summary["method"],
            "total_km": summary["total_km"],
            "vehicles_used": summary["vehicles_used"],
        }
    )
    print(
        f"route  200 stops, 5 vehicles x {capacity} units: {seconds:.3f} s, {summary['total_km']:.1f} km, {summary['vehicles_used']} vehicles used",
        flush=True,
    )
    return rows


def bench_forecast_sample(home: Path, warehouse_id: str) -> dict[str, Any]:
    from workbench.app import Workbench
    from workbench.tools import registry

    with Workbench(home=home) as wb:
        registry.call(
            "forecast_demand",
            {"as_of": END_DATE.isoformat(), "product_ids": ["P0001"]},
            wb.warehouse,
        )  # warm imports
        start = time.perf_counter()
        result = registry.call(
            "forecast_demand",
            {"as_of": END_DATE.isoformat(), "warehouse_id": warehouse_id, "horizon_days": 14},
            wb.warehouse,
        )
        seconds = time.perf_counter() - start
    s = result.summary
    out = {
        "warehouse_id": warehouse_id,
        "products": s["products"],
        "history_days": s["history_days"],
        "seconds": round(seconds, 3),
        "ms_per_product": round(seconds * 1000 / max(1, s["products"]), 2),
        "methods": s["methods"],
        "pooled_backtest_wmape": round(s["backtest_wmape"], 4)
        if s["backtest_wmape"] is not None
        else None,
    }
    print(
        f"forecast {warehouse_id}: {out['products']} products x {out['history_days']} days in {seconds:.2f} s "
        f"({out['ms_per_product']} ms/product), methods {out['methods']}, pooled WMAPE {out['pooled_backtest_wmape']}",
        flush=True,
    )
    return out


def bench_forecast_synthetic(series: int = 240, days: int = 365) -> dict[str, Any]:
    from workbench.tools.forecasting import forecast_series, moving_average_forecast, wmape

    rng = np.random.default_rng(0)
    index = pd.date_range("2025-07-01", periods=days, freq="D")
    t = np.arange(days)
    weekly = np.array([4.0, 6.0, 5.0, 3.0, 8.0, -12.0, -14.0])
    model_err, base_err = [], []
    start = time.perf_counter()
    for i in range(series):
        level = rng.uniform(15, 60)
        values = np.clip(
            level
            + rng.uniform(-0.03, 0.1) * t
            + weekly[t % 7] * level / 30
            + rng.normal(0, level * 0.08, days),
            0,
            None,
        )
        out = forecast_series(pd.Series(values, index=index), 14, backtest_days=14)
        if i == 0:
            assert out.method == "holt_winters"
        model_err.append(out.backtest_wmape or 0.0)
        base_err.append(wmape(values[-14:], moving_average_forecast(values[:-14], 14)) or 0.0)
    seconds = time.perf_counter() - start
    result = {
        "series": series,
        "days": days,
        "seconds": round(seconds, 3),
        "ms_per_series": round(seconds * 1000 / series, 2),
        "median_backtest_wmape": round(float(np.median(model_err)), 4),
        "median_moving_average_wmape": round(float(np.median(base_err)), 4),
    }
    print(
        f"holt-winters {series} synthetic series x {days} days: {seconds:.2f} s ({result['ms_per_series']} ms/series); "
        f"median WMAPE {result['median_backtest_wmape']:.3f} vs 7-day average {result['median_moving_average_wmape']:.3f}",
        flush=True,
    )
    return result


def bench_every_tool(home: Path) -> dict[str, float]:
    from workbench.app import Workbench
    from workbench.tools import registry

    a = END_DATE.isoformat()
    calls = {
        "safety_stock": {"as_of": a},
        "reorder_point": {"as_of": a},
        "economic_order_quantity": {"as_of": a},
        "identify_low_stock": {},
        "identify_stockout_risk": {"as_of": a},
        "forecast_demand": {"as_of": a, "category": "Plumbing"},
        "optimize_delivery_route": {"as_of": a, "warehouse_id": "WH-EAST"},
        "check_fulfillment_status": {"as_of": a},
        "identify_delayed_orders": {"as_of": a},
        "calculate_warehouse_capacity": {},
        "analyze_supplier_performance": {"as_of": a},
        "compare_supplier_costs": {"as_of": a},
        "identify_cost_savings": {"as_of": a},
        "analyze_purchase_trends": {"as_of": a},
    }
    out = {}
    with Workbench(home=home) as wb:
        for name, args in calls.items():
            start = time.perf_counter()
            registry.call(name, args, wb.warehouse)
            out[name] = round((time.perf_counter() - start) * 1000, 1)
    print(
        "every tool on small data (ms): " + ", ".join(f"{k} {v}" for k, v in out.items()),
        flush=True,
    )
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_tools")
    parser.add_argument("--sizes", default="10,50,200", help="route sizes (stops)")
    parser.add_argument(
        "--time-limit", type=float, default=1.0, help="route solver time limit in seconds"
    )
    parser.add_argument("--warehouse", default="WH-EAST")
    args = parser.parse_args(argv)
    routes = bench_routes([int(s) for s in args.sizes.split(",") if s.strip()], args.time_limit)
    with tempfile.TemporaryDirectory(prefix="bench_tools_") as tmp:
        from workbench.data.generator import generate

        generate(tmp, scale="small", seed=42, end_date=END_DATE)
        forecast = bench_forecast_sample(Path(tmp), args.warehouse)
        tools = bench_every_tool(Path(tmp))
    synthetic = bench_forecast_synthetic()
    ok = all(r["seconds"] < args.time_limit + 5 for r in routes)
    return {
        "routes": routes,
        "forecast_sample": forecast,
        "forecast_synthetic": synthetic,
        "tool_ms": tools,
        "time_limit_seconds": args.time_limit,
        "ok": ok,
    }


if __name__ == "__main__":
    figures = main(sys.argv[1:])
    sys.exit(0 if figures.get("ok", True) else 1)
