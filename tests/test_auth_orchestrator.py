"""Persona refusal at the orchestrator: ``Workbench.ask(..., auth_token=...)``.

Runs once ``Workbench.ask`` accepts ``auth_token`` (the orchestrator wiring); until then it
skips with a reason saying so. The core check it relies on, ``AuthService.authorize``, is
tested in test_auth.py.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from tests.conftest import copy_sample_home
from workbench.app import Workbench
from workbench.auth import AuthService
from workbench.core.errors import AuthError, PermissionDeniedError
from workbench.data.schema import Persona

PW = "correct horse battery"


def _ask_takes_token() -> bool:
    ask = getattr(Workbench, "ask", None)
    return ask is not None and "auth_token" in inspect.signature(ask).parameters


pytestmark = pytest.mark.skipif(
    not _ask_takes_token(), reason="PENDING: Workbench.ask does not accept auth_token yet"
)


@pytest.fixture
def wired(sample_home: Path, tmp_path: Path) -> tuple[Workbench, AuthService]:
    home = tmp_path / "home"
    copy_sample_home(sample_home, home)
    with (home / "config.yaml").open("a", encoding="utf-8") as handle:
        handle.write("auth:\n  bcrypt_rounds: 4\n")
    wb = Workbench(home=home)
    auth = AuthService(wb.settings)
    auth.users.add_user("ann", PW, personas=[Persona.WAREHOUSE_MANAGER])
    return wb, auth


def _refused(call: object, pattern: str, error: type[Exception]) -> None:
    try:
        answer = call()  # type: ignore[operator]
    except error as exc:
        assert pattern in str(exc)
        return
    assert answer.error and pattern in answer.error, answer.error
    assert answer.frame is None or answer.frame.empty


def test_ungranted_persona_is_refused_by_workbench_ask(
    wired: tuple[Workbench, AuthService],
) -> None:
    wb, auth = wired
    token = auth.login("ann", PW).token
    question = "Which suppliers have the best on-time rate?"
    _refused(
        lambda: wb.ask(question, "procurement_specialist", auth_token=token),
        "Your account is not granted the Procurement Specialist persona.",
        PermissionDeniedError,
    )
    denied = auth.audit_entries(event="permission_denied")
    assert denied and denied[0].username == "ann" and denied[0].persona == "procurement_specialist"
    assert auth.audit_entries(event="question_asked") == []


def test_bad_token_is_refused_and_granted_persona_is_audited(
    wired: tuple[Workbench, AuthService],
) -> None:
    wb, auth = wired
    token = auth.login("ann", PW).token
    _refused(
        lambda: wb.ask(
            "How many products are out of stock?", "warehouse_manager", auth_token=token[:-1]
        ),
        "log in again",
        AuthError,
    )
    answer = wb.ask("How many products are out of stock?", "warehouse_manager", auth_token=token)
    assert not answer.error or "not granted" not in answer.error
    asked = auth.audit_entries(event="question_asked")
    assert asked and asked[0].username == "ann" and asked[0].persona == "warehouse_manager"
