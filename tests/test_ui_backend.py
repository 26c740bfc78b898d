"""The dashboards' backend adapter over the real auth service and cost ledger (no browser)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench.agents.answer import Answer
from workbench.auth import AuthService, UserStore
from workbench.core.config import load_settings
from workbench.core.errors import AuthError, PermissionDeniedError, WorkbenchError
from workbench.cost.ledger import CostLedger
from workbench.cost.usage import Cost
from workbench.ui.backend import WorkbenchBackend
from workbench.ui.models import AppModel

PASSWORD = "backend-test-pass-1"


class _AskingWorkbench:
    """Stands in for ``Workbench`` where only ``ask`` is exercised; records its calls."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.calls: list[dict[str, Any]] = []

    def ask(
        self,
        question: str,
        persona: str,
        *,
        as_of: dt.date | None = None,
        session_id: str | None = None,
    ) -> Answer:
        self.calls.append(
            {"question": question, "persona": persona, "as_of": as_of, "session_id": session_id}
        )
        return Answer(
            question=question, persona=persona, frame=pd.DataFrame({"n": [1]}), answer="1."
        )


class _AskingWorkbenchWithToken(_AskingWorkbench):
    """The orchestrator's signature: ``auth_token`` is checked there."""

    def ask(  # type: ignore[override]
        self,
        question: str,
        persona: str,
        *,
        as_of: dt.date | None = None,
        session_id: str | None = None,
        auth_token: str | None = None,
    ) -> Answer:
        self.calls.append(
            {
                "question": question,
                "persona": persona,
                "as_of": as_of,
                "session_id": session_id,
                "auth_token": auth_token,
            }
        )
        return Answer(
            question=question, persona=persona, frame=pd.DataFrame({"n": [1]}), answer="1."
        )


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    (tmp_path / "config.yaml").write_text(
        "as_of: 2026-06-30\nauth:\n  bcrypt_rounds: 4\n  lockout_attempts: 2\n", encoding="utf-8"
    )
    settings = load_settings(home=tmp_path)
    store = UserStore(settings)
    store.add_user("dana", PASSWORD, personas=["warehouse_manager", "procurement_specialist"])
    return settings


def test_login_persona_switch_logout_through_real_auth(settings: Any) -> None:
    auth = AuthService(settings)
    backend = WorkbenchBackend(_AskingWorkbench(settings), auth)
    with pytest.raises(AuthError):
        backend.login("dana", "wrong password!!")
    session = backend.login("dana", PASSWORD)
    assert session.username == "dana" and set(session.personas) == {
        "warehouse_manager",
        "procurement_specialist",
    }
    assert (
        backend.switch_persona(session.token, "procurement_specialist").active_persona
        == "procurement_specialist"
    )
    with pytest.raises(WorkbenchError):
        backend.switch_persona(session.token, "field_engineer")
    backend.logout(session.token)
    with pytest.raises(AuthError):
        auth.validate(session.token)


def test_lockout_message_reaches_the_login_form(settings: Any) -> None:
    app = AppModel(WorkbenchBackend(_AskingWorkbench(settings), AuthService(settings)))
    for _ in range(3):
        app.login.username, app.login.password = "dana", "wrong password!!"
        app.submit_login()
    assert app.stage == "login"
    assert "lock" in (app.login.error or "").lower()


@pytest.mark.parametrize("with_token", [False, True])
def test_ask_passes_as_of_session_and_refuses_ungranted_persona(
    settings: Any, with_token: bool
) -> None:
    workbench = (_AskingWorkbenchWithToken if with_token else _AskingWorkbench)(settings)
    backend = WorkbenchBackend(workbench, AuthService(settings))
    session = backend.login("dana", PASSWORD)
    backend.ask("how many?", "warehouse_manager", token=session.token, session_id="s1")
    call = workbench.calls[-1]
    assert (call["as_of"], call["session_id"]) == (dt.date(2026, 6, 30), "s1")
    assert (call.get("auth_token") == session.token) is with_token
    if not with_token:  # without an orchestrator-side check the adapter authorizes itself
        with pytest.raises((PermissionDeniedError, AuthError)):
            backend.ask("how many?", "field_engineer", token=session.token)


def test_cost_summary_reads_the_ledger(settings: Any) -> None:
    backend = WorkbenchBackend(_AskingWorkbench(settings), AuthService(settings))
    ledger = CostLedger(settings.ledger_db_path, cost_settings=settings.cost)
    answer = Answer(
        question="q",
        persona="warehouse_manager",
        cost=Cost(actual={}, aws_equivalent={"redshift": 0.25}),
    )
    ledger.record(answer)
    summary = backend.cost_summary()
    assert summary is not None
    assert summary.today_actual == 0.0 and summary.today_aws_equivalent >= 0.25
    assert summary.month_end_aws_equivalent >= summary.today_aws_equivalent
    assert summary.aws_equivalent_by_service["redshift"] == pytest.approx(0.25)
    assert backend.cache_stats() is None  # no result cache on this workbench
