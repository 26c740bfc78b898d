"""The port the dashboards talk to, and its adapter over the real workbench pieces.

Views never reach into ``Workbench``, the auth service, the cache or the cost ledger
directly: they go through :class:`DashboardBackend`. That keeps the widgets testable
with a small fake and lets each real piece (auth, orchestrator, cache, ledger) plug in
as it is configured, without any ``if`` chains in the views.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from workbench.agents.answer import Answer
from workbench.core.errors import AuthError, NotUnderstoodError, PermissionDeniedError
from workbench.core.logs import log_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserSession:
    """Who is logged in and which personas they may use (a view of the auth session)."""

    token: str
    username: str
    personas: tuple[str, ...]
    active_persona: str | None = None
    is_admin: bool = False
    #: A first-run one-time password is still in use: the UI asks the user to change it.
    must_change_password: bool = False

    @classmethod
    def from_auth(cls, session: Any) -> UserSession:
        """Adapt the auth service's session object (duck-typed: same field names)."""
        personas = tuple(str(getattr(p, "value", p)) for p in getattr(session, "personas", ()))
        active = getattr(session, "active_persona", None)
        return cls(
            token=str(session.token),
            username=str(session.username),
            personas=personas,
            active_persona=str(getattr(active, "value", active)) if active else None,
            is_admin=bool(getattr(session, "is_admin", False)),
            must_change_password=bool(getattr(session, "must_change_password", False)),
        )


@dataclass(frozen=True)
class CostSummary:
    """Today's spend and the month-end projection (USD): actual and the AWS equivalent.

    Run locally the actual spend is $0; the AWS-equivalent figures say what the same work
    would cost on the configured AWS setup, so both are shown.
    """

    today_actual: float = 0.0
    today_aws_equivalent: float = 0.0
    month_end_actual: float = 0.0
    month_end_aws_equivalent: float = 0.0
    #: Month to date, by service.
    by_service: Mapping[str, float] = field(default_factory=dict)
    aws_equivalent_by_service: Mapping[str, float] = field(default_factory=dict)


@runtime_checkable
class DashboardBackend(Protocol):
    """Everything the dashboards need from the rest of the workbench."""

    @property
    def as_of(self) -> dt.date | None: ...

    def login(self, username: str, password: str) -> UserSession: ...

    def logout(self, token: str) -> None: ...

    def switch_persona(self, token: str, persona: str) -> UserSession: ...

    def change_password(self, token: str, current: str, new: str) -> UserSession: ...

    def ask(
        self, question: str, persona: str, *, token: str, session_id: str | None = None
    ) -> Answer: ...

    def run_plan(
        self,
        plan: Any,
        persona: str,
        *,
        token: str,
        question: str = "",
        session_id: str | None = None,
    ) -> Answer: ...

    def end_conversation(self, session_id: str) -> None: ...

    def cache_stats(self) -> Mapping[str, Any] | None: ...

    def cost_summary(self) -> CostSummary | None: ...


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _call_first(obj: Any, names: Sequence[str], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    for name in names:
        fn = getattr(obj, name, None)
        if callable(fn):
            return True, fn(*args, **kwargs)
    return False, None


def _as_float_map(value: Any) -> dict[str, float]:
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    return {}


class WorkbenchBackend:
    """:class:`DashboardBackend` over a real ``Workbench`` and ``AuthService``.

    ``workbench`` must offer ``ask(question, persona, *, as_of=, session_id=[, auth_token=])``.
    Cache, conversation memory and the cost ledger are found on the workbench (attributes
    ``cache``, ``memory``, ``ledger``) when the orchestrator provides them; a missing piece
    simply hides its panel section.
    """

    def __init__(self, workbench: Any, auth: Any) -> None:
        self.workbench = workbench
        self.auth = auth
        self._own_ledger: Any = None

    @classmethod
    def create(cls, home: str | None = None, config: Any = None) -> WorkbenchBackend:
        """Build the backend from configuration (what the notebooks call)."""
        from workbench.app import Workbench
        from workbench.auth import AuthService

        workbench = Workbench(home=home, config=config)
        return cls(workbench, AuthService(workbench.settings))

    def warm_up(self) -> None:
        """Do the one-time work before the first visitor: imports, the planner's vocabulary
        per persona, the warehouse connection, the ledger, matplotlib's fonts.

        Under Voila this runs while the kernel is preheated, so the first question and the
        KPI tiles do not pay for it. Failures are logged and left for the real request.
        """
        from workbench.data.schema import Persona
        from workbench.ui.charts import ChartChoice, render_chart

        try:
            make_agent = getattr(self.workbench, "sql_agent", None)
            for persona in Persona:
                if callable(make_agent):
                    make_agent(persona)
            self.cache_stats()
            self.cost_summary()
            import pandas as pd

            render_chart(
                pd.DataFrame({"x": ["a", "b"], "y": [1, 2]}), ChartChoice("bar", "x", ("y",))
            )
        except Exception as exc:
            log_event(log, "ui.warm_up_failed", error=repr(exc))

    @property
    def as_of(self) -> dt.date | None:
        settings = getattr(self.workbench, "settings", None)
        return getattr(settings, "as_of", None)

    def login(self, username: str, password: str) -> UserSession:
        return UserSession.from_auth(self.auth.login(username, password))

    def logout(self, token: str) -> None:
        self.auth.logout(token)

    def switch_persona(self, token: str, persona: str) -> UserSession:
        return UserSession.from_auth(self.auth.switch_persona(token, persona))

    def change_password(self, token: str, current: str, new: str) -> UserSession:
        """The user's own password change (the first login with a one-time password asks it)."""
        return UserSession.from_auth(self.auth.change_password(token, current, new))

    def ask(
        self, question: str, persona: str, *, token: str, session_id: str | None = None
    ) -> Answer:
        kwargs: dict[str, Any] = {"as_of": self.as_of, "session_id": session_id}
        if _accepts(self.workbench.ask, "auth_token"):
            # The orchestrator authorizes too, but reports a dead session as an answer error;
            # raising AuthError here lets the dashboard send the user back to the login form.
            self.auth.validate(token)
            kwargs["auth_token"] = token
        else:
            # No orchestrator-side check yet: authorize here so an ungranted persona is refused.
            self.auth.authorize(token, persona)
        answer: Answer = self.workbench.ask(question, persona, **kwargs)
        return answer

    def run_plan(
        self,
        plan: Any,
        persona: str,
        *,
        token: str,
        question: str = "",
        session_id: str | None = None,
    ) -> Answer:
        """Re-run a changed reading (a chip removed) without reading the question again."""
        self.auth.validate(token)
        runner = getattr(self.workbench, "run_plan", None)
        if not callable(runner):
            raise NotUnderstoodError("This workbench cannot re-run a changed reading; ask again.")
        answer: Answer = runner(
            plan,
            persona,
            question=question,
            as_of=self.as_of,
            session_id=session_id,
            auth_token=token,
        )
        return answer

    def end_conversation(self, session_id: str) -> None:
        for holder in (self.workbench, getattr(self.workbench, "orchestrator", None)):
            memory = getattr(holder, "memory", None)
            if memory is not None:
                found, _ = _call_first(memory, ("clear", "reset", "end"), session_id)
                if found:
                    return

    def _find(self, attr: str) -> Any:
        for holder in (self.workbench, getattr(self.workbench, "orchestrator", None)):
            value = getattr(holder, attr, None) if holder is not None else None
            if value is not None:
                return value
        return None

    def cache_stats(self) -> Mapping[str, Any] | None:
        cache = self._find("cache")
        if cache is None or not callable(getattr(cache, "stats", None)):
            return None
        stats = cache.stats()
        if callable(getattr(stats, "to_dict", None)):  # CacheStats: includes the hit_rate property
            return dict(stats.to_dict())
        if isinstance(stats, Mapping):
            return dict(stats)
        if hasattr(stats, "__dataclass_fields__"):
            from dataclasses import asdict

            return asdict(stats)
        return {
            k: getattr(stats, k)
            for k in ("hits", "misses", "hit_rate", "entries", "bytes")
            if hasattr(stats, k)
        }

    def _ledger(self) -> Any:
        ledger = self._find("ledger") or self._find("cost_ledger")
        if ledger is None and self._own_ledger is None:
            settings = getattr(self.workbench, "settings", None)
            if settings is None:
                return None
            from workbench.cost.ledger import CostLedger

            self._own_ledger = CostLedger(settings.ledger_db_path, cost_settings=settings.cost)
        return ledger or self._own_ledger

    def cost_summary(self) -> CostSummary | None:
        """Today and the month-end projection from the cost ledger (the ledger's own calendar)."""
        ledger = self._ledger()
        if ledger is None:
            return None
        today = ledger.today()
        daily = ledger.daily_totals(1, today=today)
        projection = ledger.month_end_projection(today)
        month = ledger.by_service(today.day, today=today)
        return CostSummary(
            today_actual=float(daily["actual_usd"].sum()),
            today_aws_equivalent=float(daily["aws_equivalent_usd"].sum()),
            month_end_actual=float(projection.projected_actual),
            month_end_aws_equivalent=float(projection.projected_aws_equivalent),
            by_service={
                str(k): float(v) for k, v in zip(month["service"], month["actual_usd"], strict=True)
            },
            aws_equivalent_by_service={
                str(k): float(v)
                for k, v in zip(month["service"], month["aws_equivalent_usd"], strict=True)
            },
        )


__all__ = [
    "AuthError",
    "CostSummary",
    "DashboardBackend",
    "PermissionDeniedError",
    "UserSession",
    "WorkbenchBackend",
]
