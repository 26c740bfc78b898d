"""Supplier scorecard (Procurement Specialist): scores, spend, cost variance, savings, pending POs."""

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
    last_days,
    line_png,
)
from workbench.semantic.time import TimeWindow

__all__ = [
    "cost_variance",
    "executive_summary",
    "pending_pos",
    "savings_opportunities",
    "spend_trend",
    "summary_kpis",
    "supplier_scores",
]

PERSONA = "procurement_specialist"
#: Purchase measures in the summary cover this many days ending today.
WINDOW_DAYS = 90


def _months_back(as_of: dt.date, months: int) -> dt.date:
    """The first day of the month ``months - 1`` months before the as-of month."""
    period = pd.Timestamp(as_of).to_period("M") - (months - 1)
    return period.to_timestamp().date()


def summary_kpis(ctx: ReportContext) -> list[Kpi]:
    where = ctx.scope_question
    recent = ctx.metrics("spend", "supplier_on_time_rate", "fill_rate", "cost_variance",
                         window=last_days(ctx.as_of, WINDOW_DAYS))  # fmt: skip
    pending = ctx.scalar("pending_pos")

    def val(name: str) -> float | None:
        v = recent[name].iloc[0] if len(recent) else None
        return None if v is None or pd.isna(v) else float(v)

    days = WINDOW_DAYS
    return [
        Kpi("spend", f"spend, last {days} days", val("spend"), "currency",
            f"What was our total spend{where} in the last {days} days?"),
        Kpi("pending_pos", "pending purchase orders", pending, "count",
            f"How many pending purchase orders are there{where}?"),
        Kpi("supplier_on_time_rate", f"supplier on-time rate, last {days} days",
            val("supplier_on_time_rate"), "ratio",
            f"What is the supplier on-time rate{where} in the last {days} days?"),
        Kpi("fill_rate", f"fill rate, last {days} days", val("fill_rate"), "ratio",
            f"What is the fill rate{where} in the last {days} days?"),
        Kpi("cost_variance", f"cost variance, last {days} days", val("cost_variance"), "ratio",
            f"What is the cost variance{where} in the last {days} days?"),
    ]  # fmt: skip


def executive_summary(ctx: ReportContext, months: int = 12) -> Summary:
    kpis = summary_kpis(ctx)
    window = TimeWindow(_months_back(ctx.as_of, months), ctx.as_of, f"the last {months} months")
    scores = ctx.metrics("supplier_score", dimensions=("supplier",), window=window,
                         order_by=(("supplier_score", True),))  # fmt: skip
    scores = scores.dropna(subset=["supplier_score"])
    highlights = []
    if len(scores) >= 2:
        best, worst = scores.iloc[0], scores.iloc[-1]
        highlights.append(
            f"Best supplier: {best['supplier_name']} (score {present.score(best['supplier_score'])}); "
            f"weakest: {worst['supplier_name']} (score {present.score(worst['supplier_score'])})."
        )
    return Summary("Supplier scorecard", ctx.as_of, ctx.scope_label, kpis, highlights)


def supplier_scores(ctx: ReportContext, months: int = 12) -> SectionOutput:
    start = _months_back(ctx.as_of, months)
    result = ctx.tool("analyze_supplier_performance", as_of=ctx.as_of.isoformat(),
                      start_date=start.isoformat(), warehouse_id=ctx.warehouse)  # fmt: skip
    perf = result.frame
    cols = ["rank", "supplier_id", "supplier_name", "score", "on_time_rate", "fill_rate",
            "avg_cost_variance", "avg_lead_time_days", "po_count", "spend"]  # fmt: skip
    perf = perf[[c for c in cols if c in perf.columns]]
    chart = bar_png(perf, "supplier_name", ["score"], horizontal=True,
                    title="Supplier score (0.4 on-time + 0.3 fill + 0.3 price)", ylabel="score")  # fmt: skip
    text = (
        f"{len(perf)} suppliers scored over POs ordered since {start.isoformat()}; "
        f"best: {result.summary.get('best_supplier_name')}, "
        f"weakest: {str(result.summary.get('worst_supplier_name')).rstrip('.')}."
    )
    return SectionOutput("Supplier scores", text, perf, chart)


def spend_trend(ctx: ReportContext, months: int = 12) -> SectionOutput:
    window = TimeWindow(_months_back(ctx.as_of, months), ctx.as_of, f"the last {months} months")
    trend = ctx.metrics("spend", "po_count", dimensions=("month",), window=window,
                        order_by=(("month", False),))  # fmt: skip
    chart = line_png(
        trend, "month", ["spend"], title="Spend by month (current month partial)", ylabel="$"
    )
    text = (
        f"Spend on POs ordered from {present.date(window.start)}: {present.money(float(trend['spend'].sum()), cents=False)}."
        if len(trend)
        else ""
    )
    return SectionOutput("Spend trend", text, trend, chart)


def cost_variance(ctx: ReportContext, months: int = 12) -> SectionOutput:
    window = TimeWindow(_months_back(ctx.as_of, months), ctx.as_of, f"the last {months} months")
    by_sup = ctx.metrics("cost_variance", "spend", dimensions=("supplier",), window=window,
                         order_by=(("cost_variance", True),))  # fmt: skip
    chart = bar_png(by_sup, "supplier_name", ["cost_variance"], horizontal=True,
                    title="Cost variance vs standard cost by supplier (positive = paying more)",
                    ylabel="variance")  # fmt: skip
    over = by_sup[by_sup["cost_variance"] > 0]
    text = f"{len(over)} of {len(by_sup)} suppliers charge above standard cost on average."
    return SectionOutput("Cost variance", text, by_sup, chart)


def savings_opportunities(ctx: ReportContext, months: int = 12) -> SectionOutput:
    start = _months_back(ctx.as_of, months)
    result = ctx.tool(
        "identify_cost_savings", as_of=ctx.as_of.isoformat(), start_date=start.isoformat()
    )
    frame = result.frame
    shown = frame.head(ctx.top_n)
    label = "product_name" if "product_name" in shown.columns else "product_id"
    value = next((c for c in ("potential_savings", "savings") if c in shown.columns), None)
    chart = bar_png(shown, label, [value], horizontal=True, title="Largest savings opportunities",
                    ylabel="$") if value else None  # fmt: skip
    total = float(result.summary.get("total_potential_savings") or 0.0)
    pct = result.summary.get("savings_pct_of_spend")
    text = (
        f"Buying each product from its cheapest reliable supplier (score at least "
        f"{result.summary.get('min_supplier_score')}) would have saved {present.money(total, cents=False)}"
        + (f" ({present.percent(pct)} of spend)." if pct is not None else ".")
        + (" Savings compare suppliers per product across all warehouses." if ctx.warehouse else "")
    )
    return SectionOutput("Savings opportunities", text, shown, chart)


def pending_pos(ctx: ReportContext) -> SectionOutput:
    listing = ctx.metrics(listing="purchase_orders", conditions=("pending_po",),
                          columns=("days_until_expected",), order_by=(("expected_date", False),))  # fmt: skip
    by_sup = ctx.metrics("pending_pos", dimensions=("supplier",), order_by=(("pending_pos", True),))
    chart = bar_png(by_sup, "supplier_name", ["pending_pos"], horizontal=True,
                    title="Pending POs by supplier", ylabel="POs")  # fmt: skip
    overdue = int((listing["days_until_expected"] < 0).sum()) if len(listing) else 0
    text = (
        f"{len(listing)} POs are open or partly received; {overdue} are past their expected date."
    )
    return SectionOutput("Pending purchase orders", text, listing, chart)
