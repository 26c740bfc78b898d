"""The Supplier specialist: supplier scores, cost comparison, savings, purchase trends."""

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
    fmt_pct,
    pick,
)
from workbench.core import present
from workbench.core.errors import DataNotFoundError
from workbench.tools.data_access import fetch_inventory
from workbench.tools.result import ToolResult

__all__ = ["SupplierSpecialist"]

_RULES: tuple[tuple[str, str], ...] = (
    (
        r"trend|over\s+time|by\s+month|monthly|month[- ]over[- ]month|spend(?:ing)?\s+(?:history|pattern|evolution)|how\s+has\s+(?:our\s+)?spend",
        "analyze_purchase_trends",
    ),
    (
        r"\bsav(?:e|es|ing|ings)\b|overpa(?:y|id|ying)|reduce\s+(?:our\s+)?(?:cost|spend)|cut\s+(?:cost|spend)|cheaper\s+supplier",
        "identify_cost_savings",
    ),
    (
        r"cheapest|lowest\s+(?:price|cost)|best\s+price|compare\s+(?:the\s+)?(?:suppliers?'?\s+)?(?:costs?|prices?)|(?:which|what|best)\s+(?:supplier|vendor)s?\s+(?:should|to|do)\s+(?:i|we)?\s*(?:buy|order|source|purchase|get|use)\b|price\s+comparison|who\s+(?:sells|supplies)|(?:costs?|prices?)\s+(?:by|per|across)\s+supplier",
        "compare_supplier_costs",
    ),
    (
        r"score|rank|best\s+supplier|worst\s+supplier|top\s+supplier|reliab|perform|on[- ]time|fill\s+rate|scorecard|evaluat|compare\s+suppliers|how\s+(?:is|are)\b.*\bdoing",
        "analyze_supplier_performance",
    ),
)


#: Stock conditions of the glossary a procurement question may scope its products by.
_STOCK_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("out_of_stock", r"out\s+of\s+stock|stock(?:ed)?\s*-?\s*outs?\b"),
    (
        "reorder",
        r"(?:below|under|at\s+or\s+below)\s+(?:their\s+|the\s+|its\s+)?re-?order\s+points?|need(?:s|ing)?\s+(?:to\s+be\s+)?re-?order|re-?order\s+(?:needed|required)",
    ),
    (
        "low_stock",
        r"low\s+(?:on\s+)?stock|running\s+low|(?:below|under)\s+(?:their\s+|the\s+)?safety\s+stock",
    ),
)


class SupplierSpecialist(SpecialistAgent):
    """Answers procurement calculations; its tools need the PO tables, so only procurement may use them."""

    key = "supplier"
    RULES = _RULES
    TOPIC = r"supplier|vendor|procure|purchas|\bpos?\b|spend"
    EXAMPLES: ClassVar[tuple[str, ...]] = (
        "Rank suppliers by score",
        "Which supplier is cheapest for P0010?",
        "Where can we save money on purchasing?",
        "Spend trend by supplier",
        "How is Coastal Fasteners performing this year?",
    )

    def plan(self, ctx: QuestionContext, request: AgentRequest) -> ToolCall:
        """As the rules say, except that 'which supplier should we buy from' naming no product asks for the ranking."""
        call = super().plan(ctx, request)
        if (
            call.tool == "analyze_supplier_performance"
            and "product_ids" in call.arguments
            and any(ctx.has(pattern) for _, pattern in _STOCK_CONDITIONS)
        ):
            # "low stock items and the best supplier to buy them from": a supplier per product.
            tool = "compare_supplier_costs"
            return ToolCall(tool, self.arguments(tool, ctx), "a supplier for each listed product")
        if (
            call.tool == "compare_supplier_costs"
            and not (ctx.product_ids or ctx.category)
            and ctx.has(r"(?:which|what|best)\s+(?:supplier|vendor)s?\s+(?:should|to|do)\b")
            and not ctx.has(r"cheap|price|cost")
            and not any(ctx.has(pattern) for _, pattern in _STOCK_CONDITIONS)
        ):
            tool = "analyze_supplier_performance"
            return ToolCall(
                tool,
                self.arguments(tool, ctx),
                "no product named: the ranking answers which supplier to use",
            )
        return call

    def fallback_tool(self, ctx: QuestionContext) -> str | None:
        """A question that only names a supplier asks how it performs."""
        return "analyze_supplier_performance" if ctx.suppliers else None

    def _stock_condition_products(self, ctx: QuestionContext) -> list[str] | None:
        """Products in the stock condition the question names ("items below safety stock at west").

        Procurement may read warehouse_product; pricing or ranking suppliers "for the low-stock
        items" means those products, not the whole catalogue. None: no condition named.
        """
        condition = next((name for name, pattern in _STOCK_CONDITIONS if ctx.has(pattern)), None)
        if condition is None or ctx.product_ids:
            return None
        positions = fetch_inventory(
            self.warehouse, warehouse_id=ctx.warehouse_id, category=ctx.category
        )
        on_hand = positions["quantity_on_hand"]
        keep = {
            "out_of_stock": on_hand == 0,
            "low_stock": on_hand <= positions["safety_stock"],
            "reorder": on_hand <= positions["reorder_point"],
        }[condition]
        found = sorted(positions.loc[keep, "product_id"].astype(str).unique())
        if not found:
            where = self.label_warehouse(ctx.warehouse_id)
            raise DataNotFoundError(
                f"No product is {condition.replace('_', ' ')} at {where}, so there is no supplier to compare."
            )
        return found

    def arguments(self, tool: str, ctx: QuestionContext) -> dict[str, Any]:
        args: dict[str, Any] = {"as_of": ctx.as_of.isoformat()}
        allowed = self.registry.get(tool).input_schema["properties"]
        condition_products = self._stock_condition_products(ctx)
        if condition_products is not None:
            # The warehouse scoped the stock positions; prices come from every PO.
            args["product_ids"] = condition_products
            if ctx.window is not None:
                args["start_date"], args["end_date"] = (
                    ctx.window.start.isoformat(),
                    ctx.window.end.isoformat(),
                )
            return args
        if ctx.window is not None:
            args["start_date"], args["end_date"] = (
                ctx.window.start.isoformat(),
                ctx.window.end.isoformat(),
            )
        if ctx.product_ids:
            args["product_ids"] = ctx.product_ids
        elif ctx.category:
            args["category"] = ctx.category
        if ctx.supplier_ids and "supplier_ids" in allowed:
            args["supplier_ids"] = ctx.supplier_ids
        if ctx.warehouse_id and "warehouse_id" in allowed:
            args["warehouse_id"] = ctx.warehouse_id
        if tool == "identify_cost_savings" and ctx.min_score is not None:
            args["min_supplier_score"] = ctx.min_score
        return args

    @staticmethod
    def _period(s: dict[str, object]) -> str:
        return f"POs ordered {s['period_start']} to {s['period_end']}"

    def _present_analyze_supplier_performance(
        self, call: ToolCall, result: ToolResult
    ) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
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
                "spend",
            ],
        )
        chart = ChartSpec(
            "bar",
            "supplier_name",
            ("score",),
            "Supplier score (0.4 on-time + 0.3 fill + 0.3 price)",
        )
        best = frame.iloc[0]

        def parts(r: pd.Series) -> str:
            return f"score {present.score(r['score'])}: on time {fmt_pct(r['on_time_rate'], 0)}, fill rate {fmt_pct(r['fill_rate'], 0)}, price score {present.score(r['price_score'])}"

        if len(frame) == 1:
            sentence = f"{best['supplier_name']} ({self._period(s)}): {parts(best)}, average lead time {present.days(best['avg_lead_time_days'])}."
            rec = (
                "A reliable choice."
                if best["score"] >= 0.8
                else "Watch this supplier: its score is below 0.80."
            )
            return Presentation(shown, sentence, rec, chart)
        worst = frame.dropna(subset=["score"]).iloc[-1]
        sentence = f"Over {self._period(s)}, {best['supplier_name']} scores best ({parts(best)}); {worst['supplier_name']} scores lowest ({parts(worst)})."
        rec = f"Send new purchase orders to the top-ranked suppliers and review {str(worst['supplier_name']).rstrip('.')}."
        return Presentation(shown, sentence, rec, chart)

    def _present_compare_supplier_costs(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "product_id",
                "product_name",
                "rank",
                "supplier_id",
                "supplier_name",
                "avg_unit_cost",
                "min_unit_cost",
                "max_unit_cost",
                "standard_cost",
                "premium_vs_cheapest",
                "units_ordered",
                "po_count",
            ],
        )
        products = frame["product_id"].unique()
        if len(products) == 1:
            cheapest = frame.iloc[0]
            chart = ChartSpec(
                "bar",
                "supplier_name",
                ("avg_unit_cost",),
                f"Average price paid: {cheapest['product_name']}",
            )
            sentence = f"For {cheapest['product_name']} ({cheapest['product_id']}), {cheapest['supplier_name']} is cheapest at {fmt_money(cheapest['avg_unit_cost'])} a unit on average ({self._period(s)})"
            if len(frame) > 1:
                dearest = frame.iloc[-1]
                sentence += f"; {dearest['supplier_name']} charges {fmt_pct(dearest['premium_vs_cheapest'])} more ({fmt_money(dearest['avg_unit_cost'])})."
            else:
                sentence += "; no other supplier sold it in the period."
            rec = f"Buy it from {cheapest['supplier_name']}, provided its supplier score suits you (ask 'rank suppliers by score')."
            return Presentation(shown, sentence, rec, chart)
        counts = frame.loc[frame["rank"] == 1, "supplier_name"].value_counts()
        chart = ChartSpec("table_only", title="Price per supplier and product")
        sentence = f"Across {len(products)} products ({self._period(s)}), {counts.index[0]} is cheapest most often ({counts.iloc[0]} products); the widest gap is {fmt_pct(s['max_premium_vs_cheapest'])} above the cheapest."
        rec = "Check the rank-1 supplier of each product in the table before the next order."
        return Presentation(shown, sentence, rec, chart)

    def _present_identify_cost_savings(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        shown = pick(
            frame,
            [
                "product_id",
                "product_name",
                "spend",
                "current_avg_unit_cost",
                "best_supplier_name",
                "best_supplier_score",
                "best_unit_cost",
                "potential_savings",
                "savings_pct",
            ],
        )
        chart = ChartSpec(
            "bar", "product_name", ("potential_savings",), "Potential savings by product"
        )
        if not len(frame):
            return Presentation(
                shown,
                f"Every product was already bought at or below its cheapest reliable supplier's price ({self._period(s)}).",
                "No savings to chase.",
                chart,
            )
        top = frame.iloc[0]
        sentence = (
            f"Buying each product from its cheapest reliable supplier (score ≥ {present.score(s['min_supplier_score'])}) would have saved "
            f"{fmt_money(s['total_potential_savings'])}, {fmt_pct(s['savings_pct_of_spend'])} of {fmt_money(s['total_spend'])} spend ({self._period(s)})."
        )
        rec = f"Start with {top['product_name']}: moving it to {top['best_supplier_name']} saves {fmt_money(top['potential_savings'])}."
        return Presentation(shown, sentence, rec, chart)

    def _present_analyze_purchase_trends(self, call: ToolCall, result: ToolResult) -> Presentation:
        frame, s = result.frame, result.summary
        by_month = result.table("by_month")
        shown = pick(
            frame,
            [
                "month",
                "supplier_id",
                "supplier_name",
                "spend",
                "previous_spend",
                "change",
                "change_pct",
                "po_count",
                "partial_month",
            ],
        )
        chart = ChartSpec(
            "line", "month", ("spend",), "Spend by month and supplier", series="supplier_name"
        )
        change = s.get("last_full_month_change_pct")
        change_text = (
            f" ({'+' if change >= 0 else ''}{fmt_pct(change)} on the month before)"
            if isinstance(change, int | float)
            else ""
        )
        sentence = (
            f"Spend {s['period_start']} to {s['period_end']}: {fmt_money(s['total_spend'])} over {s['months']} months; "
            f"{str(s['last_full_month'])[:7]} came to {fmt_money(s['last_full_month_spend'])}{change_text}. "
            f"{s['top_supplier_name']} took the most ({fmt_money(s['top_supplier_spend'])})."
        )
        rising = frame[frame["month"] == frame["month"].max()].sort_values(
            "change", ascending=False
        )
        rec = ""
        if len(rising) and pd.notna(rising.iloc[0]["change"]) and rising.iloc[0]["change"] > 0:
            rec = f"Biggest increase last month: {rising.iloc[0]['supplier_name']} (+{fmt_money(rising.iloc[0]['change'])}); check it was planned."
        return Presentation(
            shown,
            sentence,
            rec,
            chart,
            {"by_month": ToolResult.from_frame("analyze_purchase_trends", by_month).to_dict()},
        )
