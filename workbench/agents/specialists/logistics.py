"""The Logistics specialist: delivery routes, fulfilment status, delayed orders, warehouse capacity."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, ClassVar

import pandas as pd

from workbench.agents.answer import Answer, ChartSpec, Intent
from workbench.agents.base import AgentRequest
from workbench.agents.specialists.base import (
    Presentation,
    QuestionContext,
    SpecialistAgent,
    ToolCall,
    fmt_num,
    fmt_pct,
    pick,
    without_float_noise,
)
from workbench.cost.usage import InvocationUsage, Usage
from workbench.invokers.base import RecordingWarehouse
from workbench.tools import data_access as da
from workbench.tools import logistics as lg
from workbench.tools.result import ToolResult
from workbench.tools.routing import presentation as rp

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


#: Orders past their promised date: a route over them is not the route of one day's deliveries.
_OVERDUE = r"overdue|\blate\b|delayed|past\s+(?:their\s+)?(?:promise|due)|behind\s+schedule"


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

    def answer(self, request: AgentRequest) -> Answer:
        """As the base does, except a route over overdue orders ("overdue orders at west and the best route").

        The route tool plans the orders due on one day; overdue orders (open, promised
        before today) are routed here, one round trip per fulfilling warehouse.
        """
        ctx = self.understand(request)
        if (
            "tool" not in request.hints
            and ctx.has(_RULES[0][0])
            and ctx.has(_OVERDUE)
            and not ctx.has(r"\btoday|tomorrow")
        ):
            self.check_persona("optimize_delivery_route", request.persona)
            return self._route_overdue(ctx, request)
        return super().answer(request)

    def _route_overdue(self, ctx: QuestionContext, request: AgentRequest) -> Answer:
        started = time.perf_counter()
        recorder = RecordingWarehouse(self.warehouse)
        orders = da.fetch_open_orders(recorder, warehouse_id=ctx.warehouse_id)
        promised = pd.to_datetime(orders["promised_date"])
        overdue = orders[promised < pd.Timestamp(ctx.as_of)]
        arguments: dict[str, Any] = {
            "as_of": ctx.as_of.isoformat(),
            "orders": "overdue",
            **({"warehouse_id": ctx.warehouse_id} if ctx.warehouse_id else {}),
        }
        what = "open orders"
        if ctx.has(r"express"):
            overdue = overdue[overdue["priority"] == "EXPRESS"]
            arguments["priority"], what = "EXPRESS", f"express {what}"
        if ctx.has(r"shipments?|shipped|in\s+transit"):
            overdue = overdue[overdue["status"] == "SHIPPED"]
            arguments["status"], what = "SHIPPED", f"shipped {what}"
        scope = self.label_warehouse(ctx.warehouse_id)
        plans, totals = [], {}
        depots = da.fetch_warehouses(
            recorder, warehouse_ids=sorted(set(overdue["warehouse_id"].astype(str)))
        )
        for _, depot in depots.sort_values("warehouse_id").iterrows():
            stops = overdue[overdue["warehouse_id"] == depot["warehouse_id"]].rename(
                columns={"ship_to_latitude": "latitude", "ship_to_longitude": "longitude"}
            )[["order_id", "customer_name", "priority", "status", "promised_date", "latitude", "longitude", "units"]]  # fmt: skip
            plan, summary = lg.optimize_delivery_route(
                {str(k): v for k, v in depot.items()},
                stops,
                vehicles=ctx.vehicles or 1,
                vehicle_capacity=ctx.vehicle_capacity,
            )
            plan.insert(0, "warehouse_id", depot["warehouse_id"])
            plans.append(plan)
            totals[str(depot["warehouse_id"])] = summary
        usage = Usage()
        usage.warehouse.extend(recorder.records)
        usage.invocations.append(
            InvocationUsage(
                "local", "optimize_delivery_route", (time.perf_counter() - started) * 1000
            )
        )
        if not plans:
            frame = pd.DataFrame(columns=["warehouse_id", "sequence", "order_id"])
            sentence, rec = f"No {what} are overdue in {scope}; there is nothing to route.", ""
        else:
            frame = pd.concat(plans, ignore_index=True)
            parts = []
            for wid, summary in totals.items():
                seq = frame[(frame["warehouse_id"] == wid) & (frame["stop_type"] == "delivery")]
                parts.append(
                    f"from {wid}, {summary['stops']} stops: {' → '.join(seq['order_id'].astype(str))}, then back ({fmt_num(summary['total_km'], 1)} km)"
                )
            km = sum(float(t["total_km"]) for t in totals.values())
            sentence = (
                f"{len(overdue)} {what} are past their promised date in {scope}. Deliver them "
                + "; ".join(parts)
                + (f" — {fmt_num(km, 1)} km in total." if len(totals) > 1 else ".")
            )
            naive = sum(float(t["nearest_neighbour_km"]) for t in totals.values())
            saving = rp.saving_sentence(
                {"nearest_neighbour_km": naive, "saving_km": naive - km, "saving_share": (naive - km) / naive if naive else None}
            )  # fmt: skip
            if saving:
                sentence += f" That is {saving}."
            rec = f"Follow the sequence in the table (shortest tour per warehouse; distances are {rp.distance_basis()}); express orders are flagged in the priority column."
        summary_out = {
            "orders": "overdue",
            "stops": len(overdue),
            "total_km": sum(float(t["total_km"]) for t in totals.values()),
            "nearest_neighbour_km": sum(float(t["nearest_neighbour_km"]) for t in totals.values()),
            "distance_basis": rp.distance_basis(),
            "routes": {
                w: {"stops": t["stops"], "total_km": t["total_km"]} for w, t in totals.items()
            },
        }
        shown = pick(frame, ["warehouse_id", "vehicle", "sequence", "stop_type", "order_id", "customer_name", "priority", "promised_date", "units", "leg_km", "cumulative_km", "latitude", "longitude"])  # fmt: skip
        call = ToolCall(
            "optimize_delivery_route", arguments, "the question asks to route the overdue orders"
        )
        return Answer(
            question=request.question,
            persona=request.persona.value,
            intent=Intent.OPTIMIZATION,
            agent=self.name,
            frame=without_float_noise(shown).reset_index(drop=True),
            answer=f"{sentence} {rec}".strip(),
            chart=ChartSpec(
                "route",
                "longitude",
                ("latitude",),
                f"Route of overdue orders ({scope})",
                series="warehouse_id",
            ),
            plan=call.to_dict(),
            usage=usage,
            details={
                "tool": call.tool,
                "arguments": dict(arguments),
                "summary": summary_out,
                "recommendation": rec,
                "reason": call.reason,
            },
            as_of=request.as_of,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

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
            "route",
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
            sentence = f"Deliver the {s['stops']} open orders due {day} from {where} in this order: {order}, then back — {rp.format_km(s['total_km'])} in total."
        else:
            per_vehicle = deliveries.groupby("vehicle").agg(
                stops=("order_id", "count"), units=("units", "sum")
            )
            parts = [
                f"vehicle {v}: {int(r['stops'])} stops, {int(r['units'])} units, {rp.format_km(s['route_km'][int(v) - 1])}"
                for v, r in zip(per_vehicle.index, per_vehicle.to_dict("records"), strict=True)
            ]
            limits = []
            if s.get("vehicle_capacity"):
                limits.append(f"{s['vehicle_capacity']} units")
            if s.get("max_route_km"):
                limits.append(f"at most {rp.format_km(s['max_route_km'])} each")
            of = f" of {' and '.join(limits)}" if limits else ""
            sentence = f"The {s['stops']} open orders due {day} from {where} need {s['vehicles_used']} vehicles{of} — {'; '.join(parts)}; {rp.format_km(s['total_km'])} in total."
        saving = rp.saving_sentence(s)
        if saving:
            sentence += f" That is {saving}."
        rec = f"Follow the sequence in the table ({rp.method_phrase(s['method'])}; distances are {s.get('distance_basis', rp.distance_basis())})."
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
