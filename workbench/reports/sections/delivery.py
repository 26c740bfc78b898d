"""Delivery performance (Field Engineer): overdue, due today, on-time trend, fulfilment, routes."""

from __future__ import annotations

import datetime as dt

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
    line_png,
)
from workbench.semantic.time import TimeWindow

__all__ = [
    "due_today",
    "executive_summary",
    "fulfilment_by_warehouse",
    "on_time_trend",
    "overdue_orders",
    "routes",
    "summary_kpis",
]

PERSONA = "field_engineer"
#: Delivery measures in the summary cover this many days ending today.
WINDOW_DAYS = 30


def summary_kpis(ctx: ReportContext) -> list[Kpi]:
    where = ctx.scope_question
    now = ctx.metrics("overdue_orders", "due_today", "open_orders", "delayed_shipments")
    recent = ctx.metrics("on_time_delivery_rate", "fulfilment_time",
                         window=last_days(ctx.as_of, WINDOW_DAYS))  # fmt: skip

    def val(frame: pd.DataFrame, name: str) -> float | None:
        v = frame[name].iloc[0] if len(frame) else None
        return None if v is None or pd.isna(v) else float(v)

    return [
        Kpi("overdue_orders", "overdue orders", val(now, "overdue_orders"), "count",
            f"How many orders are overdue{where}?"),
        Kpi("due_today", "orders due today", val(now, "due_today"), "count",
            f"How many orders are due today{where}?"),
        Kpi("delayed_shipments", "delayed shipments", val(now, "delayed_shipments"), "count",
            f"How many delayed shipments are there{where}?"),
        Kpi("on_time_delivery_rate", f"on-time delivery rate, last {WINDOW_DAYS} days",
            val(recent, "on_time_delivery_rate"), "ratio",
            f"What is the on-time delivery rate{where} in the last {WINDOW_DAYS} days?"),
        Kpi("fulfilment_time", f"average fulfilment time, last {WINDOW_DAYS} days",
            val(recent, "fulfilment_time"), "days",
            f"What is the average fulfilment time{where} in the last {WINDOW_DAYS} days?"),
    ]  # fmt: skip


def executive_summary(ctx: ReportContext) -> Summary:
    kpis = summary_kpis(ctx)
    by_wh = ctx.metrics(
        "overdue_orders", dimensions=("warehouse",), order_by=(("overdue_orders", True),)
    )
    highlights = []
    if len(by_wh) > 1 and by_wh["overdue_orders"].iloc[0] > 0:
        top = by_wh.iloc[0]
        highlights.append(
            f"{top['warehouse_name']} has the most overdue orders ({int(top['overdue_orders'])})."
        )
    express = ctx.scalar("overdue_orders", filters=(_express(),))
    if express:
        highlights.append(f"{present.count(int(express), 'overdue order')} are EXPRESS.")
    return Summary("Delivery performance", ctx.as_of, ctx.scope_label, kpis, highlights)


def _express() -> object:
    from workbench.semantic.plan import Filter

    return Filter("priority", "in", ("EXPRESS",), label="express")


def overdue_orders(ctx: ReportContext) -> SectionOutput:
    result = ctx.tool(
        "identify_delayed_orders", as_of=ctx.as_of.isoformat(), warehouse_id=ctx.warehouse
    )
    late = result.frame
    by_wh = ctx.metrics("overdue_orders", "delayed_shipments", dimensions=("warehouse",))
    chart = bar_png(by_wh, "warehouse_id", ["overdue_orders", "delayed_shipments"],
                    title="Overdue orders and delayed shipments by warehouse", ylabel="orders")  # fmt: skip
    shown = late.head(ctx.top_n)[["order_id", "warehouse_id", "customer_name", "status", "priority",
                                  "promised_date", "days_late", "units"]]  # fmt: skip
    text = (
        f"{result.summary.get('delayed_orders', 0)} open orders are past their promised date "
        f"({result.summary.get('delayed_shipments', 0)} already shipped, "
        f"{result.summary.get('express', 0)} express); the latest is "
        f"{result.summary.get('max_days_late', 0)} days late."
    )
    return SectionOutput("Overdue orders", text, shown, chart)


def due_today(ctx: ReportContext) -> SectionOutput:
    listing = ctx.metrics(listing="orders", conditions=("due_today",), columns=("warehouse_name",),
                          order_by=(("priority", False),))  # fmt: skip
    by = ctx.metrics("due_today", dimensions=("warehouse", "priority"))
    chart = None
    if len(by):
        pivot = by.pivot_table(index="warehouse_id", columns="priority", values="due_today",
                               aggfunc="sum", fill_value=0).reset_index()  # fmt: skip
        pivot.columns.name = None
        chart = bar_png(pivot, "warehouse_id", [c for c in pivot.columns if c != "warehouse_id"],
                        stacked=True, title="Orders due today by warehouse and priority", ylabel="orders")  # fmt: skip
    text = f"{len(listing)} open orders are promised for delivery today ({ctx.as_of.isoformat()})."
    return SectionOutput("Due today", text, listing, chart)


def on_time_trend(ctx: ReportContext, weeks: int = 12) -> SectionOutput:
    monday = ctx.as_of - dt.timedelta(days=ctx.as_of.weekday())
    start = monday - dt.timedelta(weeks=weeks - 1)
    window = TimeWindow(start, ctx.as_of, f"the last {weeks} weeks")
    trend = ctx.metrics("on_time_delivery_rate", "delivered_orders", dimensions=("week",), window=window,
                        order_by=(("week", False),))  # fmt: skip
    chart = line_png(trend, "week", ["on_time_delivery_rate"], percent=True,
                     title="On-time delivery rate by week", ylabel="on time")  # fmt: skip
    text = ""
    if len(trend) >= 2:
        first, last = (
            trend["on_time_delivery_rate"].iloc[0],
            trend["on_time_delivery_rate"].iloc[-1],
        )
        text = (
            f"Weekly on-time rate moved from {present.percent(first)} (week of {present.date(trend['week'].iloc[0])}) "
            f"to {present.percent(last)} in the current week (partial)."
        )
    return SectionOutput("On-time delivery trend", text, trend, chart)


def fulfilment_by_warehouse(ctx: ReportContext, days: int = 30) -> SectionOutput:
    frame = ctx.metrics("fulfilment_time", "on_time_delivery_rate", "delivered_orders",
                        dimensions=("warehouse",), window=last_days(ctx.as_of, days),
                        order_by=(("fulfilment_time", True),))  # fmt: skip
    chart = bar_png(frame, "warehouse_name", ["fulfilment_time"],
                    title=f"Average fulfilment time (order to delivery), last {days} days", ylabel="days")  # fmt: skip
    text = f"Orders delivered in the last {days} days, by fulfilling warehouse (slowest first)."
    return SectionOutput("Fulfilment time by warehouse", text, frame, chart)


def routes(ctx: ReportContext, time_limit_seconds: float = 0.5) -> SectionOutput:
    """Today's optimized route from each warehouse in scope (orders promised today)."""
    frames: list[pd.DataFrame] = []
    lines: list[str] = []
    fig = figure(7.5, 4.2)
    ax = fig.add_subplot()
    for wid in ctx.warehouse_ids():
        result = ctx.tool("optimize_delivery_route", warehouse_id=wid, as_of=ctx.as_of.isoformat(),
                          time_limit_seconds=time_limit_seconds)  # fmt: skip
        frame = result.frame
        stops = int(result.summary.get("stops", 0) or 0)
        if not stops:
            lines.append(f"{wid}: no deliveries due today.")
            continue
        lines.append(
            f"{wid}: {present.count(int(stops), 'stop')}, {present.number(float(result.summary.get('total_km', 0)), 1)} km."
        )
        frames.append(frame.assign(route=wid))
        ax.plot(
            frame["longitude"], frame["latitude"], marker="o", markersize=3, linewidth=1, label=wid
        )
        depot = frame.iloc[0]
        ax.scatter([depot["longitude"]], [depot["latitude"]], marker="s", s=60, color="black")
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    chart = None
    if frames:
        ax.set_title("Today's delivery routes (squares: warehouses)")
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        ax.legend(fontsize="small", loc="best")
        chart = figure_png(fig)
        keep = [c for c in ("route", "sequence", "stop_type", "order_id", "customer_name", "priority",
                            "units", "leg_km", "cumulative_km") if c in table.columns]  # fmt: skip
        table = table[keep]
    return SectionOutput("Today's optimized routes", " ".join(lines), table, chart, max_rows=200)
