"""The ``Workbench`` facade: the one object notebooks, dashboards, reports and the CLI use."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.config import Settings, load_settings
from workbench.core.errors import PermissionDeniedError, QueryRefusedError
from workbench.core.logs import configure_logging, log_event
from workbench.data.schema import DATA_TABLES
from workbench.warehouse.base import Warehouse, create_warehouse, execute_untrusted
from workbench.warehouse.guard import SqlGuard

log = logging.getLogger(__name__)
#: How much of a refused query the log keeps.
_LOGGED_SQL_CHARS = 2000


class Workbench:
    """Entry point to the workbench.

    ``home`` decides where local state lives (default ``$WORKBENCH_HOME`` or ``~/.workbench``);
    ``config`` is a path to a YAML file, a mapping, a :class:`Settings`, or None for the
    documented lookup order.
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        config: str | os.PathLike[str] | Mapping[str, Any] | Settings | None = None,
    ) -> None:
        self.settings: Settings = load_settings(config, home=home)
        configure_logging(
            self.settings.log_dir,
            level=self.settings.logging.level,
            max_bytes=self.settings.logging.max_bytes,
            backup_count=self.settings.logging.backup_count,
        )

    @property
    def home(self) -> Path:
        """Where this workbench keeps its local state (data, logs, caches)."""
        return self.settings.home

    @cached_property
    def warehouse(self) -> Warehouse:
        return create_warehouse(self.settings)

    def sql(
        self,
        sql: str,
        *,
        allowed_tables: Iterable[str] = DATA_TABLES,
        persona: str | None = None,
    ) -> pd.DataFrame:
        """Run analyst SQL after the safety check (one read-only SELECT over the data tables).

        A refused query raises :class:`~workbench.core.errors.QueryRefusedError` (or
        :class:`~workbench.core.errors.PermissionDeniedError`) before anything runs. At most
        ``warehouse.row_limit`` rows come back; ``frame.attrs["truncated"]`` says whether
        the result was cut.
        """
        limit = self.settings.warehouse.row_limit
        guard = SqlGuard(
            allowed_tables, dialect=self.warehouse.dialect, row_limit=limit + 1, persona=persona
        )
        try:
            checked = guard.check(sql)
        except (QueryRefusedError, PermissionDeniedError) as exc:
            log_event(
                log,
                "query_refused",
                level=logging.WARNING,
                backend=self.warehouse.name,
                # Truncated: a refused query can be 100 kB of hostile text.
                sql=sql[:_LOGGED_SQL_CHARS],
                sql_chars=len(sql),
                persona=persona,
                reason=exc.fields.get("reason"),
                error=exc.message,
            )
            raise
        result = execute_untrusted(self.warehouse, checked.ast, row_limit=limit)
        frame = result.frame
        frame.attrs["truncated"] = result.truncated
        frame.attrs["row_limit"] = limit
        return frame

    # -- questions (semantic layer) -------------------------------------------------------
    def sql_agent(self, persona: str | Any) -> Any:
        """The persona's SQL agent (one per persona, kept for this workbench's lifetime)."""
        from workbench.agents.sql_agent import PersonaSqlAgent
        from workbench.data.schema import Persona

        persona = Persona.parse(persona)
        agents: dict[Any, Any] = self.__dict__.setdefault("_sql_agents", {})
        if persona not in agents:
            agent = PersonaSqlAgent(
                self.warehouse,
                persona,
                row_limit=self.settings.warehouse.row_limit,
                timeout=self.settings.warehouse.timeout_seconds,
            )
            from workbench.llm.agent import with_planner_mode

            # planner.mode: offline keeps the agent; bedrock / auto wrap it with the LLM planner.
            agents[persona] = with_planner_mode(self.settings, agent)
        return agents[persona]

    def ask(
        self,
        question: str,
        persona: str | Any,
        *,
        as_of: Any = None,
        session_id: str | None = None,
        username: str | None = None,
        auth_token: str | None = None,
    ) -> Any:
        """Answer a plain-English question as ``persona`` and return an ``Answer``.

        ``as_of`` (a date or ISO string) is "today" for the question; None means the
        configured ``as_of`` or the real date. With ``session_id``, a follow-up ("what
        about last month?") refines the session's previous answer. With ``auth_token``, the
        session's user must hold ``persona`` (else ``Answer.error`` and nothing is read).
        Problems (not understood, another persona's data) come back in ``Answer.error``;
        nothing is written to the warehouse. Every answer goes through the orchestrator:
        intent routing, cache, conversation memory, cost ledger and the structured log.
        """
        from workbench.agents.answer import Answer
        from workbench.semantic.time import coerce_date

        try:
            day = coerce_date(as_of) if as_of is not None else None
        except ValueError:
            return Answer(
                question=str(question),
                persona=str(persona),
                error=f"Invalid as-of date {as_of!r}: use YYYY-MM-DD.",
            )
        return self.orchestrator.ask(
            str(question),
            persona,
            session_id=session_id,
            as_of=day,
            username=username,
            auth_token=auth_token,
        )

    def run_plan(
        self,
        plan: Any,
        persona: str | Any,
        *,
        question: str = "",
        as_of: Any = None,
        session_id: str | None = None,
        username: str | None = None,
        auth_token: str | None = None,
    ) -> Any:
        """Answer a ``QueryPlan`` without reading a question: an answer's plan with one part
        of its reading removed (``semantic.interpretation.without_part``)."""
        from workbench.semantic.time import coerce_date

        return self.orchestrator.run_plan(
            plan,
            persona,
            question=question,
            session_id=session_id,
            as_of=coerce_date(as_of) if as_of is not None else None,
            username=username,
            auth_token=auth_token,
        )

    @cached_property
    def orchestrator(self) -> Any:
        """Routing, cache, memory and cost for :meth:`ask` (one per workbench)."""
        from workbench.orchestrator import Orchestrator
        from workbench.orchestrator.directory import DefaultAgentDirectory

        directory = DefaultAgentDirectory(
            self.settings, warehouse=lambda: self.warehouse, sql_agent=self.sql_agent
        )
        return Orchestrator(
            self.settings,
            warehouse=lambda: self.warehouse,
            directory=directory,
            invoker=directory.invoker,
        )

    def close(self) -> None:
        self.__dict__.pop("_sql_agents", None)
        if "orchestrator" in self.__dict__:
            self.orchestrator.reset()
        if "warehouse" in self.__dict__:
            self.warehouse.close()
            del self.__dict__["warehouse"]

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
