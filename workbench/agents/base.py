"""The agent port: every agent (persona SQL agents, specialists, hybrids) answers an ``AgentRequest``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from workbench.agents.answer import Answer
from workbench.data.schema import Persona


@dataclass(frozen=True)
class AgentRequest:
    """One question for one agent.

    ``previous`` is the last answer of the same session (for follow-ups such as
    "what about this month?"); ``parsed`` is the question's one
    :class:`~workbench.semantic.question.ParsedQuestion` (made by the orchestrator; an agent
    called on its own parses the question itself); ``hints`` carries what the orchestrator
    already resolved.
    """

    question: str
    persona: Persona
    as_of: dt.date
    session_id: str | None = None
    previous: Answer | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    parsed: Any = None


@runtime_checkable
class Agent(Protocol):
    #: Shown in ``Answer.agent``, e.g. "warehouse_manager_sql" or "inventory_specialist".
    name: str

    def answer(self, request: AgentRequest) -> Answer: ...
