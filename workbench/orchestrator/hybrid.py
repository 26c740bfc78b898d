"""HYBRID answers: the persona's SQL listing, then a calculation on exactly the rows it lists.

"Which items are below their reorder point at the East warehouse and how much should I
order?" lists the positions (semantic layer, persona SQL agent) and adds the economic order
quantity of each (the ``economic_order_quantity`` tool over the listed product ids) next to
the glossary's suggested order quantity (max stock - on hand). "Which overdue orders should
I deliver first and in what order?" lists the overdue orders and routes them: one shortest
tour per fulfilling warehouse over exactly those orders.

Tools run through the configured invoker (local or Lambda) after the same persona check the
specialists apply: a tool over tables the persona may not read is not called, and the answer
says what was left out and why. The listing's plan stays the answer's plan, so a follow-up
("show the top 3 instead") refines the listing and the calculation is redone on the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.agents.answer import Answer, Intent
from workbench.core import present
from workbench.core.errors import WorkbenchError
from workbench.cost.usage import InvocationUsage, Usage
from workbench.data.schema import Persona

if TYPE_CHECKING:
    from workbench.invokers.base import Invoker
    from workbench.warehouse.base import Warehouse

#: Pseudo-tool name for routing the listed orders (done here: the route tool takes a day, not orders).
ROUTE_LISTED_ORDERS = "optimize_delivery_route"

#: Calculation (IntentResult.calculations label) -> tool that answers it for listed rows.
CALCULATION_TOOLS: dict[str, str] = {
    "economic order quantity": "economic_order_quantity",
    "order quantity to buy": "economic_order_quantity",
    "'and how much'": "economic_order_quantity",
    "safety stock level": "safety_stock",
    "safety stock calculation": "safety_stock",
    "reorder point calculation": "reorder_point",
    "demand forecast": "forecast_demand",
    "delivery route": ROUTE_LISTED_ORDERS,
    "delivery sequence": ROUTE_LISTED_ORDERS,
    "warehouse capacity": "calculate_warehouse_capacity",
    "supplier choice": "compare_supplier_costs",
    "supplier score": "compare_supplier_costs",
    "cost savings": "compare_supplier_costs",
}
#: When no calculation names a tool, the topic's usual one.
TOPIC_TOOLS: dict[str, str] = {
    "inventory": "economic_order_quantity",
    "logistics": ROUTE_LISTED_ORDERS,
    "procurement": "compare_supplier_costs",
}
#: Tool columns worth adding to a listing; other tools add every column the listing lacks.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "economic_order_quantity": (
        "mean_daily_demand",
        "economic_order_quantity",
        "recommended_order_quantity",
    ),
    "safety_stock": ("mean_daily_demand", "std_daily_demand", "recommended_safety_stock"),
}
_DESCRIPTIVE = {"product_name", "category", "warehouse_name", "supplier_name", "customer_name"}
#: Names a listing may give the glossary's suggested order quantity (max stock - on hand).
SUGGESTED_COLUMNS = ("suggested_order_quantity", "suggested_order_qty")
_MAX_IDS = 1000


@dataclass(frozen=True)
class Enrichment:
    """What was added to a listing: the frame, one sentence, the tool and its headline figures."""

    frame: pd.DataFrame
    sentence: str
    tool: str | None
    summary: dict[str, Any]
    skipped: str | None = None


def choose_tool(calculations: Sequence[str], topics: Sequence[str], persona: Persona) -> str:
    """The tool for a hybrid question: the first calculation that names one, else the topic's."""
    for label in calculations:
        if label in CALCULATION_TOOLS:
            return CALCULATION_TOOLS[label]
    for topic in topics:
        if topic in TOPIC_TOOLS:
            return TOPIC_TOOLS[topic]
    return {
        Persona.WAREHOUSE_MANAGER: "economic_order_quantity",
        Persona.FIELD_ENGINEER: ROUTE_LISTED_ORDERS,
        Persona.PROCUREMENT_SPECIALIST: "compare_supplier_costs",
    }[persona]


def specialist_of_tool(tool: str) -> str:
    """Which specialist owns a tool (inventory, logistics, supplier), for the answer's agent name."""
    from workbench.tools.registry import default_registry

    return default_registry().get(tool).agent


class HybridEnricher:
    """Adds a calculation to the rows a SQL listing returned."""

    def __init__(
        self,
        invoker: Callable[[], Invoker],
        warehouse: Callable[[], Warehouse],
        *,
        memory_mb: int = 1024,
    ) -> None:
        self._invoker = invoker
        self._warehouse = warehouse
        self.memory_mb = memory_mb

    def enrich(
        self, listing: Answer, *, tool: str, persona: Persona, as_of: Any
    ) -> tuple[Enrichment, Usage]:
        usage = Usage()
        frame = listing.frame if listing.frame is not None else pd.DataFrame()
        from workbench.tools.registry import default_registry

        spec = default_registry().get(tool)
        if not spec.allowed_for(persona):
            return self._skip(frame, tool, persona, spec.tables), usage
        if frame.empty:
            return Enrichment(
                frame, "Nothing is listed, so there is nothing to calculate.", tool, {}
            ), usage
        if tool == ROUTE_LISTED_ORDERS:
            return self._route(frame, as_of, usage), usage
        return self._tool(frame, tool, as_of, usage), usage

    # Steps --------------------------------------------------------------------------
    @staticmethod
    def _skip(
        frame: pd.DataFrame, tool: str, persona: Persona, tables: frozenset[str]
    ) -> Enrichment:
        from workbench.data.schema import PERSONA_TABLES

        missing = sorted(tables - PERSONA_TABLES[persona])
        sentence = (
            f"The {tool.replace('_', ' ')} calculation needs {', '.join(missing)}, which the "
            f"{persona.label} persona may not read, so it was left out."
        )
        if tool == "economic_order_quantity":
            frame = _with_suggested_quantity(frame)
            units = _suggested_units(frame)
            if units is not None:
                sentence += f" Suggested order quantity (up to max stock): {present.quantity(units, 'units')}."
        return Enrichment(frame, sentence, None, {}, skipped=sentence)

    def _tool(self, frame: pd.DataFrame, tool: str, as_of: Any, usage: Usage) -> Enrichment:
        frame = self._ensure_ids(frame)
        arguments: dict[str, Any] = {"as_of": str(getattr(as_of, "isoformat", lambda: as_of)())}
        from workbench.tools.registry import default_registry

        properties = default_registry().get(tool).input_schema.get("properties", {})
        if "as_of" not in properties:
            arguments.pop("as_of")
        products = _unique(frame, "product_id")
        warehouses = _unique(frame, "warehouse_id")
        if "product_ids" in properties and products and len(products) <= _MAX_IDS:
            arguments["product_ids"] = products
        if "warehouse_id" in properties and len(warehouses) == 1:
            arguments["warehouse_id"] = warehouses[0]
        result = self._invoker().invoke(tool, arguments, usage=usage)
        from workbench.tools.result import table_to_frame

        computed = table_to_frame(result)
        if tool == "compare_supplier_costs" and "rank" in computed:
            computed = computed[computed["rank"] == 1].rename(
                columns={
                    "supplier_id": "cheapest_supplier_id",
                    "supplier_name": "cheapest_supplier_name",
                    "avg_unit_cost": "cheapest_avg_unit_cost",
                }
            )[
                [
                    "product_id",
                    "cheapest_supplier_id",
                    "cheapest_supplier_name",
                    "cheapest_avg_unit_cost",
                ]
            ]
        keys = [
            k
            for k in ("warehouse_id", "product_id")
            if k in frame.columns and k in computed.columns
        ]
        if not keys:
            return Enrichment(
                frame,
                f"The {tool.replace('_', ' ')} result could not be matched to the listed rows.",
                tool,
                dict(result.get("summary", {})),
            )
        wanted = [c for c in ADDED_COLUMNS.get(tool, ()) if c in computed.columns] or [
            c for c in computed.columns if c not in frame.columns and c not in _DESCRIPTIVE
        ]
        wanted = [c for c in wanted if c not in keys]
        merged = frame.merge(computed[[*keys, *wanted]].drop_duplicates(keys), on=keys, how="left")
        if tool == "economic_order_quantity":
            merged = _with_suggested_quantity(merged)
        matched = int(merged[wanted[0]].notna().sum()) if wanted else 0
        return Enrichment(
            merged, _sentence(tool, merged, matched), tool, dict(result.get("summary", {}))
        )

    def _route(self, frame: pd.DataFrame, as_of: Any, usage: Usage) -> Enrichment:
        from workbench.invokers.base import RecordingWarehouse
        from workbench.tools import data_access as da
        from workbench.tools import logistics as lg

        if "order_id" not in frame.columns:
            return Enrichment(
                frame,
                "The listing has no order ids, so no route could be planned.",
                ROUTE_LISTED_ORDERS,
                {},
            )
        recorder = RecordingWarehouse(self._warehouse())
        started = time.perf_counter()
        order_ids = set(frame["order_id"].astype(str))
        open_orders = da.fetch_open_orders(recorder)
        open_orders = open_orders[open_orders["order_id"].astype(str).isin(order_ids)]
        depots = da.fetch_warehouses(
            recorder, warehouse_ids=sorted(set(open_orders["warehouse_id"].astype(str)))
        )
        plans, totals = [], {}
        for _, depot in depots.sort_values("warehouse_id").iterrows():
            stops = open_orders[open_orders["warehouse_id"] == depot["warehouse_id"]].rename(
                columns={"ship_to_latitude": "latitude", "ship_to_longitude": "longitude"}
            )[
                [
                    "order_id",
                    "customer_name",
                    "priority",
                    "status",
                    "promised_date",
                    "latitude",
                    "longitude",
                    "units",
                ]
            ]
            plan, summary = lg.optimize_delivery_route({str(k): v for k, v in depot.items()}, stops)
            plan.insert(0, "warehouse_id", depot["warehouse_id"])
            plans.append(plan)
            totals[str(depot["warehouse_id"])] = {
                "stops": summary["stops"],
                "total_km": summary["total_km"],
            }
        duration_ms = (time.perf_counter() - started) * 1000
        usage.warehouse.extend(recorder.records)
        usage.invocations.append(
            InvocationUsage("local", ROUTE_LISTED_ORDERS, duration_ms, self.memory_mb)
        )
        if not plans:
            return Enrichment(
                frame,
                "None of the listed orders is still open, so there is nothing to route.",
                ROUTE_LISTED_ORDERS,
                {},
            )
        routed = pd.concat(plans, ignore_index=True)
        parts = [
            f"{w}: {present.count(int(t['stops']), 'stop')}, {present.number(t['total_km'], 1)} km"
            for w, t in totals.items()
        ]
        sentence = (
            "Deliver in the order shown, one round trip per warehouse (" + "; ".join(parts) + ")."
        )
        return Enrichment(routed, sentence, ROUTE_LISTED_ORDERS, {"routes": totals})

    def _ensure_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add product_id / warehouse_id from names when the listing shows only names."""
        from workbench.tools import data_access as da

        out = frame
        if "product_id" not in out.columns and "product_name" in out.columns:
            products = da.fetch_products(self._warehouse())[["product_id", "product_name"]]
            out = out.merge(products, on="product_name", how="left")
        if "warehouse_id" not in out.columns and "warehouse_name" in out.columns:
            warehouses = da.fetch_warehouses(self._warehouse())[["warehouse_id", "warehouse_name"]]
            out = out.merge(warehouses, on="warehouse_name", how="left")
        return out


def _unique(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return sorted({str(v) for v in frame[column].dropna()})


def _suggested_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in SUGGESTED_COLUMNS if c in frame.columns), None)


def _with_suggested_quantity(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the glossary's suggested order quantity when the listing has max stock and on hand."""
    if _suggested_column(frame) is not None or not {"max_stock", "quantity_on_hand"} <= set(
        frame.columns
    ):
        return frame
    out = frame.copy()
    out["suggested_order_quantity"] = (
        pd.to_numeric(out["max_stock"]) - pd.to_numeric(out["quantity_on_hand"])
    ).clip(lower=0)
    return out


def _suggested_units(frame: pd.DataFrame) -> int | None:
    column = _suggested_column(frame)
    return None if column is None else int(pd.to_numeric(frame[column]).fillna(0).sum())


def _sentence(tool: str, frame: pd.DataFrame, matched: int) -> str:
    n = len(frame)
    if tool == "economic_order_quantity":
        text = f"Economic order quantity for {matched} of {n} listed position(s)"
        if "recommended_order_quantity" in frame.columns:
            text += f": {present.quantity(int(pd.to_numeric(frame['recommended_order_quantity']).fillna(0).sum()), 'units')} in one order each"
        units = _suggested_units(frame)
        if units is not None:
            text += (
                f"; suggested order quantity (up to max stock) {present.quantity(units, 'units')}"
            )
        return text + "."
    if tool == "compare_supplier_costs":
        return f"Cheapest recent supplier found for {matched} of {n} listed product(s)."
    return f"{tool.replace('_', ' ').capitalize()} added for {matched} of {n} listed row(s)."


def merge_hybrid(listing: Answer, enrichment: Enrichment, usage: Usage, *, agent: str) -> Answer:
    """One answer from the listing and its calculation: the enriched table, both sentences, all usage."""
    from workbench.tools.result import frame_to_table

    details = dict(listing.details)
    details["enrichment"] = {
        "tool": enrichment.tool,
        "summary": enrichment.summary,
        "skipped": enrichment.skipped,
    }
    if enrichment.tool == ROUTE_LISTED_ORDERS:
        details["listing"] = frame_to_table(listing.frame)
    text = " ".join(t for t in (listing.answer.strip(), enrichment.sentence) if t)
    read = listing.interpretation
    interpretation = None
    if read is not None and enrichment.tool:
        from workbench.semantic.interpretation import Interpretation, InterpretationPart

        step = InterpretationPart(
            "calculation", enrichment.tool.replace("_", " "), "tool", enrichment.tool
        )
        interpretation = Interpretation(
            f"{read.text} · then {step.label} for the rows listed",
            (*read.parts, step),
            {**read.plan, "then": enrichment.tool},
        )
    return listing.with_(
        interpretation=interpretation,
        intent=Intent.HYBRID,
        agent=agent,
        frame=enrichment.frame,
        answer=text,
        usage=listing.usage.merge(usage),
        details=details,
        chart=listing.chart if enrichment.tool != ROUTE_LISTED_ORDERS else None,
    )


def enrichment_error(listing: Answer, exc: WorkbenchError, *, agent: str) -> Answer:
    """The listing still answers when the calculation fails; the answer says what went wrong."""
    details = dict(listing.details)
    details["enrichment"] = {"error": exc.to_dict()}
    return listing.with_(
        intent=Intent.HYBRID,
        agent=agent,
        answer=" ".join(
            t for t in (listing.answer.strip(), f"The calculation could not be done: {exc}") if t
        ),
        details=details,
    )
