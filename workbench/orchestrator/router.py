"""Routing: persona + intent -> the agent(s) that answer.

* SQL_QUERY -> the persona's SQL agent (semantic layer over the persona's tables).
* OPTIMIZATION -> a specialist: the one the calculation's topic names (inventory,
  logistics, supplier), else the persona's usual one. A specialist refuses tools over
  tables the persona may not read, so routing never widens what a persona sees.
* HYBRID -> the persona's SQL agent for the listing, then the calculation on the listed
  rows (see :mod:`workbench.orchestrator.hybrid`).

Agents come from an :class:`AgentDirectory`, so tests and plugins can supply their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from workbench.agents.answer import Intent
from workbench.agents.base import Agent
from workbench.data.schema import Persona
from workbench.orchestrator.intent import IntentResult

#: Intent topic -> specialist name.
TOPIC_SPECIALISTS: dict[str, str] = {
    "inventory": "inventory",
    "logistics": "logistics",
    "procurement": "supplier",
}
#: The specialist a persona usually needs, when the question names no topic.
PERSONA_SPECIALISTS: dict[Persona, str] = {
    Persona.WAREHOUSE_MANAGER: "inventory",
    Persona.FIELD_ENGINEER: "logistics",
    Persona.PROCUREMENT_SPECIALIST: "supplier",
}


@runtime_checkable
class AgentDirectory(Protocol):
    """Where the orchestrator finds agents."""

    def sql_agent(self, persona: Persona) -> Agent: ...

    def specialist(self, persona: Persona, name: str) -> Agent: ...


@dataclass(frozen=True)
class Route:
    """Which agents answer one question, in order."""

    intent: Intent
    persona: Persona
    sql_agent: Agent | None = None
    specialist: Agent | None = None
    #: The specialist's short name (inventory, logistics, supplier).
    specialist_name: str | None = None

    @property
    def agent_names(self) -> tuple[str, ...]:
        names = []
        if self.sql_agent is not None:
            names.append(self.sql_agent.name)
        if self.specialist is not None:
            names.append(self.specialist.name)
        elif self.specialist_name is not None:
            names.append(f"{self.specialist_name}_specialist")
        return tuple(names)


class Router:
    def __init__(self, directory: AgentDirectory) -> None:
        self.directory = directory

    @staticmethod
    def specialist_name(persona: Persona, result: IntentResult) -> str:
        """The topic's specialist (the persona's own when several topics match), else the persona's."""
        named = [TOPIC_SPECIALISTS[t] for t in result.topics if t in TOPIC_SPECIALISTS]
        own = PERSONA_SPECIALISTS[persona]
        if own in named or not named:
            return own
        return named[0]

    def route(self, persona: Persona, result: IntentResult) -> Route:
        if result.intent is Intent.SQL_QUERY:
            return Route(result.intent, persona, sql_agent=self.directory.sql_agent(persona))
        name = self.specialist_name(persona, result)
        if result.intent is Intent.OPTIMIZATION:
            return Route(
                result.intent,
                persona,
                specialist=self.directory.specialist(persona, name),
                specialist_name=name,
            )
        return Route(
            result.intent,
            persona,
            sql_agent=self.directory.sql_agent(persona),
            specialist_name=name,
        )
