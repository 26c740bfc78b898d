"""The Inventory specialist: safety stock, reorder points, EOQ, low stock, stockout risk, forecasts."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from workbench.agents.answer import ChartSpec
from workbench.agents.base import AgentRequest
from workbench.agents.specialists.base import (
    Presentation,
    QuestionContext,
    SpecialistAgent,
    ToolCall,
    fmt_money,
    fmt_num,
    fmt_pct,
    pick,
)
from workbench.core import present
from workbench.tools.result import ToolResult

__all__ = ["InventorySpecialist"]

#: (regex, tool) in priority order: the first match decides.
_RULES: tuple[tuple[str, str], ...] = (
    (
        r"forecast|predict|projected\s+demand|expected\s+(?:demand|sales)|future\s+(?:demand|sales)|demand\s+(?:for|over|in)\s+the\s+(?:next|coming)"
        r"|\bwhat\s+will\s+(?:we|i)\s+sell|\bhow\s+(?:much|many)\b[^?.]{0,40}\b(?:will\s+(?:we|i)|are\s+(?:we|i)\s+going\s+to)\s+sell",
        "forecast_demand",
    ),
    (
        r"\beoq\b|economic\s+order|order\s+quantit|how\s+(?:much|many)\b[^?.]{0,40}?\b(?:should|to|do|must)\s+(?:i|we)\s+(?:re-?)?(?:order|buy|purchase)|order\s+at\s+a\s+time|optimal\s+order|batch\s+size|lot\s+size",
        "economic_order_quantity",
    ),
    (
        r"re-?order\s+points?|\brop\b|when\s+(?:should|to)\s+(?:i|we)\s+re-?order|reorder\s+level|order\s+trigger",
        "reorder_point",
    ),
    (r"safety\s+stock|buffer\s+stock|safety\s+level", "safety_stock"),
    (
        r"stock\s*-?\s*outs?|run(?:ning)?\s+out|days?\s+of\s+(?:cover|supply|stock)|coverage|at\s+risk|last\s+until",
        "identify_stockout_risk",
    ),
    (
        r"low\s+(?:on\s+)?stock|running\s+low|below\s+safety|out\s+of\s+stock|under-?stock|short(?:age)?s?\b|need\s+restock|restock",
        "identify_low_stock",
    ),
)
_LOW_STOCK = r"out\s+of\s+stock|low\s+(?:on\s+)?stock|running\s+low|(?:below|under)\s+(?:their\s+|the\s+)?safety\s+stock"
_TIME_TOOLS = {
    "safety_stock",
    "reorder_point",
    "economic_order_quantity",
    "identify_stockout_risk",
    "forecast_demand",
}


class InventorySpecialist(SpecialistAgent):
    """Answers inventory calculations for warehouse managers (and anyone allowed the sales tables)."""

    key = "inventory"
    RULES = _RULES
    TOPIC = r"\binventory|\bstock\b|replenish"
    EXAMPLES: ClassVar[tuple[str, ...]] = (
        "What's the safety stock for Cordless Drill 18V at WH-WEST at 99% service level?",
        "Calculate the reorder point for P0003 at the East warehouse",
        "EOQ for P0003",
        "Forecast demand for the next 14 days for plumbing products in the central warehouse",
        "Which products are at risk of a stockout at WH-EAST?",
    )

    def plan(self, ctx: QuestionContext, request: AgentRequest) -> ToolCall:
        """The rules' tool, except that "what's low and how much should I order" lists the low stock.

        "How much should I order" after a stock condition asks for the glossary's suggested
        order quantity (max stock - on hand) of those positions, not an EOQ of every position.
        """
        call = super().plan(ctx, request)
        if (
            call.tool == "economic_order_quantity"
            and ctx.has(_LOW_STOCK)
            and not ctx.has(r"\beoq\b|economic|optimal|batch|lot\s+size|at\s+a\s+time")
        ):
            tool = "identify_low_stock"
            return ToolCall(
                tool, self.arguments(tool, ctx), "a stock condition with the quantity to order"
            )
        return call

    def arguments(self, tool: str, ctx: QuestionContext) -> dict[str, Any]:
        args = self.scope(ctx)
        if tool in _TIME_TOOLS:
            args["as_of"] = ctx.as_of.isoformat()
        if tool in {"safety_stock", "reorder_point"} and ctx.level is not None:
            args["service_level"] = ctx.level
        if tool == "economic_order_quantity":
            if ctx.order_cost is not None:
                args["order_cost"] = ctx.order_cost
            if ctx.holding_rate is not None:
                args["holding_rate"] = ctx.holding_rate
        if tool == "forecast_demand":
            args["horizon_days"] = min(ctx.horizon_days or 14, 180)
        return args

    # -- one presenter per tool --------------------------------------------------------------------
    def _scope_text(self, call: ToolCall) -> str:
        """ "Plumbing products at East Distribution Center (WH-EAST)", "all warehouses" ..."""
        args = call.arguments
        where = self.label_warehouse(args.get("warehouse_id"))
        if args.get("category"):
            return (
                f"{args['category']} products at {where}"
                if args.get("warehouse_id")
                else f"{args['category']} products in all warehouses"
            )
        return where

    def _present_safety_stock(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        level = fmt_pct(
            s["service_level"],
            0 if s["service_level"] * 100 == int(s["service_level"] * 100) else 1,
        )
        shown = pick(
            frame,
            [
                "warehouse_id",
                "product_id",
                "product_name",
                "lead_time_days",
                "mean_daily_demand",
                "std_daily_demand",
                "safety_stock",
                "recommended_safety_stock",
                "current_safety_stock",
                "change",
            ],
        )
        chart = ChartSpec(
            "bar",
            "product_name",
            ("recommended_safety_stock", "current_safety_stock"),
            f"Safety stock at {level} service",
        )
        if len(frame) == 1:
            r = frame.iloc[0]
            sentence = (
                f"At a {level} service level, {r['product_name']} at {r['warehouse_id']} needs a safety stock of "
                f"{fmt_num(r['safety_stock'], 1)} units (z {present.score(s['z'])} × σ {fmt_num(r['std_daily_demand'], 2)}/day × √{int(r['lead_time_days'])} days)."
            )
            change = int(r["change"])
            rec = (
                f"Raise the setting from {int(r['current_safety_stock'])} to {int(r['recommended_safety_stock'])} units."
                if change > 0
                else f"The current setting of {int(r['current_safety_stock'])} units already covers it"
                + (
                    f"; it could drop to {int(r['recommended_safety_stock'])}."
                    if change < 0
                    else "."
                )
            )
            return Presentation(shown, sentence, rec, chart)
        below = frame[frame["change"] > 0].sort_values("change", ascending=False)
        sentence = (
            f"At a {level} service level the {len(frame)} positions of {self._scope_text(call)} need "
            f"{fmt_num(s['total_recommended_safety_stock'])} units of safety stock in total, against "
            f"{fmt_num(s['total_current_safety_stock'])} set today."
        )
        rec = (
            f"Raise the {len(below)} settings that fall short, starting with {below.iloc[0]['product_name']} at {below.iloc[0]['warehouse_id']} (+{int(below.iloc[0]['change'])} units)."
            if len(below)
            else "Every current setting already covers the recommendation."
        )
        shown = shown.sort_values("change", ascending=False, ignore_index=True)
        return Presentation(shown, sentence, rec, chart)

    def _present_reorder_point(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "warehouse_id",
                "product_id",
                "product_name",
                "lead_time_days",
                "mean_daily_demand",
                "safety_stock",
                "reorder_point",
                "recommended_reorder_point",
                "current_reorder_point",
                "quantity_on_hand",
                "reorder_now",
                "suggested_order_quantity",
            ],
        )
        chart = ChartSpec(
            "bar",
            "product_name",
            ("recommended_reorder_point", "quantity_on_hand"),
            "Reorder point vs stock on hand",
        )
        if len(frame) == 1:
            r = frame.iloc[0]
            sentence = (
                f"Reorder {r['product_name']} at {r['warehouse_id']} when stock falls to {int(r['recommended_reorder_point'])} units "
                f"({fmt_num(r['mean_daily_demand'], 2)}/day × {int(r['lead_time_days'])} days + {fmt_num(r['safety_stock'], 1)} safety stock)."
            )
            rec = (
                f"On hand is {int(r['quantity_on_hand'])}: reorder now, {int(r['suggested_order_quantity'])} units brings it to max stock."
                if r["reorder_now"]
                else f"On hand is {int(r['quantity_on_hand'])}, above it: no order needed yet."
            )
            return Presentation(shown, sentence, rec, chart)
        sentence = f"{s['reorder_now']} of {s['positions']} positions of {self._scope_text(call)} are at or below their calculated reorder point."
        rec = (
            f"Reorder them now: {fmt_num(s['suggested_units'])} units in total brings each to its max stock."
            if s["reorder_now"]
            else "No position needs an order yet."
        )
        return Presentation(shown, sentence, rec, chart)

    def _present_economic_order_quantity(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "warehouse_id",
                "product_id",
                "product_name",
                "unit_cost",
                "mean_daily_demand",
                "annual_demand",
                "economic_order_quantity",
                "recommended_order_quantity",
                "orders_per_year",
                "annual_total_cost",
            ],
        )
        chart = ChartSpec(
            "bar", "product_name", ("recommended_order_quantity",), "Economic order quantity"
        )
        assumptions = f"order cost {fmt_money(s['order_cost'])}, holding {fmt_pct(s['holding_rate'], 0)} of unit cost a year"
        if len(frame) <= 3:
            parts = [
                f"{r['product_name']} at {r['warehouse_id']}: order {int(r['recommended_order_quantity'])} units at a time "
                f"(≈{fmt_num(r['orders_per_year'], 1)} orders a year, {fmt_money(r['annual_total_cost'])} a year to order and hold)"
                if r["annual_demand"] > 0
                else f"{r['product_name']} at {r['warehouse_id']}: no sales in the last 30 days, so no standing order quantity"
                for _, r in frame.iterrows()
            ]
            sentence = "; ".join(parts) + f" — with {assumptions}, on the last 30 days' demand."
            selling = int((frame["annual_demand"] > 0).sum())
            if not selling:
                rec = "Order only against confirmed demand until it sells again."
            else:
                rec = (
                    "Use these as the standard order quantities."
                    if selling > 1
                    else "Use this as the standard order quantity."
                )
            return Presentation(shown, sentence, rec, chart)
        top = frame.sort_values("annual_total_cost", ascending=False).iloc[0]
        sentence = f"Economic order quantities for {len(frame)} positions of {self._scope_text(call)} ({assumptions}); ordering and holding at these quantities costs {fmt_money(s['annual_total_cost'])} a year."
        rec = f"The biggest lever is {top['product_name']} at {top['warehouse_id']}: order {int(top['recommended_order_quantity'])} units at a time."
        return Presentation(shown, sentence, rec, chart)

    def _present_identify_low_stock(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "warehouse_id",
                "product_id",
                "product_name",
                "quantity_on_hand",
                "safety_stock",
                "reorder_point",
                "out_of_stock",
                "suggested_order_quantity",
            ],
        )
        chart = ChartSpec(
            "bar",
            "product_name",
            ("quantity_on_hand", "safety_stock"),
            "Low stock: on hand vs safety stock",
        )
        if not len(frame):
            return Presentation(
                shown,
                f"Nothing is at or below safety stock in {self._scope_text(call)}.",
                "No action needed.",
                chart,
            )
        sentence = f"{s['low_stock']} of {s['positions_checked']} positions in {self._scope_text(call)} are at or below safety stock, {s['out_of_stock']} of them out of stock."
        rec = f"Order {fmt_num(s['suggested_units'])} units (≈{fmt_money(s['suggested_value'])}) to bring them to max stock, out-of-stock items first."
        return Presentation(shown, sentence, rec, chart)

    def _present_identify_stockout_risk(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "warehouse_id",
                "product_id",
                "product_name",
                "available",
                "mean_daily_demand",
                "days_of_cover",
                "lead_time_days",
                "shortfall_units",
            ],
        )
        chart = ChartSpec(
            "bar", "product_name", ("days_of_cover", "lead_time_days"), "Days of cover vs lead time"
        )
        if not len(frame):
            return Presentation(
                shown,
                f"No position in {self._scope_text(call)} runs out before a replenishment could arrive.",
                "No urgent orders needed.",
                chart,
            )
        worst = frame.iloc[0]
        sentence = (
            f"{s['at_risk']} of {s['positions_checked']} positions in {self._scope_text(call)} will run out before a replenishment "
            f"could arrive (days of cover < lead time); the most urgent is {worst['product_name']} at {worst['warehouse_id']} "
            f"with {fmt_num(worst['days_of_cover'], 1)} days of cover against a {int(worst['lead_time_days'])}-day lead time."
        )
        rec = f"Order these now; covering each lead time needs {fmt_num(frame['shortfall_units'].sum())} more units."
        return Presentation(shown, sentence, rec, chart)

    def _present_forecast_demand(self, call: ToolCall, result: ToolResult) -> Presentation:
        s = result.summary
        per = result.frame
        daily = result.table("daily")
        error = (
            f"backtest WMAPE {fmt_pct(s['backtest_wmape'], 0)} on the last {s['backtest_days']} days"
            if s.get("backtest_wmape") is not None
            else "no backtest (no sales in the held-back days)"
        )
        period = f"{s['forecast_start']} to {s['forecast_end']}"
        if len(per) == 1:
            r = per.iloc[0]
            frame = daily[["date", "forecast"]]
            method = {
                "holt_winters": "exponential smoothing with trend and weekly seasonality",
                "holt": "exponential smoothing with trend",
                "croston_sba": "Croston's method for intermittent demand",
                "mean": "the recent average (short history)",
                "zero": "no sales in the history",
            }.get(str(r["method"]), str(r["method"]))
            baseline = (
                f" vs {fmt_pct(r['baseline_wmape'], 0)} for a 7-day average"
                if pd.notna(r.get("baseline_wmape"))
                else ""
            )
            sentence = f"{r['product_name']} ({self.label_warehouse(s.get('warehouse_id'))}): {fmt_num(r['forecast_total'])} units expected over the next {s['horizon_days']} days ({period}), about {fmt_num(r['forecast_daily_mean'], 1)} a day, by {method}; {error}{baseline}."
            chart = ChartSpec(
                "line", "date", ("forecast",), f"Daily demand forecast: {r['product_name']}"
            )
            rec = f"Plan stock for at least {fmt_num(r['forecast_total'])} units over the period."
            return Presentation(
                frame,
                sentence,
                rec,
                chart,
                {"per_product": ToolResult.from_frame("forecast_demand", per).to_dict()},
            )
        frame = pick(
            per,
            [
                "product_id",
                "product_name",
                "category",
                "method",
                "forecast_total",
                "forecast_daily_mean",
                "history_mean",
                "backtest_wmape",
                "baseline_wmape",
            ],
        )
        top = per.iloc[0]
        sentence = f"{s['products']} products ({self._scope_text(call)}): {fmt_num(s['forecast_total'])} units expected over the next {s['horizon_days']} days ({period}); pooled {error}."
        rec = f"Plan stock for the biggest movers first, led by {top['product_name']} ({fmt_num(top['forecast_total'])} units)."
        chart = ChartSpec(
            "bar",
            "product_name",
            ("forecast_total",),
            f"Demand forecast, next {s['horizon_days']} days",
        )
        return Presentation(
            frame, sentence, rec, chart, {"daily_total": result.tables.get("total", {})}
        )
