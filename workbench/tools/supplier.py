"""Supplier calculations: scores, cost comparison, savings, purchase trends.

Pure functions over the PO lines fetched by
:func:`workbench.tools.data_access.fetch_purchase_lines` (header + line + product
standard cost + supplier name, cancelled POs already excluded). Definitions follow the
DATA_MODEL.md glossary:

- on-time rate = POs with received_date <= expected_date / POs with a received_date
  (status PARTIAL or RECEIVED);
- fill rate = sum quantity_received / sum quantity_ordered over POs PARTIAL or RECEIVED;
- cost variance = (line unit_cost - product unit_cost) / product unit_cost, averaged with
  quantity_ordered as weight;
- price score = max(0, 1 - max(0, average cost variance) / 0.2);
- supplier score = 0.4 x on-time rate + 0.3 x fill rate + 0.3 x price score.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_MIN_SUPPLIER_SCORE",
    "analyze_purchase_trends",
    "analyze_supplier_performance",
    "compare_supplier_costs",
    "identify_cost_savings",
    "price_score",
    "supplier_score",
]

RECEIVED_STATUSES = ("PARTIAL", "RECEIVED")
#: A supplier counts as reliable for savings when its score is at least this.
DEFAULT_MIN_SUPPLIER_SCORE = 0.7


def price_score(avg_cost_variance: float) -> float:
    """max(0, 1 - max(0, variance) / 0.2): paying at or below standard cost scores 1, 20% above scores 0."""
    return max(0.0, 1.0 - max(0.0, avg_cost_variance) / 0.2)


def supplier_score(on_time_rate: float, fill_rate: float, avg_cost_variance: float) -> float:
    """0.4 on-time + 0.3 fill + 0.3 price score (range 0..1)."""
    return 0.4 * on_time_rate + 0.3 * fill_rate + 0.3 * price_score(avg_cost_variance)


def _weighted_variance(lines: pd.DataFrame) -> pd.Series:
    variance = (lines["unit_cost"] - lines["standard_cost"]) / lines["standard_cost"]
    return variance * lines["quantity_ordered"]


def analyze_supplier_performance(po_lines: pd.DataFrame) -> pd.DataFrame:
    """One row per supplier with the score's components, lead time and spend; best score first."""
    lines = po_lines[po_lines["status"] != "CANCELLED"].copy()
    lines["_wvar"] = _weighted_variance(lines)
    headers = lines.drop_duplicates("po_id")[
        ["po_id", "supplier_id", "order_date", "expected_date", "received_date", "status"]
    ]
    received = headers[
        headers["status"].isin(RECEIVED_STATUSES) & headers["received_date"].notna()
    ].copy()
    received["on_time"] = received["received_date"] <= received["expected_date"]
    received["lead_time_days"] = (received["received_date"] - received["order_date"]).dt.days
    filled = lines[lines["status"].isin(RECEIVED_STATUSES)]

    base = lines.groupby(["supplier_id", "supplier_name"], as_index=False).agg(
        po_count=("po_id", "nunique"),
        spend=("line_total", "sum"),
        units_ordered=("quantity_ordered", "sum"),
        _wvar=("_wvar", "sum"),
    )
    base["avg_cost_variance"] = base["_wvar"] / base["units_ordered"]
    rec = received.groupby("supplier_id").agg(
        received_pos=("po_id", "count"),
        on_time_pos=("on_time", "sum"),
        avg_lead_time_days=("lead_time_days", "mean"),
    )
    fill = filled.groupby("supplier_id").agg(
        _received=("quantity_received", "sum"), _ordered=("quantity_ordered", "sum")
    )
    out = base.merge(rec, on="supplier_id", how="left").merge(fill, on="supplier_id", how="left")
    out["received_pos"] = out["received_pos"].fillna(0).astype("int64")
    out["on_time_pos"] = out["on_time_pos"].fillna(0).astype("int64")
    out["on_time_rate"] = out["on_time_pos"] / out["received_pos"].where(out["received_pos"] > 0)
    out["fill_rate"] = out["_received"] / out["_ordered"].where(out["_ordered"] > 0)
    out["price_score"] = out["avg_cost_variance"].map(price_score)
    out["score"] = 0.4 * out["on_time_rate"] + 0.3 * out["fill_rate"] + 0.3 * out["price_score"]
    out = out.sort_values(
        ["score", "supplier_id"], ascending=[False, True], na_position="last", ignore_index=True
    )
    out["rank"] = np.arange(1, len(out) + 1)
    cols = [
        "rank",
        "supplier_id",
        "supplier_name",
        "score",
        "on_time_rate",
        "fill_rate",
        "avg_cost_variance",
        "price_score",
        "avg_lead_time_days",
        "po_count",
        "received_pos",
        "on_time_pos",
        "units_ordered",
        "spend",
    ]
    return out[cols]


def compare_supplier_costs(po_lines: pd.DataFrame) -> pd.DataFrame:
    """Per product and supplier that sold it: quantity-weighted average price and premium over the cheapest."""
    lines = po_lines[po_lines["status"] != "CANCELLED"]
    out = lines.groupby(
        ["product_id", "product_name", "supplier_id", "supplier_name"], as_index=False
    ).agg(
        units_ordered=("quantity_ordered", "sum"),
        spend=("line_total", "sum"),
        po_count=("po_id", "nunique"),
        min_unit_cost=("unit_cost", "min"),
        max_unit_cost=("unit_cost", "max"),
        standard_cost=("standard_cost", "first"),
    )
    weighted = (
        lines.assign(_w=lines["unit_cost"] * lines["quantity_ordered"])
        .groupby(["product_id", "supplier_id"], as_index=False)
        .agg(_w=("_w", "sum"))
    )
    out = out.merge(weighted, on=["product_id", "supplier_id"], how="left")
    out["avg_unit_cost"] = out["_w"] / out["units_ordered"]
    out["cost_variance"] = (out["avg_unit_cost"] - out["standard_cost"]) / out["standard_cost"]
    best = out.groupby("product_id")["avg_unit_cost"].transform("min")
    out["premium_vs_cheapest"] = out["avg_unit_cost"] / best - 1.0
    out["is_cheapest"] = np.isclose(out["avg_unit_cost"], best)
    out = out.sort_values(["product_id", "avg_unit_cost", "supplier_id"], ignore_index=True)
    out["rank"] = out.groupby("product_id").cumcount() + 1
    cols = [
        "product_id",
        "product_name",
        "rank",
        "supplier_id",
        "supplier_name",
        "avg_unit_cost",
        "min_unit_cost",
        "max_unit_cost",
        "standard_cost",
        "cost_variance",
        "premium_vs_cheapest",
        "is_cheapest",
        "units_ordered",
        "po_count",
        "spend",
    ]
    return out[cols]


def identify_cost_savings(
    po_lines: pd.DataFrame, *, min_supplier_score: float = DEFAULT_MIN_SUPPLIER_SCORE
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """What buying each product from its cheapest reliable supplier would have saved.

    For each product, the reliable suppliers (score >= ``min_supplier_score`` over the
    same POs) that sold it are compared by quantity-weighted average price; the cheapest
    is the benchmark. Each PO line bought from another supplier above that price would
    have saved (unit_cost - benchmark) x quantity_ordered; lines already cheaper, and the
    benchmark supplier's own lines, stay as they were. Products no reliable supplier sold
    are skipped (counted in the summary).
    """
    lines = po_lines[po_lines["status"] != "CANCELLED"]
    scores = analyze_supplier_performance(lines).set_index("supplier_id")["score"]
    costs = compare_supplier_costs(lines)
    costs["supplier_score"] = costs["supplier_id"].map(scores)
    reliable = costs[costs["supplier_score"] >= min_supplier_score]
    bench = reliable.sort_values(["product_id", "avg_unit_cost", "supplier_id"]).drop_duplicates(
        "product_id"
    )
    bench = bench.set_index("product_id")[
        ["supplier_id", "supplier_name", "avg_unit_cost", "supplier_score"]
    ]
    bench = bench.rename(
        columns={
            "supplier_id": "best_supplier_id",
            "supplier_name": "best_supplier_name",
            "avg_unit_cost": "best_unit_cost",
            "supplier_score": "best_supplier_score",
        }
    )
    paid = lines.assign(_value=lines["unit_cost"] * lines["quantity_ordered"])
    per = paid.groupby("product_id").agg(
        product_name=("product_name", "first"),
        spend=("line_total", "sum"),
        units_ordered=("quantity_ordered", "sum"),
        _value=("_value", "sum"),
    )
    per["current_avg_unit_cost"] = per["_value"] / per["units_ordered"]
    per = per.join(bench, how="inner")
    moved = paid.join(bench, on="product_id", how="inner")
    moved = moved[moved["supplier_id"] != moved["best_supplier_id"]]
    gain = (moved["unit_cost"] - moved["best_unit_cost"]).clip(lower=0) * moved["quantity_ordered"]
    per["potential_savings"] = (
        gain.groupby(moved["product_id"]).sum().reindex(per.index, fill_value=0.0)
    )
    per["savings_pct"] = (per["potential_savings"] / per["spend"].where(per["spend"] > 0)).fillna(
        0.0
    )
    cols = [
        "product_id", "product_name", "spend", "units_ordered", "current_avg_unit_cost", "best_supplier_id",
        "best_supplier_name", "best_supplier_score", "best_unit_cost", "potential_savings", "savings_pct",
    ]  # fmt: skip
    out = per.reset_index()[cols]
    out = out[out["potential_savings"] > 0.005].sort_values(
        ["potential_savings", "product_id"], ascending=[False, True], ignore_index=True
    )
    products = lines["product_id"].nunique()
    summary = {
        "total_potential_savings": float(out["potential_savings"].sum()) if len(out) else 0.0,
        "total_spend": float(lines["line_total"].sum()),
        "products_with_savings": len(out),
        "products_considered": int(products),
        "products_without_reliable_supplier": int(products - len(bench)),
        "min_supplier_score": min_supplier_score,
    }
    summary["savings_pct_of_spend"] = (
        summary["total_potential_savings"] / summary["total_spend"]
        if summary["total_spend"]
        else 0.0
    )
    return out, summary


def analyze_purchase_trends(
    po_lines: pd.DataFrame, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spend by month (PO order_date) and supplier with the change on the previous month.

    Returns ``(by_supplier, by_month)``: every supplier gets every month of the span
    (zero when it sold nothing), and ``by_month`` totals them. A month that ``as_of`` has
    not finished is flagged ``partial_month``.
    """
    lines = po_lines[po_lines["status"] != "CANCELLED"].copy()
    cols = [
        "month",
        "supplier_id",
        "supplier_name",
        "spend",
        "previous_spend",
        "change",
        "change_pct",
        "po_count",
        "partial_month",
    ]
    if lines.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(
            columns=["month", "spend", "previous_spend", "change", "change_pct", "partial_month"]
        )
    lines["month"] = pd.to_datetime(lines["order_date"]).dt.to_period("M").dt.to_timestamp()
    agg = lines.groupby(["month", "supplier_id"], as_index=False).agg(
        spend=("line_total", "sum"), po_count=("po_id", "nunique")
    )
    months = pd.date_range(agg["month"].min(), agg["month"].max(), freq="MS")
    names = lines.drop_duplicates("supplier_id").set_index("supplier_id")["supplier_name"]
    grid = pd.MultiIndex.from_product(
        [months, sorted(names.index)], names=["month", "supplier_id"]
    ).to_frame(index=False)
    grid["month"] = grid["month"].astype(agg["month"].dtype)
    out = grid.merge(agg, on=["month", "supplier_id"], how="left")
    out["spend"] = out["spend"].fillna(0.0)
    out["po_count"] = out["po_count"].fillna(0).astype("int64")
    out["supplier_name"] = out["supplier_id"].map(names)
    out = out.sort_values(["supplier_id", "month"], ignore_index=True)
    out["previous_spend"] = out.groupby("supplier_id")["spend"].shift(1)
    _changes(out)
    last_month_end = (pd.Timestamp(as_of).to_period("M").to_timestamp(how="end")).normalize()
    partial = pd.Timestamp(as_of) < last_month_end
    current = pd.Timestamp(as_of).to_period("M").to_timestamp()
    out["partial_month"] = (out["month"] == current) & partial
    out = out.sort_values(
        ["month", "spend", "supplier_id"], ascending=[True, False, True], ignore_index=True
    )[cols]

    total = out.groupby("month", as_index=False).agg(
        spend=("spend", "sum"), partial_month=("partial_month", "any")
    )
    total["previous_spend"] = total["spend"].shift(1)
    _changes(total)
    return out, total[["month", "spend", "previous_spend", "change", "change_pct", "partial_month"]]


def _changes(frame: pd.DataFrame) -> None:
    frame["change"] = frame["spend"] - frame["previous_spend"]
    prev = frame["previous_spend"]
    frame["change_pct"] = frame["change"] / prev.where(prev > 0)
