"""Test support: a backend whose *answers* are scripted and everything else is real.

Widget tests need answers they control (an exact frame, an error, an unexpected
exception, a slow call) to exercise every flow deterministically. So only ``ask`` is
scripted, by :class:`ScriptedWorkbench`; login, lockout, persona grants, sessions and
logout go through the real :class:`~workbench.auth.AuthService`, results through a real
:class:`~workbench.cache.ResultCache`, follow-up context through the real
:class:`~workbench.memory.ConversationMemory`, and costs into the real
:class:`~workbench.cost.ledger.CostLedger` — all in the given (temporary) home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.agents.answer import Answer, ChartSpec
from workbench.cost.usage import Cost
from workbench.data.schema import Persona
from workbench.ui.backend import WorkbenchBackend

Responder = Callable[[str, str], Answer]


class ScriptedWorkbench:
    """``Workbench.ask`` over registered answers; the other collaborators are the real ones."""

    backend_name = "scripted"

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.answers: dict[str, Answer | Exception | Responder] = {}
        self.calls: list[tuple[str, str, str | None]] = []

    @cached_property
    def cache(self) -> Any:
        from workbench.cache import ResultCache

        return ResultCache(self.settings.cache)

    @cached_property
    def memory(self) -> Any:
        from workbench.memory import ConversationMemory

        return ConversationMemory(self.settings.memory.max_turns)

    @cached_property
    def ledger(self) -> Any:
        from workbench.cost.ledger import CostLedger

        return CostLedger(self.settings.ledger_db_path, cost_settings=self.settings.cost)

    def register(self, question: str, answer: Answer | Exception | Responder) -> None:
        self.answers[question.strip().lower()] = answer

    def ask(
        self,
        question: str,
        persona: str,
        *,
        as_of: dt.date | None = None,
        session_id: str | None = None,
    ) -> Answer:
        """Like ``Workbench.ask``: business errors come back in ``Answer.error``."""
        self.calls.append((question, persona, session_id))
        key = self.cache.key(
            question,
            persona=persona,
            as_of=as_of or dt.date(2026, 6, 30),
            backend=self.backend_name,
            data_version="1",
        )
        hit = self.cache.get(key)
        if hit is not None:
            return hit.with_(cached=True)
        entry = self.answers.get(question.strip().lower())
        if entry is None:
            return Answer(
                question=question,
                persona=persona,
                error=f"Sorry, I did not understand {question!r}.",
                suggestions=["how many orders are overdue?"],
            )
        if isinstance(entry, Exception):
            raise entry
        answer = entry(question, persona) if callable(entry) else entry
        self.ledger.record(answer, session_id=session_id)
        if answer.ok:
            self.cache.put(key, answer)
            if session_id:
                self.memory.remember(session_id, persona, question, answer)
        return answer


def scripted_backend(
    settings: Any, users: Mapping[str, tuple[str, Iterable[str | Persona]]] = {}
) -> tuple[WorkbenchBackend, ScriptedWorkbench]:
    """A :class:`WorkbenchBackend` over a :class:`ScriptedWorkbench` and the real auth service."""
    from workbench.auth import AuthService, UserStore

    store = UserStore(settings)
    for username, (password, personas) in users.items():
        store.add_user(username, password, personas=list(personas))
    workbench = ScriptedWorkbench(settings)
    return WorkbenchBackend(workbench, AuthService(settings)), workbench


def make_answer(
    question: str,
    frame: pd.DataFrame,
    text: str,
    *,
    persona: str = "warehouse_manager",
    sql: str | None = "SELECT 1",
    chart: ChartSpec | None = None,
    cost: Mapping[str, float] | None = None,
) -> Answer:
    """An :class:`Answer` as the orchestrator would return it (for registering)."""
    return Answer(
        question=question,
        persona=persona,
        sql=sql,
        frame=frame,
        answer=text,
        chart=chart,
        cost=Cost(
            actual={},
            aws_equivalent=dict(cost or {"redshift_serverless": 0.0021, "bedrock": 0.0004}),
        ),
        duration_ms=12.0,
    )


__all__ = ["ScriptedWorkbench", "make_answer", "scripted_backend"]
