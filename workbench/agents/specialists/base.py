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

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import pandas as pd

from workbench.agents.answer import Answer, ChartSpec, Intent
from workbench.agents.base import AgentRequest
from workbench.core import present
from workbench.core.errors import NotUnderstoodError, PermissionDeniedError
from workbench.cost.usage import Usage
from workbench.data.schema import PERSONA_TABLES, Persona, personas_for_tables
from workbench.invokers.base import Invoker
from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.time import TimeWindow, parse_time_window
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

_ENTITY_KINDS = ("warehouse", "product", "category", "supplier")
#: Phrases that name a measure, blanked before entity matching ("safety stock" is not the Safety category).
_MEASURE_PHRASES = re.compile(
    r"safety\s+stocks?|safety\s+levels?|service\s+levels?|order\s+quantit(?:y|ies)|reorder\s+points?|"
    r"lead\s+times?|fill\s+rates?|on[- ]time|supplier\s+scores?|price\s+scores?",
    re.IGNORECASE,
)
#: A size typed without its space ("12in", "40mm"), as product names spell it apart ("12 in").
_GLUED_UNIT = re.compile(r"(\d)(in|mm|ft|lb|oz|gal)\b", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
}


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _number(token: str) -> float:
    token = token.lower().replace(",", "")
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)


@dataclass(frozen=True)
class QuestionContext:
    """What a question names, resolved against the data and the as-of date."""

    text: str
    as_of: dt.date
    warehouses: tuple[EntityMatch, ...] = ()
    products: tuple[EntityMatch, ...] = ()
    categories: tuple[EntityMatch, ...] = ()
    suppliers: tuple[EntityMatch, ...] = ()
    window: TimeWindow | None = None
    service_level: float | None = None
    horizon_days: int | None = None
    vehicles: int | None = None
    vehicle_capacity: int | None = None
    order_cost: float | None = None
    holding_rate: float | None = None
    min_score: float | None = None
    #: The first bare percentage in the question, as a fraction ("99%" -> 0.99).
    percent: float | None = None

    @property
    def level(self) -> float | None:
        """The service level asked for: explicit, else a bare percentage that can be one (50-99.99%)."""
        if self.service_level is not None:
            return self.service_level
        if self.percent is not None and 0.5 <= self.percent < 1:
            return self.percent
        return None

    @property
    def warehouse_id(self) -> str | None:
        return self.warehouses[0].id if self.warehouses else None

    @property
    def product_ids(self) -> list[str] | None:
        ids = list(dict.fromkeys(m.id for m in self.products))
        return ids or None

    @property
    def category(self) -> str | None:
        return self.categories[0].id if self.categories else None

    @property
    def supplier_ids(self) -> list[str] | None:
        ids = list(dict.fromkeys(m.id for m in self.suppliers))
        return ids or None

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.IGNORECASE) is not None


def _service_level(text: str) -> float | None:
    """A service level such as "99%", "97.5 % service" or "service level 0.98"; None when not given."""
    m = re.search(r"service\s+level\s+(?:of\s+|=\s*)?(0?\.\d+)\b", text, re.IGNORECASE)
    if m:
        return float(m.group(1))
    if not re.search(r"service|level|availability|confidence", text, re.IGNORECASE):
        return None
    for m in re.finditer(r"(\d{2}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", text, re.IGNORECASE):
        value = float(m.group(1)) / 100
        if 0.5 <= value < 1:
            return value
    return None


def _percent(text: str) -> float | None:
    m = re.search(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", text, re.IGNORECASE)
    return float(m.group(1)) / 100 if m else None


_WORD_NUM = r"(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|a)"


def _horizon(text: str) -> int | None:
    m = re.search(
        rf"(?:next|coming|following|upcoming)\s+{_WORD_NUM}\s+(day|week|month)s?",
        text,
        re.IGNORECASE,
    )
    if m:
        n = _number(m.group(1))
        return int(n * {"day": 1, "week": 7, "month": 30}[m.group(2).lower()])
    m = re.search(
        r"(?:next|coming|following|upcoming)\s+(day|week|fortnight|month|quarter)(?:'?s'?)?\b",
        text,
        re.IGNORECASE,
    )
    if m:
        return {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90}[
            m.group(1).lower()
        ]
    m = re.search(rf"{_WORD_NUM}[- ](day|week)s?\s+(?:forecast|ahead|horizon)", text, re.IGNORECASE)
    if m:
        return int(_number(m.group(1)) * (7 if m.group(2).lower() == "week" else 1))
    return None


def _vehicles(text: str) -> tuple[int | None, int | None]:
    vehicles = capacity = None
    m = re.search(rf"{_WORD_NUM}\s+(?:vehicles?|trucks?|vans?|drivers?)", text, re.IGNORECASE)
    if m:
        vehicles = int(_number(m.group(1)))
    m = re.search(
        r"(?:capacity\s+(?:of\s+)?|holds?\s+|carry(?:ing)?\s+|up\s+to\s+)(\d[\d,]*)\s*(?:units?)?|(\d[\d,]*)\s+units?\s+(?:each|per\s+(?:vehicle|truck|van))|(?:vehicles?|trucks?|vans?)\s+(?:of|with|carrying|holding|taking)\s+(\d[\d,]*)\s*units?",
        text,
        re.IGNORECASE,
    )
    if m:
        capacity = int((m.group(1) or m.group(2) or m.group(3)).replace(",", ""))
    return vehicles, capacity


def _order_cost(text: str) -> float | None:
    m = re.search(
        r"(?:order(?:ing)?|setup)\s+costs?\s+(?:of\s+|is\s+|are\s+|=\s*)?\$?(\d+(?:\.\d+)?)",
        text,
        re.IGNORECASE,
    )
    return float(m.group(1)) if m else None


def _holding_rate(text: str) -> float | None:
    m = re.search(
        r"holding\s+(?:(?:costs?|rate)\s+)?(?:of\s+|is\s+|at\s+|=\s*)?(\d+(?:\.\d+)?)\s*(%|percent\b)?",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    value = float(m.group(1))
    return value / 100 if m.group(2) or value > 1 else value


def _min_score(text: str) -> float | None:
    m = re.search(
        r"score\s+(?:of\s+)?(?:at\s+least|above|over|>=?|of)\s+(0?\.\d+|\d{2})", text, re.IGNORECASE
    )
    if not m:
        return None
    value = float(m.group(1))
    return value / 100 if value > 1 else value


def _supplier_by_leading_words(text: str, entities: EntityIndex) -> list[EntityMatch]:
    """Suppliers named by the first two or more words of their name ("cascade supply").

    Users shorten names; a prefix counts only when it names exactly one supplier.
    """
    words_of = {
        rec.id: re.findall(r"[a-z0-9]+", rec.name.lower()) for rec in entities.entities("supplier")
    }
    owners: dict[str, set[str]] = {}
    for sid, words in words_of.items():
        for k in range(2, len(words) + 1):
            owners.setdefault(" ".join(words[:k]), set()).add(sid)
    lowered = text.lower()
    found: dict[str, EntityMatch] = {}
    for prefix, ids in sorted(owners.items(), key=lambda kv: -len(kv[0])):
        if len(ids) != 1:
            continue
        m = re.search(rf"\b{re.escape(prefix)}\b", lowered)
        if m is None:
            continue
        sid = next(iter(ids))
        if sid not in found:
            name = entities.name_of("supplier", sid)
            found[sid] = EntityMatch("supplier", sid, name, 90.0, (m.start(), m.end()))
    return list(found.values())


def understand(text: str, as_of: dt.date, entities: EntityIndex) -> QuestionContext:
    """Resolve the entities, time window and tool parameters a question names."""
    masked = _GLUED_UNIT.sub(r"\1 \2", _blank(text, _MEASURE_PHRASES))
    found = entities.find(masked, kinds=(*_ENTITY_KINDS, "product_group"))
    by_kind: dict[str, list[EntityMatch]] = {k: [] for k in (*_ENTITY_KINDS, "product_group")}
    for match in found:
        by_kind[match.kind].append(match)
    # A product family ("gfci outlets", "cordless drill") names all its products.
    for group in by_kind.pop("product_group"):
        by_kind["product"].extend(
            replace(group, kind="product", id=pid) for pid in group.id.split(",") if pid
        )
    if not by_kind["supplier"]:
        by_kind["supplier"].extend(_supplier_by_leading_words(masked, entities))
    window = parse_time_window(text, as_of)
    vehicles, capacity = _vehicles(text)
    return QuestionContext(
        text=text,
        as_of=as_of,
        warehouses=tuple(by_kind["warehouse"]),
        products=tuple(by_kind["product"]),
        categories=tuple(by_kind["category"]),
        suppliers=tuple(by_kind["supplier"]),
        window=window,
        service_level=_service_level(text),
        horizon_days=_horizon(text),
        vehicles=vehicles,
        vehicle_capacity=capacity,
        order_cost=_order_cost(text),
        holding_rate=_holding_rate(text),
        min_score=_min_score(text),
        percent=_percent(text),
    )


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
        ctx = understand(request.question, request.as_of, self.entities)
        call = self.choose(ctx, request)
        self.check_persona(call.tool, request.persona)
        usage = Usage()
        data = self.invoker.invoke(call.tool, call.arguments, usage=usage)
        result = ToolResult.from_dict(data)
        shown = self.present(call, result, ctx)
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
