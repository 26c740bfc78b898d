"""The LLM port: turn a question into something our compiler or guard can run.

An :class:`Llm` receives a :class:`PlanRequest` and returns a :class:`PlanOutcome`: a
:class:`~workbench.semantic.plan.QueryPlan` filled through the ``plan_query`` tool (the
normal path: our compiler writes the SQL), or, as a fallback, SQL that passed
:class:`~workbench.warehouse.guard.SqlGuard`, or a request to run one of the registry's
tools. Backends ("offline", "bedrock") are chosen by configuration through a registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workbench.core.errors import ConfigError, WorkbenchError
from workbench.cost.usage import LlmUsage
from workbench.data.schema import Persona

if TYPE_CHECKING:
    from workbench.core.config import Settings
    from workbench.semantic.plan import QueryPlan
    from workbench.warehouse.base import QueryResult
    from workbench.warehouse.guard import CheckedQuery


@dataclass(frozen=True)
class PlanRequest:
    question: str
    persona: Persona
    as_of: dt.date
    #: The previous plan of the conversation, for follow-ups.
    previous: QueryPlan | None = None


@dataclass(frozen=True)
class ToolCall:
    """The model chose one of the registry's calculation tools; the caller routes it."""

    name: str
    arguments: dict[str, Any]


@dataclass
class PlanOutcome:
    """What the LLM produced, what it ran to check it, and the tokens it used."""

    backend: str
    plan: QueryPlan | None = None
    checked_sql: CheckedQuery | None = None
    tool_call: ToolCall | None = None
    #: The query result when the LLM path ran the query (to self-correct on a rejection).
    result: QueryResult | None = None
    usage: list[LlmUsage] = field(default_factory=list)
    #: Tool rounds with the model (1 = answered at the first try).
    rounds: int = 0
    corrections: int = 0
    #: Any text the model wrote beside its tool calls.
    text: str = ""
    #: Why no query came out (set instead of raising, so the tokens spent are still recorded).
    error: WorkbenchError | None = None

    @property
    def sql(self) -> str | None:
        if self.result is not None:
            return self.result.sql
        return self.checked_sql.sql if self.checked_sql is not None else None


@runtime_checkable
class Llm(Protocol):
    #: Registry name ("offline", "bedrock"); also ``LlmUsage.backend``.
    name: str

    def plan(self, request: PlanRequest) -> PlanOutcome: ...


LlmFactory = Callable[..., Llm]
_REGISTRY: dict[str, LlmFactory] = {}


def register_llm(name: str) -> Callable[[LlmFactory], LlmFactory]:
    """Decorator: make an LLM backend available by name."""

    def deco(factory: LlmFactory) -> LlmFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtin() -> None:
    import workbench.llm.bedrock
    import workbench.llm.offline  # noqa: F401


def available_llms() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def create_llm(name: str, settings: Settings, **kwargs: Any) -> Llm:
    """Build the named backend; ``kwargs`` (warehouse, model, schema, client...) go to its factory."""
    _load_builtin()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"Unknown LLM backend '{name}'.",
            issues=[f"must be one of {', '.join(sorted(_REGISTRY))}"],
            key="planner.mode",
        ) from None
    return factory(settings, **kwargs)
