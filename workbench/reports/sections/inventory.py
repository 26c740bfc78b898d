"""Inventory health (Warehouse Manager): stock-outs, reorders, stockout risk, value, forecast."""

from __future__ import annotations

import pandas as pd

from workbench.core import present
from workbench.reports.sections.common import (
    Kpi,
    ReportContext,
    SectionOutput,
    Summary,
    bar_png,
    figure,
    figure_png,
    last_days,
)

__all__ = [
    "demand_forecast",
    "executive_summary",
    "inventory_value",
    "out_of_stock",
    "reorder_needed",
    "stockout_risk",
    "summary_kpis",
]

PERSONA = "warehouse_manager"


def summary_kpis(ctx: ReportContext) -> list[Kpi]:
    """The headline numbers: one semantic-layer query, the same metrics ``ask`` answers with."""
    frame = ctx.metrics("out_of_stock", "reorder_needed", "stockout_risk", "inventory_value")
    row = frame.iloc[0] if len(frame) else pd.Series(dtype=float)
    where = ctx.scope_question

    def val(name: str) -> float | None:
        v = row.get(name)
        return None if v is None or pd.isna(v) else float(v)

    return [
        Kpi("out_of_stock", "positions out of stock", val("out_of_stock"), "count",
            f"How many stock positions are out of stock{where}?"),
        Kpi("reorder_needed", "positions at or below reorder point", val("reorder_needed"), "count",
            f"How many stock positions are below the reorder point{where}?"),
        Kpi("stockout_risk", "positions at risk of a stockout", val("stockout_risk"), "count",
            f"How many stock positions are at risk of a stockout{where}?"),
        Kpi("inventory_value", "inventory value", val("inventory_value"), "currency",
            f"What is the total inventory value{where}?"),
    ]  # fmt: skip


def executive_summary(ctx: ReportContext) -> Summary:
    kpis = summary_kpis(ctx)
    by_wh = ctx.metrics("out_of_stock", "reorder_needed", dimensions=("warehouse",),
                        order_by=(("out_of_stock", True),))  # fmt: skip
    highlights: list[str] = []
    if len(by_wh) > 1 and by_wh["out_of_stock"].iloc[0] > 0:
        top = by_wh.iloc[0]
        highlights.append(
            f"{top['warehouse_name']} has the most stock-outs ({int(top['out_of_stock'])} positions)."
        )
    sug = ctx.scalar("suggested_order_qty", conditions=("reorder_needed",))
    if sug:
        highlights.append(
            f"Bringing every position at or below its reorder point back to max stock takes "
            f"{present.quantity(sug, 'units')}."
        )
    return Summary("Inventory health", ctx.as_of, ctx.scope_label, kpis, highlights)


def out_of_stock(ctx: ReportContext) -> SectionOutput:
    listing = ctx.metrics(
        listing="stock_positions",
        conditions=("out_of_stock",),
        columns=("category", "reorder_point", "suggested_order_qty"),
    )
    counts = ctx.metrics(
        "out_of_stock", dimensions=("category",), order_by=(("out_of_stock", True),)
    )
    counts = counts[counts["out_of_stock"] > 0]
    chart = bar_png(counts, "category", ["out_of_stock"], title="Out-of-stock positions by category",
                    ylabel="positions")  # fmt: skip
    text = f"{len(listing)} stock positions have nothing on hand."
    return SectionOutput("Out of stock", text, listing, chart)


def reorder_needed(ctx: ReportContext) -> SectionOutput:
    listing = ctx.metrics(
        listing="stock_positions",
        conditions=("reorder_needed",),
        columns=(
            "category",
            "reorder_point",
            "max_stock",
            "suggested_order_qty",
            "inventory_value",
        ),
        order_by=(("suggested_order_qty", True),),
    )
    by_cat = ctx.metrics("suggested_order_qty", "reorder_needed", dimensions=("category",),
                         conditions=("reorder_needed",), order_by=(("suggested_order_qty", True),))  # fmt: skip
    chart = bar_png(by_cat, "category", ["suggested_order_qty"],
                    title="Suggested order quantity by category", ylabel="units")  # fmt: skip
    total = float(listing["suggested_order_qty"].sum()) if len(listing) else 0.0
    text = (
        f"{len(listing)} positions are at or below their reorder point; ordering up to max stock "
        f"needs {present.quantity(total, 'units')} (largest first, top {ctx.top_n} shown)."
    )
    return SectionOutput("Below reorder point", text, listing.head(ctx.top_n), chart)


def stockout_risk(ctx: ReportContext) -> SectionOutput:
    result = ctx.tool(
        "identify_stockout_risk", as_of=ctx.as_of.isoformat(), warehouse_id=ctx.warehouse
    )
    risk = result.frame.sort_values(["days_of_cover", "shortfall_units"], ascending=[True, False])
    shown = risk.head(ctx.top_n)[
        ["warehouse_id", "product_id", "product_name", "available", "mean_daily_demand",
         "days_of_cover", "lead_time_days", "shortfall_units"]
    ]  # fmt: skip
    chart = None
    if len(shown):
        labels = shown.assign(
            label=shown["product_name"].str.slice(0, 28) + " (" + shown["warehouse_id"] + ")"
        )
        chart = bar_png(labels, "label", ["days_of_cover", "lead_time_days"], horizontal=True,
                        title="Days of cover vs lead time (most urgent)", ylabel="days")  # fmt: skip
    text = (
        f"{result.summary.get('at_risk', 0)} of {result.summary.get('positions_checked', 0)} positions "
        f"will run out before a replenishment can arrive (days of cover below lead time, "
        f"demand over the last {result.summary.get('demand_window_days', 30)} days)."
    )
    return SectionOutput("Stockout risk", text, shown, chart)


def inventory_value(ctx: ReportContext) -> SectionOutput:
    frame = ctx.metrics("inventory_value", dimensions=("warehouse", "category"))
    if frame.empty:
        return SectionOutput("Inventory value", "No inventory in scope.", frame)
    pivot = frame.pivot_table(index="category", columns="warehouse_id", values="inventory_value",
                              aggfunc="sum", fill_value=0.0)  # fmt: skip
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.sort_values("total", ascending=False)
    table = pivot.reset_index()
    table.columns.name = None
    warehouses = [c for c in pivot.columns if c != "total"]
    chart = bar_png(table, "category", warehouses, stacked=True,
                    title="Inventory value by category and warehouse", ylabel="value ($)")  # fmt: skip
    total = float(pivot["total"].sum())
    text = f"Inventory on hand is worth {present.money(total, cents=False)} at standard cost."
    return SectionOutput("Inventory value", text, table, chart)


def demand_forecast(ctx: ReportContext, horizon_days: int = 14) -> SectionOutput:
    top = ctx.metrics("units_sold", dimensions=("product",), window=last_days(ctx.as_of, 30),
                      order_by=(("units_sold", True),), limit=ctx.top_n)  # fmt: skip
    if top.empty:
        return SectionOutput("Demand forecast", "No sales in the last 30 days.", top)
    result = ctx.tool("forecast_demand", as_of=ctx.as_of.isoformat(), warehouse_id=ctx.warehouse,
                      product_ids=[str(p) for p in top["product_id"]], horizon_days=horizon_days)  # fmt: skip
    per = result.frame[["product_id", "product_name", "method", "forecast_total",
                        "forecast_daily_mean", "history_mean", "backtest_wmape"]]  # fmt: skip
    daily = result.table("daily")
    fig = figure()
    ax = fig.add_subplot()
    for pid in per["product_id"].head(5):
        part = daily[daily["product_id"] == pid]
        ax.plot(
            pd.to_datetime(part["date"]),
            part["forecast"],
            label=str(part["product_name"].iloc[0])[:30],
        )
    ax.set_title(f"Daily demand forecast, next {horizon_days} days (top 5 products)")
    ax.set_ylabel("units per day")
    ax.legend(fontsize="x-small", loc="best")
    ax.grid(alpha=0.3)
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(present.axis_formatter("quantity")))
    wmape = result.summary.get("backtest_wmape")
    text = (
        f"Top {len(per)} products by units sold in the last 30 days are forecast to sell "
        f"{present.quantity(result.summary.get('forecast_total', 0), 'units')} over the next {horizon_days} days"
        + (f" (backtest WMAPE {present.percent(wmape, 0)})." if wmape is not None else ".")
    )
    return SectionOutput("Demand forecast", text, per, figure_png(fig))
