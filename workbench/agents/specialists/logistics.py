"""The Logistics specialist: delivery routes, fulfilment status, delayed orders, warehouse capacity."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from workbench.agents.answer import ChartSpec
from workbench.agents.specialists.base import (
    Presentation,
    QuestionContext,
    SpecialistAgent,
    ToolCall,
    fmt_num,
    fmt_pct,
    pick,
)
from workbench.tools.result import ToolResult

__all__ = ["LogisticsSpecialist"]

_RULES: tuple[tuple[str, str], ...] = (
    (
        r"\broutes?\b|routing|delivery\s+(?:plan|sequence|order|run)|deliver(?:ies)?\s+(?:in\s+)?(?:what|which)\s+order|stops?\b|drive|tour"
        r"|\bplan\b[^?.]{0,25}\bdeliver(?:y|ies)\b|\b(?:what|which)\s+order\b[^?.]{0,40}\bdeliver|\bsequence\b[^?.]{0,25}\bdeliver",
        "optimize_delivery_route",
    ),
    (
        r"capacity|utili[sz]ation|how\s+full|free\s+(?:space|units)|space\s+left|room\s+(?:left|for)"
        r"|\b(?:space|room)\b[^?.]{0,15}\b(?:left|free|available|remaining)\b|how\s+much\s+(?:more\s+)?(?:space|room)\b",
        "calculate_warehouse_capacity",
    ),
    (
        r"delay|\blate\b|overdue|behind\s+schedule|past\s+(?:their\s+)?(?:promise|due)|missed\s+(?:promise|due)",
        "identify_delayed_orders",
    ),
    (
        r"fulfil+ment|on[- ]time|order\s+status|status\s+of\s+(?:the\s+)?orders|due\s+today|backlog|open\s+orders|delivery\s+performance",
        "check_fulfillment_status",
    ),
)


class LogisticsSpecialist(SpecialistAgent):
    """Answers logistics calculations for field engineers (and anyone allowed the sales tables)."""

    key = "logistics"
    RULES = _RULES
    TOPIC = r"deliver|shipment|dispatch|logistic"
    EXAMPLES: ClassVar[tuple[str, ...]] = (
        "Optimize today's delivery route from the East warehouse",
        "Plan today's deliveries from WH-CENTRAL with 3 vans of 150 units each",
        "Which orders are delayed?",
        "What's the fulfilment status at WH-WEST this month?",
        "Warehouse capacity utilization",
    )

    def arguments(self, tool: str, ctx: QuestionContext) -> dict[str, Any]:
        args: dict[str, Any] = {"warehouse_id": ctx.warehouse_id} if ctx.warehouse_id else {}
        if tool == "optimize_delivery_route":
            if not ctx.warehouse_id:
                names = [w.name for w in self.entities.entities("warehouse")]
                raise self.not_understood(
                    "Which warehouse should the delivery route start from?",
                    suggestions=[f"Optimize today's delivery route from {n}" for n in names],
                )
            day = ctx.as_of + dt.timedelta(days=1) if ctx.has(r"tomorrow") else ctx.as_of
            if ctx.window is not None and ctx.window.days == 1 and not ctx.has(r"tomorrow"):
                day = ctx.window.start
            args["as_of"] = day.isoformat()
            if ctx.vehicles:
                args["vehicles"] = ctx.vehicles
            if ctx.vehicle_capacity:
                args["vehicle_capacity"] = ctx.vehicle_capacity
        elif tool == "identify_delayed_orders":
            args["as_of"] = ctx.as_of.isoformat()
            if ctx.has(r"shipments?|shipped|in\s+transit"):
                args["shipped_only"] = True
        elif tool == "check_fulfillment_status":
            args["as_of"] = ctx.as_of.isoformat()
            if ctx.window is not None and ctx.window.days > 1:
                args["start_date"], args["end_date"] = (
                    ctx.window.start.isoformat(),
                    ctx.window.end.isoformat(),
                )
        return args

    def present(self, call: ToolCall, result: ToolResult, ctx: QuestionContext) -> Presentation:
        """As the base does; the route also needs today's date to say "due today" or the day."""
        if call.tool == "optimize_delivery_route":
            return self._present_optimize_delivery_route(call, result, ctx.as_of)
        return super().present(call, result, ctx)

    def _present_optimize_delivery_route(
        self, call: ToolCall, result: ToolResult, today: dt.date | None = None
    ) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "vehicle",
                "sequence",
                "stop_type",
                "order_id",
                "customer_name",
                "priority",
                "units",
                "leg_km",
                "cumulative_km",
                "latitude",
                "longitude",
            ],
        )
        chart = ChartSpec(
            "scatter",
            "longitude",
            ("latitude",),
            f"Delivery route from {s['warehouse_id']}",
            series="vehicle",
        )
        where = f"{s.get('warehouse_name') or s['warehouse_id']} ({s['warehouse_id']})"
        routed_day = str(s["as_of"])
        if today is not None and routed_day == today.isoformat():
            day = "today"
        elif today is not None and routed_day == (today + dt.timedelta(days=1)).isoformat():
            day = f"tomorrow ({routed_day})"
        else:
            day = f"on {routed_day}"
        if not s["stops"]:
            return Presentation(
                shown,
                f"No open orders are due on {s['as_of']} at {where}; there is nothing to route.",
                "",
                chart,
            )
        deliveries = frame[frame["stop_type"] == "delivery"]
        if s["vehicles_used"] <= 1:
            order = " → ".join(deliveries["order_id"].astype(str))
            sentence = f"Deliver the {s['stops']} open orders due {day} from {where} in this order: {order}, then back — {fmt_num(s['total_km'], 1)} km in total."
        else:
            per_vehicle = deliveries.groupby("vehicle").agg(
                stops=("order_id", "count"), units=("units", "sum")
            )
            parts = [
                f"vehicle {v}: {int(r['stops'])} stops, {int(r['units'])} units, {fmt_num(s['route_km'][int(v) - 1], 1)} km"
                for v, r in zip(per_vehicle.index, per_vehicle.to_dict("records"), strict=True)
            ]
            sentence = f"The {s['stops']} open orders due {day} from {where} need {s['vehicles_used']} vehicles of {s['vehicle_capacity']} units — {'; '.join(parts)}; {fmt_num(s['total_km'], 1)} km in total."
        method = (
            "the proven shortest tour"
            if s["method"] == "exact"
            else "the shortest tour found by OR-Tools within the time limit"
        )
        rec = f"Follow the sequence in the table ({method}, great-circle distance)."
        return Presentation(shown, sentence, rec, chart)

    def _present_identify_delayed_orders(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "order_id",
                "warehouse_id",
                "customer_name",
                "status",
                "priority",
                "promised_date",
                "days_late",
                "units",
            ],
        )
        chart = ChartSpec("bar", "order_id", ("days_late",), "Days past the promised date")
        scope = self.label_warehouse(call.arguments.get("warehouse_id"))
        what = (
            "shipments are past their promised date"
            if s["shipped_only"]
            else "open orders are past their promised date"
        )
        if not len(frame):
            return Presentation(
                shown, f"No {what.split(' are')[0]} in {scope}.", "Nothing to chase.", chart
            )
        worst = frame.iloc[0]
        sentence = f"{s['delayed_orders']} {what} in {scope} ({s['delayed_shipments']} already shipped, {s['express']} express); the latest is {worst['order_id']} for {worst['customer_name']}, {int(worst['days_late'])} days late."
        rec = "Contact those customers and expedite the express orders first."
        return Presentation(shown, sentence, rec, chart)

    def _present_check_fulfillment_status(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = frame
        chart = ChartSpec(
            "bar",
            "warehouse_id",
            ("overdue_orders", "due_today", "delayed_shipments"),
            "Open orders needing attention",
        )
        sentence = (
            f"{s['open_orders']} open orders in {self.label_warehouse(call.arguments.get('warehouse_id'))}: {s['overdue_orders']} overdue, "
            f"{s['due_today']} due today, {s['delayed_shipments']} delayed shipments. Deliveries {s['delivery_period_start']} to "
            f"{s['delivery_period_end']}: {fmt_pct(s['on_time_rate'])} on time, {fmt_num(s['avg_fulfilment_days'], 1)} days from order to delivery on average."
        )
        if len(frame) > 1 and frame["overdue_orders"].max() > 0:
            worst = frame.sort_values(
                ["overdue_orders", "warehouse_id"], ascending=[False, True]
            ).iloc[0]
            rec = f"Focus on {worst['warehouse_id']}: {int(worst['overdue_orders'])} overdue orders and {fmt_pct(worst['on_time_rate'])} on time."
        elif s["overdue_orders"]:
            rec = f"Clear the {s['overdue_orders']} overdue orders before today's {s['due_today']}."
        else:
            rec = "Nothing is overdue."
        return Presentation(shown, sentence, rec, chart)

    def _present_calculate_warehouse_capacity(
        self, call: ToolCall, result: ToolResult
    ) -> Presentation:
        frame, s = result.frame, result.summary
        shown = frame
        chart = ChartSpec("bar", "warehouse_name", ("utilization",), "Capacity utilization")
        top = frame.iloc[0]
        if len(frame) == 1:
            sentence = f"{top['warehouse_name']} ({top['warehouse_id']}) is {fmt_pct(top['utilization'])} full: {fmt_num(top['quantity_on_hand'])} of {fmt_num(top['capacity_units'])} units, {fmt_num(top['free_units'])} free."
        else:
            sentence = f"{top['warehouse_name']} is the fullest at {fmt_pct(top['utilization'])} ({fmt_num(top['free_units'])} units free); all {s['warehouses']} warehouses together are {fmt_pct(s['utilization'])} full."
        if top["utilization"] >= 0.9:
            rec = f"Rebalance stock away from {top['warehouse_id']} or hold its inbound purchase orders."
        else:
            least = frame.iloc[-1]
            rec = (
                f"There is room: {least['warehouse_id']} has the most space ({fmt_num(least['free_units'])} units)."
                if len(frame) > 1
                else "There is room for more stock."
            )
        return Presentation(shown, sentence, rec, chart)
