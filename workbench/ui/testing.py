"""A fake :class:`DashboardBackend` for widget tests and demos without a warehouse.

It implements the port's contract (login with lockout, granted personas, refusal of an
ungranted persona, conversation ids, cache statistics, a cost summary) over answers the
caller registers, so widget tests exercise every flow deterministically and fast. The app
itself always uses :class:`~workbench.ui.backend.WorkbenchBackend`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.agents.answer import Answer, ChartSpec
from workbench.core.errors import AuthError, NotUnderstoodError, PermissionDeniedError
from workbench.cost.usage import Cost
from workbench.data.schema import Persona
from workbench.ui.backend import CostSummary, UserSession

Responder = Callable[[str, str], Answer]


@dataclass
class _User:
    password: str
    personas: tuple[str, ...]
    failures: int = 0


@dataclass
class FakeBackend:
    """In-memory users and registered answers; records every call for assertions."""

    lockout_attempts: int = 3
    as_of: dt.date | None = dt.date(2026, 6, 30)
    answers: dict[str, Answer | Exception | Responder] = field(default_factory=dict)
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    users: dict[str, _User] = field(default_factory=dict)
    sessions: dict[str, UserSession] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    spent: dict[str, float] = field(default_factory=dict)

    def add_user(self, username: str, password: str, personas: Iterable[str | Persona]) -> None:
        self.users[username] = _User(password, tuple(Persona.parse(p).value for p in personas))

    def register(self, question: str, answer: Answer | Exception | Responder) -> None:
        self.answers[question.strip().lower()] = answer

    def login(self, username: str, password: str) -> UserSession:
        user = self.users.get(username)
        if user is not None and user.failures >= self.lockout_attempts:
            raise AuthError(
                "This account is locked after too many failed attempts. Try again in 15 minutes."
            )
        if user is None or user.password != password:
            if user is not None:
                user.failures += 1
            raise AuthError("Wrong username or password.")
        user.failures = 0
        session = UserSession(secrets.token_hex(8), username, user.personas)
        self.sessions[session.token] = session
        return session

    def _session(self, token: str) -> UserSession:
        if token not in self.sessions:
            raise AuthError("Your session has expired. Please log in again.")
        return self.sessions[token]

    def logout(self, token: str) -> None:
        self.sessions.pop(token, None)

    def switch_persona(self, token: str, persona: str) -> UserSession:
        session = self._session(token)
        if persona not in session.personas:
            raise PermissionDeniedError(
                f"You do not have access to the {Persona.parse(persona).label} persona."
            )
        updated = UserSession(
            session.token, session.username, session.personas, persona, session.is_admin
        )
        self.sessions[token] = updated
        return updated

    def ask(
        self, question: str, persona: str, *, token: str, session_id: str | None = None
    ) -> Answer:
        session = self._session(token)
        if persona not in session.personas:
            raise PermissionDeniedError(
                f"You do not have access to the {Persona.parse(persona).label} persona."
            )
        self.calls.append((question, persona, session_id))
        key = question.strip().lower()
        entry = self.answers.get(key)
        if entry is None:
            self.misses += 1
            raise NotUnderstoodError(
                f"Sorry, I did not understand {question!r}.",
                suggestions=["how many orders are overdue?"],
            )
        if isinstance(entry, Exception):
            raise entry
        answer = entry(question, persona) if callable(entry) else entry
        for service, value in answer.cost.aws_equivalent.items():
            self.spent[service] = self.spent.get(service, 0.0) + value
        self.hits += 1
        return answer

    def end_conversation(self, session_id: str) -> None:
        self.ended.append(session_id)

    def cache_stats(self) -> Mapping[str, Any] | None:
        total = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hits / total if total else 0.0,
            "entries": len(self.answers),
            "bytes": 2048,
        }

    def cost_summary(self) -> CostSummary | None:
        total = sum(self.spent.values())
        return CostSummary(
            today_aws_equivalent=total,
            month_end_aws_equivalent=total * 30,
            aws_equivalent_by_service=dict(self.spent),
        )


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
    """An :class:`Answer` as the orchestrator would return it (for registering in the fake)."""
    return Answer(
        question=question,
        persona=persona,
        sql=sql,
        frame=frame,
        answer=text,
        chart=chart,
        cost=Cost(actual={}, aws_equivalent=dict(cost or {"redshift": 0.0021, "bedrock": 0.0004})),
        duration_ms=12.0,
    )


__all__ = ["FakeBackend", "make_answer"]
