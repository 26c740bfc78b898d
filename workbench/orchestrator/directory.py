"""The built-in agents, found by persona and specialist name.

SQL agents come from a factory (``Workbench.sql_agent``: one per persona, wrapped by the
configured planner mode); specialists are made once per name over the same warehouse and
the configured invoker. ``parse`` reads a question once with the persona's planner (its
vocabulary and the entity names the persona may see).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from workbench.agents.base import Agent
from workbench.core.config import Settings
from workbench.data.schema import Persona

if TYPE_CHECKING:
    from workbench.invokers.base import Invoker
    from workbench.warehouse.base import Warehouse


class DefaultAgentDirectory:
    """Persona SQL agents and the Inventory / Logistics / Supplier specialists."""

    def __init__(
        self,
        settings: Settings,
        *,
        warehouse: Callable[[], Warehouse],
        sql_agent: Callable[[Persona], Agent] | None = None,
        invoker: Callable[[], Invoker] | None = None,
    ) -> None:
        self.settings = settings
        self._warehouse = warehouse
        self._sql_factory = sql_agent
        self._invoker_factory = invoker
        self._sql: dict[Persona, Agent] = {}
        self._specialists: dict[str, Agent] = {}
        self._invoker: Invoker | None = None
        self._lock = threading.RLock()

    def sql_agent(self, persona: Persona) -> Agent:
        if self._sql_factory is not None:
            return self._sql_factory(persona)
        with self._lock:
            if persona not in self._sql:
                from workbench.agents.sql_agent import PersonaSqlAgent
                from workbench.llm.agent import with_planner_mode

                agent = PersonaSqlAgent(
                    self._warehouse(),
                    persona,
                    row_limit=self.settings.warehouse.row_limit,
                    timeout=self.settings.warehouse.timeout_seconds,
                )
                self._sql[persona] = with_planner_mode(self.settings, agent)
            return self._sql[persona]

    def specialist(self, persona: Persona, name: str) -> Agent:
        """The named specialist; it still refuses tools over tables ``persona`` may not read."""
        with self._lock:
            if name not in self._specialists:
                from workbench.agents.specialists import create_specialist

                self._specialists[name] = cast(
                    Agent, create_specialist(name, self._warehouse(), self.invoker())
                )
            return self._specialists[name]

    def invoker(self) -> Invoker:
        """The configured tool invoker (local or Lambda), shared by specialists and hybrid answers."""
        with self._lock:
            if self._invoker is None:
                if self._invoker_factory is not None:
                    self._invoker = self._invoker_factory()
                else:
                    from workbench.invokers.base import create_invoker

                    self._invoker = create_invoker(self.settings, warehouse=self._warehouse())
            return self._invoker

    def parse(self, persona: Persona, question: str, as_of: Any) -> Any:
        """The question's one reading, by the persona's SQL agent (its planner's vocabulary)."""
        agent = self.sql_agent(persona)
        parse = getattr(agent, "parse", None)
        if callable(parse):
            return parse(question, as_of)
        from workbench.semantic.question import parse_text

        return parse_text(question, as_of, persona.value)

    def reset(self) -> None:
        """Forget agents bound to a closed warehouse (``Workbench.close``)."""
        with self._lock:
            self._sql.clear()
            self._specialists.clear()
            self._invoker = None
