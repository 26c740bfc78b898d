"""Glossary KPIs: hand-written DuckDB SQL against the same computation in pandas.

For every measure of DATA_MODEL.md's glossary, the DuckDB query (through
:class:`~workbench.warehouse.duckdb.DuckDBWarehouse`, so result conversion is included) and a
pandas implementation over DataFrames loaded from the same DuckDB file (load time reported,
not counted) must give the same numbers; then each is timed (best of N) and the ratio
pandas/duckdb printed. Data is generated once per scale into ``benchmarks/.data``
(git-ignored) and reused.

Run: ``python -m benchmarks kpis`` (small, medium, and large when already generated) or
``python -m benchmarks.bench_kpis --scales small,medium,large`` (generates large: ~1 min).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

AS_OF = dt.date(2026, 6, 30)
SEED = 42
DATA_DIR = Path(__file__).resolve().parent / ".data"
DEFAULT_REPEATS = {"tiny": 5, "small": 5, "medium": 3, "large": 1}

_TODAY = pd.Timestamp(AS_OF)
_WINDOW_START = _TODAY - pd.Timedelta(days=29)  # "last 30 days" = the 30 days ending today
_YEAR_START = pd.Timestamp(AS_OF.replace(month=1, day=1))
_OPEN = ("PENDING", "PICKING", "SHIPPED")
_RECEIVED = ("PARTIAL", "RECEIVED")

# Constants (not user values) spliced into the benchmark's own SQL.
_D = {
    "today": f"DATE '{AS_OF.isoformat()}'",
    "start": f"DATE '{_WINDOW_START.date().isoformat()}'",
    "year": f"DATE '{_YEAR_START.date().isoformat()}'",
}

Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Kpi:
    name: str
    sql: str
    pandas: Callable[[Frames], pd.DataFrame]
    keys: tuple[str, ...]


# -- pandas implementations ---------------------------------------------------------------------
def _sales(t: Frames, *, window: bool) -> pd.DataFrame:
    h = t["sales_order_header"]
    h = h[h["status"] != "CANCELLED"]
    if window:
        h = h[(h["order_date"] >= _WINDOW_START) & (h["order_date"] <= _TODAY)]
    return t["sales_order_line"].merge(h[["order_id", "warehouse_id", "order_date"]], on="order_id")


def _count_by(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.groupby(key).size().rename("n").reset_index()


def pd_out_of_stock(t: Frames) -> pd.DataFrame:
    wp = t["warehouse_product"]
    return _count_by(wp[wp["quantity_on_hand"] == 0], "warehouse_id")


def pd_low_stock(t: Frames) -> pd.DataFrame:
    wp = t["warehouse_product"]
    return _count_by(wp[wp["quantity_on_hand"] <= wp["safety_stock"]], "warehouse_id")


def pd_reorder_needed(t: Frames) -> pd.DataFrame:
    wp = t["warehouse_product"]
    due = wp[wp["quantity_on_hand"] <= wp["reorder_point"]]
    return due.assign(suggested_qty=due["max_stock"] - due["quantity_on_hand"])[
        ["warehouse_id", "product_id", "suggested_qty"]
    ]


def pd_inventory_value(t: Frames) -> pd.DataFrame:
    m = t["warehouse_product"].merge(t["product"][["product_id", "unit_cost"]], on="product_id")
    m["value"] = m["quantity_on_hand"] * m["unit_cost"]
    return m.groupby("warehouse_id")["value"].sum().reset_index()


def pd_demand_cover_risk(t: Frames) -> pd.DataFrame:
    sold = _sales(t, window=True)
    demand = (sold.groupby(["warehouse_id", "product_id"])["quantity"].sum() / 30.0).rename(
        "avg_daily_demand"
    )
    wp = t["warehouse_product"].merge(
        t["product"][["product_id", "lead_time_days"]], on="product_id"
    )
    m = wp.merge(demand.reset_index(), on=["warehouse_id", "product_id"], how="left")
    m["avg_daily_demand"] = m["avg_daily_demand"].fillna(0.0)
    available = m["quantity_on_hand"] - m["quantity_reserved"]
    has_demand = m["avg_daily_demand"] > 0
    m["days_of_cover"] = np.where(
        has_demand, available / m["avg_daily_demand"].where(has_demand, 1.0), np.inf
    )
    m["stockout_risk"] = has_demand & (m["days_of_cover"] < m["lead_time_days"])
    return m[["warehouse_id", "product_id", "avg_daily_demand", "days_of_cover", "stockout_risk"]]


def pd_capacity_utilization(t: Frames) -> pd.DataFrame:
    on_hand = t["warehouse_product"].groupby("warehouse_id")["quantity_on_hand"].sum()
    w = t["warehouse"].set_index("warehouse_id")
    return (on_hand / w["capacity_units"]).rename("utilization").reset_index()


def pd_units_sold(t: Frames) -> pd.DataFrame:
    sold = _sales(t, window=True).merge(t["product"][["product_id", "category"]], on="product_id")
    return sold.groupby("category")["quantity"].sum().rename("units").reset_index()


def pd_revenue_by_month(t: Frames) -> pd.DataFrame:
    sold = _sales(t, window=False)
    month = sold["order_date"].dt.to_period("M").dt.start_time.rename("month")
    return sold.groupby(month)["line_total"].sum().rename("revenue").reset_index()


def _orders(t: Frames) -> pd.DataFrame:
    return t["sales_order_header"]


def pd_open_orders(t: Frames) -> pd.DataFrame:
    h = _orders(t)
    return _count_by(h[h["status"].isin(_OPEN)], "warehouse_id")


def pd_overdue_orders(t: Frames) -> pd.DataFrame:
    h = _orders(t)
    return _count_by(h[h["status"].isin(_OPEN) & (h["promised_date"] < _TODAY)], "warehouse_id")


def pd_due_today(t: Frames) -> pd.DataFrame:
    h = _orders(t)
    return _count_by(h[h["status"].isin(_OPEN) & (h["promised_date"] == _TODAY)], "warehouse_id")


def pd_delayed_shipments(t: Frames) -> pd.DataFrame:
    h = _orders(t)
    return _count_by(h[(h["status"] == "SHIPPED") & (h["promised_date"] < _TODAY)], "warehouse_id")


def _delivered_in_window(t: Frames) -> pd.DataFrame:
    h = _orders(t)
    return h[
        (h["status"] == "DELIVERED")
        & (h["delivery_date"] >= _WINDOW_START)
        & (h["delivery_date"] <= _TODAY)
    ]


def pd_late_deliveries(t: Frames) -> pd.DataFrame:
    d = _delivered_in_window(t)
    return _count_by(d[d["delivery_date"] > d["promised_date"]], "warehouse_id")


def pd_on_time_rate(t: Frames) -> pd.DataFrame:
    d = _delivered_in_window(t)
    on_time = (d["delivery_date"] <= d["promised_date"]).astype(float)
    return on_time.groupby(d["warehouse_id"]).mean().rename("on_time_rate").reset_index()


def pd_fulfilment_time(t: Frames) -> pd.DataFrame:
    d = _delivered_in_window(t)
    days = (d["delivery_date"] - d["order_date"]).dt.days
    return days.groupby(d["warehouse_id"]).mean().rename("avg_days").reset_index()


def _po(t: Frames) -> pd.DataFrame:
    return t["purchase_order_header"]


def pd_spend(t: Frames) -> pd.DataFrame:
    h = _po(t)
    h = h[
        (h["status"] != "CANCELLED")
        & (h["order_date"] >= _YEAR_START)
        & (h["order_date"] <= _TODAY)
    ]
    m = t["purchase_order_line"].merge(h[["po_id", "supplier_id"]], on="po_id")
    return m.groupby("supplier_id")["line_total"].sum().rename("spend").reset_index()


def pd_pending_pos(t: Frames) -> pd.DataFrame:
    h = _po(t)
    return _count_by(h[h["status"].isin(("OPEN", "PARTIAL"))], "supplier_id")


def _received(t: Frames) -> pd.DataFrame:
    h = _po(t)
    return h[h["status"].isin(_RECEIVED) & h["received_date"].notna()]


def pd_supplier_on_time(t: Frames) -> pd.DataFrame:
    r = _received(t)
    on_time = (r["received_date"] <= r["expected_date"]).astype(float)
    return on_time.groupby(r["supplier_id"]).mean().rename("on_time_rate").reset_index()


def pd_lead_time(t: Frames) -> pd.DataFrame:
    r = _received(t)
    days = (r["received_date"] - r["order_date"]).dt.days
    return days.groupby(r["supplier_id"]).mean().rename("avg_lead_days").reset_index()


def pd_fill_rate(t: Frames) -> pd.DataFrame:
    h = _po(t)
    h = h[h["status"].isin(_RECEIVED)]
    m = t["purchase_order_line"].merge(h[["po_id", "supplier_id"]], on="po_id")
    g = m.groupby("supplier_id")[["quantity_received", "quantity_ordered"]].sum()
    return (g["quantity_received"] / g["quantity_ordered"]).rename("fill_rate").reset_index()


def pd_cost_variance(t: Frames) -> pd.DataFrame:
    h = _po(t)
    h = h[h["status"] != "CANCELLED"]
    m = (
        t["purchase_order_line"]
        .merge(h[["po_id", "supplier_id"]], on="po_id")
        .merge(t["product"][["product_id", "unit_cost"]], on="product_id", suffixes=("", "_std"))
    )
    variance = (m["unit_cost"] - m["unit_cost_std"]) / m["unit_cost_std"]
    m["weighted"] = variance * m["quantity_ordered"]
    g = m.groupby("supplier_id")[["weighted", "quantity_ordered"]].sum()
    return (g["weighted"] / g["quantity_ordered"]).rename("cost_variance").reset_index()


def pd_supplier_score(t: Frames) -> pd.DataFrame:
    s = (
        pd_supplier_on_time(t)
        .merge(pd_fill_rate(t), on="supplier_id")
        .merge(pd_cost_variance(t), on="supplier_id")
    )
    price = (1 - s["cost_variance"].clip(lower=0) / 0.2).clip(lower=0)
    s["score"] = 0.4 * s["on_time_rate"] + 0.3 * s["fill_rate"] + 0.3 * price
    return s[["supplier_id", "score"]]


# -- the hand-written SQL ------------------------------------------------------------------------
_SALES_WINDOW = """
    FROM sales_order_line l JOIN sales_order_header h USING (order_id)
    WHERE h.status <> 'CANCELLED' AND h.order_date BETWEEN {start} AND {today}"""
_DELIVERED_WINDOW = """
    FROM sales_order_header
    WHERE status = 'DELIVERED' AND delivery_date BETWEEN {start} AND {today}"""
_RECEIVED_POS = """
    FROM purchase_order_header
    WHERE status IN ('PARTIAL', 'RECEIVED') AND received_date IS NOT NULL"""
_ON_TIME = f"""
    SELECT supplier_id, avg(CASE WHEN received_date <= expected_date THEN 1.0 ELSE 0.0 END)::DOUBLE
           AS on_time_rate {_RECEIVED_POS} GROUP BY supplier_id"""
_FILL = """
    SELECT h.supplier_id, sum(l.quantity_received) / sum(l.quantity_ordered) AS fill_rate
    FROM purchase_order_line l JOIN purchase_order_header h USING (po_id)
    WHERE h.status IN ('PARTIAL', 'RECEIVED') GROUP BY h.supplier_id"""
_VARIANCE = """
    SELECT h.supplier_id,
           sum(l.quantity_ordered * (l.unit_cost - p.unit_cost) / p.unit_cost)::DOUBLE
             / sum(l.quantity_ordered) AS cost_variance
    FROM purchase_order_line l JOIN purchase_order_header h USING (po_id)
    JOIN product p ON p.product_id = l.product_id
    WHERE h.status <> 'CANCELLED' GROUP BY h.supplier_id"""

KPIS: list[Kpi] = [
    Kpi(
        "out_of_stock",
        "SELECT warehouse_id, count(*) AS n FROM warehouse_product WHERE quantity_on_hand = 0 GROUP BY 1",
        pd_out_of_stock,
        ("warehouse_id",),
    ),
    Kpi(
        "low_stock",
        "SELECT warehouse_id, count(*) AS n FROM warehouse_product "
        "WHERE quantity_on_hand <= safety_stock GROUP BY 1",
        pd_low_stock,
        ("warehouse_id",),
    ),
    Kpi(
        "reorder_needed",
        "SELECT warehouse_id, product_id, max_stock - quantity_on_hand AS suggested_qty "
        "FROM warehouse_product WHERE quantity_on_hand <= reorder_point",
        pd_reorder_needed,
        ("warehouse_id", "product_id"),
    ),
    Kpi(
        "inventory_value",
        "SELECT wp.warehouse_id, sum(wp.quantity_on_hand * p.unit_cost)::DOUBLE AS value "
        "FROM warehouse_product wp JOIN product p USING (product_id) GROUP BY 1",
        pd_inventory_value,
        ("warehouse_id",),
    ),
    Kpi(
        "demand_cover_stockout_risk",
        f"""WITH demand AS (
              SELECT h.warehouse_id, l.product_id, sum(l.quantity) / 30.0 AS avg_daily_demand
              {_SALES_WINDOW} GROUP BY 1, 2)
            SELECT wp.warehouse_id, wp.product_id,
                   coalesce(d.avg_daily_demand, 0)::DOUBLE AS avg_daily_demand,
                   CASE WHEN coalesce(d.avg_daily_demand, 0) = 0 THEN 'inf'::DOUBLE
                        ELSE (wp.quantity_on_hand - wp.quantity_reserved) / d.avg_daily_demand
                   END AS days_of_cover,
                   coalesce(d.avg_daily_demand, 0) > 0
                     AND (wp.quantity_on_hand - wp.quantity_reserved) / d.avg_daily_demand
                         < p.lead_time_days AS stockout_risk
            FROM warehouse_product wp JOIN product p USING (product_id)
            LEFT JOIN demand d ON d.warehouse_id = wp.warehouse_id AND d.product_id = wp.product_id""",
        pd_demand_cover_risk,
        ("warehouse_id", "product_id"),
    ),
    Kpi(
        "capacity_utilization",
        "SELECT w.warehouse_id, sum(wp.quantity_on_hand) / w.capacity_units AS utilization "
        "FROM warehouse w JOIN warehouse_product wp USING (warehouse_id) "
        "GROUP BY w.warehouse_id, w.capacity_units",
        pd_capacity_utilization,
        ("warehouse_id",),
    ),
    Kpi(
        "units_sold",
        "SELECT p.category, sum(l.quantity) AS units "
        "FROM sales_order_line l JOIN sales_order_header h USING (order_id) "
        "JOIN product p ON p.product_id = l.product_id "
        "WHERE h.status <> 'CANCELLED' AND h.order_date BETWEEN {start} AND {today} "
        "GROUP BY p.category",
        pd_units_sold,
        ("category",),
    ),
    Kpi(
        "revenue_by_month",
        "SELECT date_trunc('month', h.order_date) AS month, sum(l.line_total)::DOUBLE AS revenue "
        "FROM sales_order_line l JOIN sales_order_header h USING (order_id) "
        "WHERE h.status <> 'CANCELLED' GROUP BY 1",
        pd_revenue_by_month,
        ("month",),
    ),
    Kpi(
        "open_orders",
        "SELECT warehouse_id, count(*) AS n FROM sales_order_header "
        "WHERE status IN ('PENDING', 'PICKING', 'SHIPPED') GROUP BY 1",
        pd_open_orders,
        ("warehouse_id",),
    ),
    Kpi(
        "overdue_orders",
        "SELECT warehouse_id, count(*) AS n FROM sales_order_header "
        "WHERE status IN ('PENDING', 'PICKING', 'SHIPPED') AND promised_date < {today} GROUP BY 1",
        pd_overdue_orders,
        ("warehouse_id",),
    ),
    Kpi(
        "due_today",
        "SELECT warehouse_id, count(*) AS n FROM sales_order_header "
        "WHERE status IN ('PENDING', 'PICKING', 'SHIPPED') AND promised_date = {today} GROUP BY 1",
        pd_due_today,
        ("warehouse_id",),
    ),
    Kpi(
        "delayed_shipments",
        "SELECT warehouse_id, count(*) AS n FROM sales_order_header "
        "WHERE status = 'SHIPPED' AND promised_date < {today} GROUP BY 1",
        pd_delayed_shipments,
        ("warehouse_id",),
    ),
    Kpi(
        "late_deliveries",
        f"SELECT warehouse_id, count(*) AS n {_DELIVERED_WINDOW} "
        "AND delivery_date > promised_date GROUP BY 1",
        pd_late_deliveries,
        ("warehouse_id",),
    ),
    Kpi(
        "on_time_rate",
        "SELECT warehouse_id, avg(CASE WHEN delivery_date <= promised_date THEN 1.0 ELSE 0.0 END)"
        f"::DOUBLE AS on_time_rate {_DELIVERED_WINDOW} GROUP BY 1",
        pd_on_time_rate,
        ("warehouse_id",),
    ),
    Kpi(
        "fulfilment_time",
        "SELECT warehouse_id, avg(date_diff('day', order_date, delivery_date)) AS avg_days "
        f"{_DELIVERED_WINDOW} GROUP BY 1",
        pd_fulfilment_time,
        ("warehouse_id",),
    ),
    Kpi(
        "spend",
        "SELECT h.supplier_id, sum(l.line_total)::DOUBLE AS spend "
        "FROM purchase_order_line l JOIN purchase_order_header h USING (po_id) "
        "WHERE h.status <> 'CANCELLED' AND h.order_date BETWEEN {year} AND {today} GROUP BY 1",
        pd_spend,
        ("supplier_id",),
    ),
    Kpi(
        "pending_pos",
        "SELECT supplier_id, count(*) AS n FROM purchase_order_header "
        "WHERE status IN ('OPEN', 'PARTIAL') GROUP BY 1",
        pd_pending_pos,
        ("supplier_id",),
    ),
    Kpi("supplier_on_time_rate", _ON_TIME, pd_supplier_on_time, ("supplier_id",)),
    Kpi(
        "supplier_lead_time",
        "SELECT supplier_id, avg(date_diff('day', order_date, received_date)) AS avg_lead_days "
        f"{_RECEIVED_POS} GROUP BY 1",
        pd_lead_time,
        ("supplier_id",),
    ),
    Kpi("fill_rate", _FILL, pd_fill_rate, ("supplier_id",)),
    Kpi("cost_variance", _VARIANCE, pd_cost_variance, ("supplier_id",)),
    Kpi(
        "supplier_score",
        f"""WITH o AS ({_ON_TIME}), f AS ({_FILL}), v AS ({_VARIANCE})
            SELECT supplier_id,
                   0.4 * o.on_time_rate + 0.3 * f.fill_rate
                   + 0.3 * greatest(0, 1 - greatest(0, v.cost_variance) / 0.2) AS score
            FROM o JOIN f USING (supplier_id) JOIN v USING (supplier_id)""",
        pd_supplier_score,
        ("supplier_id",),
    ),
]


# -- comparison ------------------------------------------------------------------------------------
def _normalize(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(bool)
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(float)
        else:
            out[col] = out[col].astype(str)
    return out.sort_values(list(keys)).reset_index(drop=True)


def assert_same(name: str, duck: pd.DataFrame, pand: pd.DataFrame, keys: tuple[str, ...]) -> None:
    """Same rows, same columns, numbers equal to 1e-9 (relative): or an AssertionError saying where."""
    if sorted(duck.columns) != sorted(pand.columns):
        raise AssertionError(
            f"{name}: columns differ: {list(duck.columns)} vs {list(pand.columns)}"
        )
    d = _normalize(duck[list(duck.columns)], keys)
    p = _normalize(pand[list(duck.columns)], keys)
    if len(d) != len(p):
        raise AssertionError(f"{name}: {len(d)} rows from DuckDB, {len(p)} from pandas")
    if len(d) == 0:
        raise AssertionError(f"{name}: empty result: the benchmark would prove nothing")
    for col in d.columns:
        a, b = d[col], p[col]
        if a.dtype == float:
            same = np.isclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)
            same |= np.isinf(a.to_numpy()) & (a.to_numpy() == b.to_numpy())
        else:
            same = (a == b).to_numpy()
        if not same.all():
            i = int(np.argmin(same))
            raise AssertionError(
                f"{name}: column {col} differs at row {i}: {a.iloc[i]!r} vs {b.iloc[i]!r}"
            )


# -- running ----------------------------------------------------------------------------------------
def dataset(scale: str, *, create: bool = True) -> Path | None:
    """The cached DuckDB file for ``scale`` (seed 42, end date AS_OF), generated if asked."""
    path = DATA_DIR / f"{scale}-seed{SEED}-{AS_OF.isoformat()}.duckdb"
    if path.is_file():
        return path
    if not create:
        return None
    from workbench.data.generator import generate

    print(f"generating {scale} into {path} ...", flush=True)
    start = time.perf_counter()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    generate(path, scale=scale, seed=SEED, end_date=AS_OF)
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    return path


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def run_scale(scale: str, path: Path, repeats: int) -> dict[str, Any]:
    from workbench.data.schema import TABLES
    from workbench.warehouse.duckdb import DuckDBWarehouse

    wh = DuckDBWarehouse(path, row_limit=10**9, timeout=3600)
    try:
        start = time.perf_counter()
        frames = {t.name: wh.query(f"SELECT * FROM {t.name}") for t in TABLES}
        load_s = time.perf_counter() - start
        rows = {name: len(f) for name, f in frames.items()}
        print(
            f"\n[{scale}] {rows['sales_order_line']:,} order lines; loading all tables into pandas "
            f"took {load_s:.2f} s (excluded); best of {max(3, repeats)} (duckdb) / {repeats} (pandas)",
            flush=True,
        )
        print(f"{'kpi':<28}{'duckdb ms':>12}{'pandas ms':>12}{'pandas/duckdb':>15}")
        results = []
        for kpi in KPIS:
            sql = kpi.sql.format(**_D)
            wh.query(sql)  # warm-up: parse and plan caches, first-touch of columns
            # DuckDB runs are cheap: at least 3 even when pandas gets one (large), to damp noise.
            duck_s, duck = _best(lambda sql=sql: wh.query(sql), max(3, repeats))
            pandas_s, pand = _best(lambda kpi=kpi: kpi.pandas(frames), repeats)
            assert_same(kpi.name, duck, pand, kpi.keys)
            ratio = pandas_s / duck_s
            results.append(
                {
                    "kpi": kpi.name,
                    "duckdb_ms": round(duck_s * 1000, 3),
                    "pandas_ms": round(pandas_s * 1000, 3),
                    "ratio": round(ratio, 2),
                    "result_rows": len(duck),
                }
            )
            print(
                f"{kpi.name:<28}{duck_s * 1000:>12.2f}{pandas_s * 1000:>12.2f}{ratio:>15.2f}",
                flush=True,
            )
        total_duck = sum(r["duckdb_ms"] for r in results)
        total_pandas = sum(r["pandas_ms"] for r in results)
        geo = statistics.geometric_mean(r["ratio"] for r in results)
        print(
            f"{'TOTAL':<28}{total_duck:>12.2f}{total_pandas:>12.2f}{total_pandas / total_duck:>15.2f}"
            f"   (geometric mean of ratios {geo:.2f})"
        )
        return {
            "scale": scale,
            "sales_order_lines": rows["sales_order_line"],
            "load_seconds": round(load_s, 3),
            "repeats": repeats,
            "kpis": results,
            "total_duckdb_ms": round(total_duck, 3),
            "total_pandas_ms": round(total_pandas, 3),
            "total_ratio": round(total_pandas / total_duck, 2),
            "geomean_ratio": round(geo, 2),
        }
    finally:
        wh.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_kpis", description=__doc__)
    parser.add_argument(
        "--scales",
        default=None,
        help="comma-separated scales (default: small,medium, plus large when already generated)",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed runs per query (best kept)"
    )
    args = parser.parse_args(argv)
    if args.scales:
        scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    else:
        scales = ["small", "medium"] + (["large"] if dataset("large", create=False) else [])
    out = []
    for scale in scales:
        path = dataset(scale)
        assert path is not None
        out.append(run_scale(scale, path, args.repeats or DEFAULT_REPEATS.get(scale, 3)))
    return {"as_of": AS_OF.isoformat(), "seed": SEED, "results": out, "ok": True}


if __name__ == "__main__":
    main(sys.argv[1:])
