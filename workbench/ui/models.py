"""Dashboard state as plain Python objects (no widget imports).

Each model holds the state of one part of the UI and the operations a user can perform on
it; views subscribe with :meth:`Observable.observe` and re-render the fields named in the
notification. Everything here is unit-testable without a browser or a kernel.
"""

from __future__ import annotations

import base64
import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from workbench.agents.answer import Answer
from workbench.core import present
from workbench.core.errors import AuthError, NotUnderstoodError, WorkbenchError
from workbench.core.logs import log_event
from workbench.data.schema import Persona
from workbench.ui.backend import CostSummary, DashboardBackend, UserSession
from workbench.ui.charts import ChartChoice, choose_chart
from workbench.ui.content import EXAMPLE_QUESTIONS, KPIS, KpiSpec, format_value, read_kpi

log = logging.getLogger(__name__)

Listener = Callable[[Any, frozenset[str]], None]

UNEXPECTED_ERROR = (
    "Something went wrong while answering. Please try again; the details were written to the log."
)


class Observable:
    """Minimal change notification: ``observe(fn)`` gets ``fn(model, changed_names)``."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def observe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self, *names: str) -> None:
        changed = frozenset(names)
        for listener in list(self._listeners):
            listener(self, changed)


def friendly_error(exc: BaseException) -> str:
    """The message a business user sees for an exception (details go to the log)."""
    if isinstance(exc, WorkbenchError):
        return str(exc)
    return UNEXPECTED_ERROR


# --------------------------------------------------------------------------- table
class TableModel(Observable):
    """A result table with sorting and pagination over the full frame."""

    def __init__(self, frame: pd.DataFrame | None = None, *, page_size: int = 10) -> None:
        super().__init__()
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.page_size = page_size
        self.frame: pd.DataFrame = pd.DataFrame() if frame is None else frame
        self.page = 0
        self.sort_by: str | None = None
        self.ascending = True

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.frame = pd.DataFrame() if frame is None else frame.reset_index(drop=True)
        self.page = 0
        self.sort_by = None
        self.ascending = True
        self._changed("frame", "page", "sort")

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    @property
    def row_count(self) -> int:
        return len(self.frame)

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.row_count / self.page_size))

    def sort(self, column: str | None, ascending: bool | None = None) -> None:
        """Sort by ``column``; sorting again by the same column flips the direction."""
        if column is not None and column not in self.columns:
            raise KeyError(f"No column named {column!r}")
        if ascending is None:
            ascending = (
                not self.ascending if column == self.sort_by and column is not None else True
            )
        self.sort_by, self.ascending = column, ascending
        self.page = 0
        self._changed("sort", "page")

    def sorted_frame(self) -> pd.DataFrame:
        if self.sort_by is None or self.frame.empty:
            return self.frame
        return self.frame.sort_values(
            self.sort_by, ascending=self.ascending, na_position="last", kind="stable"
        ).reset_index(drop=True)

    def page_frame(self) -> pd.DataFrame:
        start = self.page * self.page_size
        return self.sorted_frame().iloc[start : start + self.page_size]

    def go_to(self, page: int) -> None:
        page = min(max(page, 0), self.page_count - 1)
        if page != self.page:
            self.page = page
            self._changed("page")

    def next_page(self) -> None:
        self.go_to(self.page + 1)

    def previous_page(self) -> None:
        self.go_to(self.page - 1)

    @property
    def page_label(self) -> str:
        if self.row_count == 0:
            return "No rows"
        start = self.page * self.page_size + 1
        end = min(self.row_count, start + self.page_size - 1)
        return f"Rows {start}–{end} of {self.row_count} · page {self.page + 1} of {self.page_count}"

    def csv_text(self) -> str:
        """The full result (every row, current sort) as CSV."""
        return self.sorted_frame().to_csv(index=False)

    def csv_data_uri(self) -> str:
        """A ``data:`` URI for the CSV: downloads work offline, with no server route."""
        payload = base64.b64encode(self.csv_text().encode("utf-8")).decode("ascii")
        return f"data:text/csv;charset=utf-8;base64,{payload}"


# --------------------------------------------------------------------------- login
class LoginModel(Observable):
    """Username/password form state; :meth:`submit` returns the session on success."""

    def __init__(self, backend: DashboardBackend) -> None:
        super().__init__()
        self.backend = backend
        self.username = ""
        self.password = ""
        self.error: str | None = None
        self.busy = False

    def submit(self) -> UserSession | None:
        if not self.username.strip() or not self.password:
            self.error = "Enter your username and password."
            self._changed("error")
            return None
        self.busy, self.error = True, None
        self._changed("busy", "error")
        try:
            session = self.backend.login(self.username.strip(), self.password)
        except AuthError as exc:
            self.error = str(exc)
            session = None
        except Exception as exc:
            log_event(log, "ui.login_failed", error=repr(exc))
            self.error = friendly_error(exc)
            session = None
        finally:
            # Never keep a password around longer than the attempt.
            self.password = ""
            self.busy = False
        self._changed("busy", "error", "password")
        return session

    def reset(self, error: str | None = None) -> None:
        """Empty the form (after logout), optionally saying why (an expired session)."""
        self.username, self.password, self.error, self.busy = "", "", error, False
        self._changed("username", "password", "error", "busy")


# --------------------------------------------------------------------------- password
class PasswordChangeModel(Observable):
    """The first login with a one-time password: choose a new one before any dashboard opens."""

    def __init__(self, backend: DashboardBackend, session: UserSession, current: str) -> None:
        super().__init__()
        self.backend = backend
        self.session = session
        self._current = current
        self.new_password = ""
        self.confirm = ""
        self.error: str | None = None
        self.busy = False

    def submit(self) -> UserSession | None:
        """Change the password; the refreshed session, or None with :attr:`error` set."""
        if not self.new_password:
            self.error = "Choose a new password."
        elif self.new_password != self.confirm:
            self.error = "The two passwords differ. Type the new password twice."
        elif self.new_password == self._current:
            self.error = "Choose a password different from the one-time password."
        else:
            self.error = None
        if self.error:
            self._changed("error")
            return None
        self.busy = True
        self._changed("busy", "error")
        session: UserSession | None = None
        try:
            session = self.backend.change_password(
                self.session.token, self._current, self.new_password
            )
        except WorkbenchError as exc:  # the password policy, an expired session
            self.error = str(exc)
        except Exception as exc:
            log_event(log, "ui.password_change_failed", error=repr(exc))
            self.error = friendly_error(exc)
        finally:
            self.new_password = self.confirm = ""
            self.busy = False
        if session is not None:
            self._current = ""
        self._changed("busy", "error", "new_password", "confirm")
        return session


# --------------------------------------------------------------------------- dashboard
@dataclass
class KpiTile:
    spec: KpiSpec
    text: str = "…"
    value: object = None
    error: str | None = None


@dataclass
class ConversationEntry:
    question: str
    summary: str
    ok: bool
    cached: bool = False
    duration_ms: float = 0.0


@dataclass
class AnswerCost:
    """One answer's cost by service (actual spend and the AWS equivalent)."""

    by_service: dict[str, float] = field(default_factory=dict)
    aws_equivalent_by_service: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.by_service.values())

    @property
    def aws_equivalent_total(self) -> float:
        return sum(self.aws_equivalent_by_service.values())


class DashboardModel(Observable):
    """One persona's dashboard for one logged-in user: KPIs, question, answer, history, cost."""

    def __init__(
        self,
        backend: DashboardBackend,
        session: UserSession,
        persona: str | Persona,
        *,
        page_size: int = 10,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.session = session
        self.persona = Persona.parse(persona)
        self.session_id = f"{session.username}:{self.persona.value}:{uuid.uuid4().hex[:12]}"
        self.question = ""
        self.busy = False
        self.status = ""
        self.answer: Answer | None = None
        self.error: str | None = None
        self.suggestions: list[str] = []
        self.show_sql = False
        self.table = TableModel(page_size=page_size)
        self.chart: ChartChoice = ChartChoice("none")
        self.history: list[ConversationEntry] = []
        self.kpis: list[KpiTile] = [KpiTile(spec) for spec in KPIS[self.persona]]
        self.cache_stats: Mapping[str, Any] | None = None
        self.cost: CostSummary | None = None
        self.answer_cost = AnswerCost()
        self.last_ask_ms: float | None = None
        #: Why the login session ended while this dashboard was open (None while it is alive).
        self.session_lost: str | None = None

    # -- derived -----------------------------------------------------------------
    @property
    def examples(self) -> tuple[str, ...]:
        return EXAMPLE_QUESTIONS[self.persona]

    @property
    def persona_label(self) -> str:
        return self.persona.label

    @property
    def sql(self) -> str | None:
        return self.answer.sql if self.answer is not None else None

    @property
    def answer_text(self) -> str:
        return self.answer.answer if self.answer is not None and self.error is None else ""

    # -- actions -----------------------------------------------------------------
    def load(self) -> None:
        """Compute the KPI tiles and refresh the side panels (called when the dashboard opens)."""
        self.busy, self.status = True, "Loading key figures…"
        self._changed("busy", "status")
        try:
            for tile in self.kpis:
                self._compute_kpi(tile)
            self._changed("kpis")
        finally:
            self.busy, self.status = False, ""
            self.refresh_panels()
            self._changed("busy", "status")

    def _compute_kpi(self, tile: KpiTile) -> None:
        try:
            answer = self.backend.ask(
                tile.spec.question, self.persona.value, token=self.session.token, session_id=None
            )
            if answer.error:
                raise WorkbenchError(answer.error)
            tile.value = read_kpi(answer.frame, tile.spec)
            tile.text, tile.error = format_value(tile.value, tile.spec.fmt), None
        except Exception as exc:
            log_event(
                log, "ui.kpi_failed", kpi=tile.spec.key, persona=self.persona.value, error=repr(exc)
            )
            tile.value, tile.text, tile.error = None, "—", friendly_error(exc)

    def ask(self, question: str | None = None) -> Answer | None:
        """Answer ``question`` (or the current text), updating table, chart, history and cost."""
        text = (question if question is not None else self.question).strip()
        if question is not None and question != self.question:
            self.question = question
            self._changed("question")
        if not text:
            self.error, self.suggestions = (
                "Type a question first, or click one of the examples.",
                [],
            )
            self._changed("error", "suggestions")
            return None
        if self.busy:
            return None
        self.busy, self.status, self.error, self.suggestions = True, "Working on it…", None, []
        self._changed("busy", "status", "error", "suggestions")
        started = time.perf_counter()
        answer: Answer | None = None
        try:
            answer = self.backend.ask(
                text, self.persona.value, token=self.session.token, session_id=self.session_id
            )
        except NotUnderstoodError as exc:
            self.error, self.suggestions = str(exc), list(exc.suggestions)
        except AuthError as exc:
            # The login session ended (idle timeout, logout elsewhere): the app shows the login.
            self.busy, self.status, self.session_lost = False, "", str(exc)
            self._changed("busy", "status", "session_lost")
            return None
        except Exception as exc:
            if not isinstance(exc, WorkbenchError):
                log_event(
                    log, "ui.ask_failed", persona=self.persona.value, question=text, error=repr(exc)
                )
            self.error = friendly_error(exc)
        self.last_ask_ms = (time.perf_counter() - started) * 1000
        if answer is not None and answer.error:
            self.error, self.suggestions = answer.error, list(answer.suggestions)
        self._apply(text, answer)
        return answer

    def _apply(self, text: str, answer: Answer | None) -> None:
        if self.error is None and answer is not None:
            self.answer = answer
            self.table.set_frame(answer.frame)
            self.chart = choose_chart(answer.frame, answer.chart)
            self.answer_cost = AnswerCost(
                dict(answer.cost.actual), dict(answer.cost.aws_equivalent)
            )
            summary = answer.answer or present.count(len(answer.frame), "row")
            self.history.append(
                ConversationEntry(text, summary, True, answer.cached, answer.duration_ms)
            )
        else:
            self.answer = answer
            self.table.set_frame(None)
            self.chart = ChartChoice("none")
            self.answer_cost = AnswerCost()
            self.history.append(ConversationEntry(text, self.error or "", False))
        # Most useful first: the table went out with set_frame; then the sentence, the
        # chart, the history; the side panels (cost chart, cache) last.
        self._changed("answer", "error", "suggestions")
        self._changed("chart")
        self.busy, self.status = False, ""
        self._changed("history", "busy", "status")
        self.refresh_panels()

    def remove_part(self, index: int) -> Answer | None:
        """Take part ``index`` of the answer's reading out (a chip's ×) and re-run the plan
        without reading the question again."""
        from workbench.semantic.interpretation import without_part
        from workbench.semantic.plan import QueryPlan

        answer = self.answer
        read = getattr(answer, "interpretation", None)
        if self.busy or answer is None or read is None or not isinstance(answer.plan, QueryPlan):
            return None
        part = read.parts[index]
        try:
            plan = without_part(answer.plan, part)
        except ValueError as exc:
            self.error = str(exc)
            self._changed("error")
            return None
        self.busy, self.status, self.error, self.suggestions = True, "Working on it…", None, []
        self._changed("busy", "status", "error", "suggestions")
        new: Answer | None = None
        try:
            new = self.backend.run_plan(
                plan,
                self.persona.value,
                token=self.session.token,
                question=answer.question,
                session_id=self.session_id,
            )
        except AuthError as exc:
            self.busy, self.status, self.session_lost = False, "", str(exc)
            self._changed("busy", "status", "session_lost")
            return None
        except Exception as exc:
            self.error = friendly_error(exc)
        if new is not None and new.error:
            self.error = new.error
        self._apply(f"{answer.question} (without {part.label})", new)
        return new

    def rerun(self, index: int) -> Answer | None:
        """Ask history entry ``index`` again (the sidebar's click)."""
        return self.ask(self.history[index].question)

    def toggle_sql(self, show: bool | None = None) -> None:
        self.show_sql = (not self.show_sql) if show is None else show
        self._changed("show_sql")

    def refresh_panels(self) -> None:
        try:
            self.cache_stats = self.backend.cache_stats()
        except Exception as exc:
            log_event(log, "ui.cache_stats_failed", error=repr(exc))
            self.cache_stats = None
        try:
            self.cost = self.backend.cost_summary()
        except Exception as exc:
            log_event(log, "ui.cost_summary_failed", error=repr(exc))
            self.cost = None
        self._changed("cache", "cost")

    def close(self) -> None:
        """End this dashboard's conversation (persona switch or logout)."""
        self.history.clear()
        try:
            self.backend.end_conversation(self.session_id)
        except Exception as exc:
            log_event(log, "ui.end_conversation_failed", error=repr(exc))
        self._changed("history")


# --------------------------------------------------------------------------- app
Stage = Literal["login", "password", "picker", "dashboard"]


class AppModel(Observable):
    """Login → persona picker → dashboard; logout returns to login.

    ``persona`` pins the app to one persona (the per-persona dashboard notebooks): after
    login the picker is skipped, and a user without that persona gets a clear message.
    """

    def __init__(
        self,
        backend: DashboardBackend,
        *,
        persona: str | Persona | None = None,
        page_size: int = 10,
        load_kpis: bool = True,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.pinned: Persona | None = Persona.parse(persona) if persona is not None else None
        self.page_size = page_size
        self.load_kpis = load_kpis
        self.stage: Stage = "login"
        self.login = LoginModel(backend)
        self.session: UserSession | None = None
        self.dashboard: DashboardModel | None = None
        self.password_change: PasswordChangeModel | None = None
        self.error: str | None = None

    @property
    def personas(self) -> list[Persona]:
        """The personas this user may open (granted, and the pinned one only if pinned)."""
        if self.session is None:
            return []
        granted = [Persona.parse(p) for p in self.session.personas]
        return [p for p in granted if self.pinned is None or p is self.pinned]

    def submit_login(self) -> bool:
        typed = self.login.password
        session = self.login.submit()
        if session is None:
            return False
        self.session, self.error = session, None
        if session.must_change_password:
            # A one-time password opens nothing but the form that replaces it.
            self.password_change = PasswordChangeModel(self.backend, session, typed)
            self.stage = "password"
            self._changed("stage", "session")
            return True
        return self._after_login()

    def submit_password_change(self) -> bool:
        """The new-password form's button: on success, on to the persona picker or dashboard."""
        if self.password_change is None:
            return False
        session = self.password_change.submit()
        if session is None:
            return False
        self.session, self.password_change = session, None
        return self._after_login()

    def _after_login(self) -> bool:
        if self.session is None:
            return False
        if self.pinned is not None and self.pinned not in self.personas:
            self.error = f"Your account does not have the {self.pinned.label} persona. Ask an administrator to grant it."
            self.stage = "picker"
            self._changed("stage", "error", "session")
            return True
        options = self.personas
        if len(options) == 1:
            self.choose_persona(options[0])
        else:
            self.stage = "picker"
            self._changed("stage", "session")
        return True

    def choose_persona(self, persona: str | Persona) -> None:
        if self.session is None:
            raise AuthError("Log in first.")
        if self.session.must_change_password:
            self.error = "Choose a new password first."
            self._changed("error")
            return
        chosen = Persona.parse(persona)
        if chosen not in self.personas:
            self.error = f"You do not have access to the {chosen.label} persona."
            self._changed("error")
            return
        try:
            self.session = self.backend.switch_persona(self.session.token, chosen.value)
        except AuthError as exc:
            self._expired(str(exc))
            return
        except WorkbenchError as exc:
            self.error = str(exc)
            self._changed("error")
            return
        if self.dashboard is not None:
            self.dashboard.close()
        self.error = None
        self.dashboard = DashboardModel(
            self.backend, self.session, chosen, page_size=self.page_size
        )
        self.dashboard.observe(self._on_dashboard)
        self.stage = "dashboard"
        self._changed("stage", "dashboard", "error", "session")
        if self.load_kpis:
            self.dashboard.load()

    def switch_persona(self, persona: str | Persona) -> None:
        """The header's persona switcher: a fresh dashboard, the conversation cleared."""
        self.choose_persona(persona)

    def logout(self) -> None:
        if self.dashboard is not None:
            self.dashboard.close()
        if self.session is not None:
            try:
                self.backend.logout(self.session.token)
            except WorkbenchError as exc:
                log_event(log, "ui.logout_failed", error=str(exc))
        self.session, self.dashboard, self.error = None, None, None
        self.password_change = None
        self.login.reset()
        self.stage = "login"
        self._changed("stage", "dashboard", "session", "error")

    def _on_dashboard(self, dashboard: DashboardModel, changed: frozenset[str]) -> None:
        if "session_lost" in changed and dashboard is self.dashboard and dashboard.session_lost:
            dashboard.close()
            self._expired(dashboard.session_lost)

    def _expired(self, message: str) -> None:
        self.session, self.dashboard, self.password_change = None, None, None
        self.login.reset(message)
        self.stage = "login"
        self._changed("stage", "dashboard", "session")


__all__ = [
    "UNEXPECTED_ERROR",
    "AnswerCost",
    "AppModel",
    "ConversationEntry",
    "DashboardModel",
    "KpiTile",
    "LoginModel",
    "Observable",
    "PasswordChangeModel",
    "Stage",
    "TableModel",
    "friendly_error",
]
