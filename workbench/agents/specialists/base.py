"""What every specialist shares: question understanding, the tool call, and the Answer it builds.

A specialist answers a calculation question in four steps:

1. **understand** the question with the semantic layer's helpers (entities from
   :class:`~workbench.semantic.entities.EntityIndex`, time from
   :func:`~workbench.semantic.time.parse_time_window`) plus a few numbers the tools take
   (service level, horizon, vehicles, capacity, order cost, holding rate);
2. **choose** the tool and its JSON arguments with deterministic rules (:meth:`plan`);
3. **run** it through the configured :class:`~workbench.invokers.base.Invoker` after the
   persona check (a tool over tables the persona may not read is refused before any call);
4. **present** the structured result as an :class:`~workbench.agents.answer.Answer`: a
   table, one or two sentences ending in a recommendation, and a chart suggestion.

Failures raise :class:`~workbench.core.errors.WorkbenchError` subclasses
(``NotUnderstoodError`` with suggestions, ``PermissionDeniedError``, ``ToolError``); the
orchestrator turns them into an ``Answer.error``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import pandas as pd

from workbench.agents.answer import Answer, ChartSpec, Intent
from workbench.agents.base import AgentRequest
from workbench.core import present
from workbench.core.errors import NotUnderstoodError, PermissionDeniedError
from workbench.cost.usage import Usage
from workbench.data.schema import PERSONA_TABLES, Persona, personas_for_tables
from workbench.invokers.base import Invoker
from workbench.semantic.context import QuestionContext, rank_request, understand
from workbench.semantic.entities import EntityIndex
from workbench.semantic.interpretation import interpret_tool_call
from workbench.tools.registry import ToolRegistry, default_registry
from workbench.tools.result import ToolResult
from workbench.warehouse.base import Warehouse

__all__ = [
    "Presentation",
    "QuestionContext",
    "SpecialistAgent",
    "ToolCall",
    "fmt_money",
    "fmt_num",
    "fmt_pct",
    "understand",
    "without_float_noise",
]


@dataclass(frozen=True)
class ToolCall:
    """The tool a specialist chose and the JSON arguments it will send."""

    tool: str
    arguments: dict[str, Any]
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "arguments": dict(self.arguments), "reason": self.reason}


@dataclass
class Presentation:
    """How a tool result is shown: the table, the sentence, the recommendation and a chart."""

    frame: pd.DataFrame
    sentence: str
    recommendation: str = ""
    chart: ChartSpec | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- formatting: the presentation layer, with "n/a" for a missing value in sentences ------------
def fmt_num(value: Any, digits: int = 0) -> str:
    """A quantity; whole numbers stay whole, others keep ``digits`` decimals."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return present.quantity(value, digits=digits)


def fmt_pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return present.percent(value, digits)


def fmt_money(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return present.money(value, compact=True)


#: Decimals kept in answer frames: enough to drop binary noise (0.1 + 0.2), far below any
#: business precision, so a frame equals the glossary's value to every shown decimal.
FLOAT_NOISE_DIGITS = 10


def without_float_noise(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns with binary noise removed (values stay exact; display rounding is the UI's job)."""
    floats = [col for col in frame.columns if pd.api.types.is_float_dtype(frame[col])]
    if not floats:
        return frame
    out = frame.copy()
    out[floats] = out[floats].round(FLOAT_NOISE_DIGITS)
    return out


def pick(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame[[c for c in columns if c in frame.columns]]


def scored(text: str, rules: Iterable[tuple[str, float]]) -> float:
    """The highest weight among regex rules matching ``text``."""
    return max((w for pattern, w in rules if re.search(pattern, text, re.IGNORECASE)), default=0.0)


class SpecialistAgent:
    """Base of the three specialists; subclasses implement :meth:`plan` and :meth:`present`."""

    #: Short name (inventory, logistics, supplier): the tool registry's agent and the Lambda function.
    key: ClassVar[str] = ""
    #: (regex, tool) in priority order: the first rule matching the question picks the tool.
    RULES: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Words that name the specialist's field without asking for a calculation (weight 0.4).
    TOPIC: ClassVar[str] = ""
    #: Example questions offered when a question is not understood.
    EXAMPLES: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        warehouse: Warehouse,
        invoker: Invoker,
        entities: EntityIndex | None = None,
        *,
        registry: ToolRegistry | None = None,
    ) -> None:
        self.warehouse = warehouse
        self.invoker = invoker
        self._entities = entities
        self.registry = registry or default_registry()

    @property
    def name(self) -> str:
        return f"{self.key}_specialist"

    @property
    def entities(self) -> EntityIndex:
        if self._entities is None:
            self._entities = EntityIndex.from_warehouse(self.warehouse)
        return self._entities

    def understand(self, request: AgentRequest) -> QuestionContext:
        """What the question names: from the orchestrator's one reading when it made one."""
        parsed = request.parsed
        if (
            parsed is not None
            and parsed.entity_index is not None
            and parsed.text.strip() == request.question.strip()
        ):
            return cast(QuestionContext, parsed.context)
        return understand(request.question, request.as_of, self.entities)

    @property
    def tools(self) -> list[str]:
        return self.registry.names(self.key)

    @classmethod
    def signals(cls) -> tuple[tuple[str, float], ...]:
        """Regex -> weight rules for :meth:`can_handle`: a calculation rule 0.9, the topic 0.4."""
        return (*((pattern, 0.9) for pattern, _ in cls.RULES), (cls.TOPIC, 0.4))

    @classmethod
    def can_handle(cls, question: str) -> float:
        """How strongly the question asks for one of this specialist's calculations (0..1)."""
        return scored(question, cls.signals())

    # -- steps subclasses provide -----------------------------------------------------------
    def arguments(self, tool: str, ctx: QuestionContext) -> dict[str, Any]:
        """The JSON arguments of ``tool`` for what the question names."""
        raise NotImplementedError

    def fallback_tool(self, ctx: QuestionContext) -> str | None:
        """The tool when no rule matches and the question is no follow-up (None: not understood)."""
        return None

    def plan(self, ctx: QuestionContext, request: AgentRequest) -> ToolCall:
        """The first matching rule's tool; else a follow-up of the previous call; else the fallback."""
        tool = next((t for pattern, t in self.RULES if ctx.has(pattern)), None)
        if tool is None and request.parsed is not None:
            # The calculation the question's cues name, when this specialist has its tool.
            tool = next((t for t in request.parsed.cues.tools if t in self.tools), None)
        if tool is None:
            previous = self._follow_up(request)
            if previous is not None:
                return self.merge_follow_up(
                    previous, ctx, self.registry.get(previous.tool).input_schema["properties"]
                )
            tool = self.fallback_tool(ctx)
            if tool is None:
                raise self.not_understood()
        return ToolCall(
            tool, self.arguments(tool, ctx), f"the question asks for {tool.replace('_', ' ')}"
        )

    def present(self, call: ToolCall, result: ToolResult, ctx: QuestionContext) -> Presentation:
        """Dispatch to the subclass's ``_present_<tool>(call, result)``."""
        presenter: Callable[[ToolCall, ToolResult], Presentation] = getattr(
            self, f"_present_{call.tool}"
        )
        return presenter(call, result)

    # -- shared machinery ----------------------------------------------------------------------
    def not_understood(
        self, message: str | None = None, *, suggestions: Sequence[str] | None = None
    ) -> NotUnderstoodError:
        return NotUnderstoodError(
            message
            or f"The {self.key} specialist could not tell which calculation this question asks for.",
            suggestions=list(self.EXAMPLES if suggestions is None else suggestions),
            agent=self.name,
        )

    def _follow_up(self, request: AgentRequest) -> ToolCall | None:
        """The previous call of this specialist, when the question only changes its scope."""
        prev = request.previous
        if prev is None or prev.agent != self.name or not isinstance(prev.plan, Mapping):
            return None
        tool = prev.plan.get("tool")
        if tool not in self.tools:
            return None
        return ToolCall(
            str(tool), dict(prev.plan.get("arguments") or {}), "follow-up of the previous question"
        )

    def choose(self, ctx: QuestionContext, request: AgentRequest) -> ToolCall:
        hinted = request.hints.get("tool")
        if isinstance(hinted, str) and hinted in self.tools:
            args = request.hints.get("arguments")
            if isinstance(args, Mapping):
                return ToolCall(hinted, dict(args), "chosen by the orchestrator")
        return self.plan(ctx, request)

    def check_persona(self, tool: str, persona: Persona) -> None:
        spec = self.registry.get(tool)
        if spec.allowed_for(persona):
            return
        missing = sorted(spec.tables - PERSONA_TABLES[persona])
        who = [p.label for p in personas_for_tables(spec.tables)]
        raise PermissionDeniedError(
            f"The {persona.label} persona cannot run '{tool}': it needs {', '.join(missing)}, which this persona may not read.",
            hint=f"Ask as {' or '.join(who)}." if who else None,
            tool=tool,
            persona=persona.value,
        )

    def answer(self, request: AgentRequest) -> Answer:
        started = time.perf_counter()
        ctx = self.understand(request)
        call = self.choose(ctx, request)
        self.check_persona(call.tool, request.persona)
        usage = Usage()
        data = self.invoker.invoke(call.tool, call.arguments, usage=usage)
        result = ToolResult.from_dict(data)
        shown = self.present(call, result, ctx)
        asked = rank_request(ctx.text)
        if asked is not None and "rank" in shown.frame.columns and len(shown.frame) > asked[0]:
            # "the top supplier", "worst 3 warehouses": the rows of the ranking asked for.
            n, from_top = asked
            ranked = shown.frame.sort_values("rank", kind="stable")
            shown.frame = ranked.head(n) if from_top else ranked.tail(n).iloc[::-1]
        sentence = (
            shown.sentence
            if not shown.recommendation
            else f"{shown.sentence} {shown.recommendation}"
        )
        return Answer(
            question=request.question,
            persona=request.persona.value,
            intent=Intent.OPTIMIZATION,
            agent=self.name,
            frame=without_float_noise(shown.frame).reset_index(drop=True),
            answer=sentence,
            chart=shown.chart,
            plan=call.to_dict(),
            usage=usage,
            details={
                "tool": call.tool,
                "arguments": dict(call.arguments),
                "summary": dict(result.summary),
                "recommendation": shown.recommendation,
                "reason": call.reason,
                **shown.extra,
            },
            as_of=request.as_of,
            duration_ms=(time.perf_counter() - started) * 1000,
            interpretation=interpret_tool_call(call.tool, dict(call.arguments), reason=call.reason),
        )

    # -- argument helpers ------------------------------------------------------------------------
    @staticmethod
    def scope(
        ctx: QuestionContext,
        *,
        warehouse: bool = True,
        products: bool = True,
        category: bool = True,
    ) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if warehouse and ctx.warehouse_id:
            args["warehouse_id"] = ctx.warehouse_id
        if products and ctx.product_ids:
            args["product_ids"] = ctx.product_ids
        elif category and ctx.category:
            args["category"] = ctx.category
        return args

    @staticmethod
    def merge_follow_up(
        previous: ToolCall, ctx: QuestionContext, allowed: Iterable[str]
    ) -> ToolCall:
        """The previous call with what the new question names swapped in (scope, period, levels)."""
        allowed = set(allowed)
        args = dict(previous.arguments)
        updates: dict[str, Any] = {
            "warehouse_id": ctx.warehouse_id,
            "product_ids": ctx.product_ids,
            "category": ctx.category,
            "supplier_ids": ctx.supplier_ids,
            "service_level": ctx.level,
            "horizon_days": ctx.horizon_days,
            "vehicles": ctx.vehicles,
            "vehicle_capacity": ctx.vehicle_capacity,
        }
        if ctx.product_ids:
            args.pop("category", None)
        elif ctx.category:
            args.pop("product_ids", None)
        for key, value in updates.items():
            if value is not None and key in allowed:
                args[key] = value
        if ctx.window is not None and "start_date" in allowed:
            args["start_date"], args["end_date"] = (
                ctx.window.start.isoformat(),
                ctx.window.end.isoformat(),
            )
        if "as_of" in allowed:
            args["as_of"] = ctx.as_of.isoformat()
        return ToolCall(
            previous.tool,
            {k: v for k, v in args.items() if v is not None},
            "follow-up of the previous question",
        )

    def label_warehouse(self, warehouse_id: Any) -> str:
        if not warehouse_id:
            return "all warehouses"
        return f"{self.entities.name_of('warehouse', str(warehouse_id))} ({warehouse_id})"
