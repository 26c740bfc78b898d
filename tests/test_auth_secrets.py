"""No password, bcrypt hash or session token ever reaches a log line or the audit table."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import workbench.cli.users_cmd  # noqa: F401  (registers the "users" group)
from workbench.auth import AuthService, ensure_admin
from workbench.cli.common import cli
from workbench.core import logs
from workbench.core.config import load_settings
from workbench.core.errors import WorkbenchError
from workbench.data.schema import Persona


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    monkeypatch.delenv("WORKBENCH_ADMIN_PASSWORD", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text(
        "auth:\n  bcrypt_rounds: 4\nlogging:\n  level: DEBUG\n", encoding="utf-8"
    )
    saved = (logs._handler, logs._handler_key)
    yield home
    root = logging.getLogger("workbench")
    if logs._handler is not saved[0]:
        if logs._handler is not None:
            root.removeHandler(logs._handler)
            logs._handler.close()
        if saved[0] is not None:
            root.addHandler(saved[0])
        logs._handler, logs._handler_key = saved


def test_no_secret_in_logs_or_audit(home: Path, tmp_path: Path) -> None:
    settings = load_settings(None, home=home)
    logs.configure_logging(settings.log_dir, level="DEBUG")
    runner = CliRunner()
    passwords = [
        "first password of ann",
        "second password of ann",
        "wrong guess for ann",
        "guess for a ghost",
        "bob's secret words",
    ]
    hashes: set[str] = set()
    tokens: list[str] = []
    messages: list[str] = []

    def users(*args: str, input: str | None = None) -> str:
        result = runner.invoke(
            cli, ["--home", str(home), "users", *args], input=input, catch_exceptions=False
        )
        messages.append(result.output)
        return result.output

    def collect_hashes() -> None:
        with sqlite3.connect(settings.auth_db_path) as conn:
            hashes.update(row[0] for row in conn.execute("SELECT password_hash FROM users"))

    users(
        "add",
        "ann",
        "--persona",
        "warehouse_manager",
        "--persona",
        "field_engineer",
        "--password-stdin",
        input=passwords[0] + "\n",
    )
    users(
        "add",
        "bob",
        "--persona",
        "procurement_specialist",
        input=f"{passwords[4]}\n{passwords[4]}\n",
    )
    users("add", "short", "--password-stdin", input="tiny pw\n")  # refused by the policy
    passwords.append("tiny pw")
    collect_hashes()

    svc = AuthService(settings)
    session = svc.login("ann", passwords[0])
    tokens.append(session.token)
    svc.validate(session.token)
    svc.switch_persona(session.token, Persona.FIELD_ENGINEER)
    svc.audit(
        "question_asked",
        "ann",
        persona=Persona.FIELD_ENGINEER,
        question="Which orders are overdue?",
        session_id=session.session_id,
    )
    for call in (
        lambda: svc.authorize(session.token, Persona.PROCUREMENT_SPECIALIST),
        lambda: svc.validate(session.token[::-1]),
    ):
        with pytest.raises(WorkbenchError) as err:
            call()
        messages.append(json.dumps(err.value.to_dict()))
    svc.change_password(session.token, passwords[0], passwords[1])
    collect_hashes()
    svc.logout(session.token)
    for name, guess in [("ann", passwords[2])] * 6 + [("ghost", passwords[3])] * 2:
        with pytest.raises(WorkbenchError) as err:
            svc.login(name, guess)
        messages.append(str(err.value))
    users("unlock", "ann")
    tokens.append(svc.login("ann", passwords[1]).token)
    users("passwd", "bob", "--password-stdin", input="bob's newer secret words\n")
    passwords.append("bob's newer secret words")
    collect_hashes()
    tokens.append(svc.login("bob", passwords[-1]).token)
    admin_password = ensure_admin(settings, env={})
    assert admin_password
    passwords.append(admin_password)
    tokens.append(svc.login("admin", admin_password).token)
    collect_hashes()
    export = tmp_path / "users.json"
    users("export", str(export))
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    users("list", "--format", "json")
    users("audit", "--format", "json", "--limit", "1000")
    runner.invoke(
        cli, ["--home", str(other), "users", "import", str(export)], catch_exceptions=False
    )
    logs.configure_logging(settings.log_dir, level="DEBUG")  # the import above moved the handler

    secrets = (
        set(passwords)
        | hashes
        | set(tokens)
        | {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    )
    assert len(hashes) >= 5 and len(tokens) == 4

    log_text = "".join(
        p.read_text(encoding="utf-8") for p in settings.log_dir.rglob("*") if p.is_file()
    )
    log_text += "".join(
        p.read_text(encoding="utf-8") for p in (other / "logs").rglob("*") if p.is_file()
    )
    events = {json.loads(line)["event"] for line in log_text.splitlines()}
    # The flows above really were logged (so the grep below is not vacuous).
    assert {
        "auth.login_success",
        "auth.login_failure",
        "auth.lockout",
        "auth.logout",
        "auth.persona_switch",
        "auth.question_asked",
        "auth.user_added",
        "auth.user_passwd",
        "auth.password_changed",
        "auth.users_imported",
    } <= events
    with sqlite3.connect(settings.auth_db_path) as conn:
        audit_rows = conn.execute("SELECT * FROM audit").fetchall()
    audit_text = "\n".join(" ".join(str(v) for v in row) for row in audit_rows)
    assert len(audit_rows) > 20

    for secret in secrets:
        assert secret not in log_text, "a secret reached the log"
        assert secret not in audit_text, "a secret reached the audit table"
        for message in messages:
            assert secret not in message, "a secret reached CLI output or an error message"
