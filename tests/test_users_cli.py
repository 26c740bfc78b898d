"""``workbench users …`` end to end: prompts, --password-stdin, policy, import/export, concurrency."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import workbench.cli.users_cmd  # noqa: F401  (registers the "users" group)
from workbench.auth import AccountLockedError, AuthService, InvalidCredentialsError, UserStore
from workbench.cli.common import cli
from workbench.core import logs
from workbench.core.config import load_settings
from workbench.data.schema import Persona

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No outside config, and put the global log handler back after the CLI moved it."""
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    monkeypatch.delenv("WORKBENCH_ADMIN_PASSWORD", raising=False)
    saved = (logs._handler, logs._handler_key)
    yield
    if logs._handler is not saved[0]:
        root = __import__("logging").getLogger("workbench")
        if logs._handler is not None:
            root.removeHandler(logs._handler)
            logs._handler.close()
        if saved[0] is not None:
            root.addHandler(saved[0])
        logs._handler, logs._handler_key = saved


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    return home


def run(home: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--home", str(home), "users", *args], input=input, catch_exceptions=False
    )


def service(home: Path) -> AuthService:
    return AuthService(load_settings(None, home=home))


def test_add_with_prompt_and_confirmation(home: Path) -> None:
    result = run(
        home,
        "add",
        "Ann",
        "--persona",
        "warehouse_manager",
        "--persona",
        "field_engineer",
        input=f"{PW}\n{PW}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added user 'ann' (warehouse_manager, field_engineer)." in result.output
    assert PW not in result.output  # hidden input is not echoed
    session = service(home).login("ann", PW)
    assert session.personas == [Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER]


def test_confirmation_mismatch_adds_nobody(home: Path) -> None:
    result = run(home, "add", "ann", "--persona", "field_engineer", input=f"{PW}\n{PW}x\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert UserStore(load_settings(None, home=home)).find_user("ann") is None


def test_password_stdin_and_policy_message(home: Path) -> None:
    result = run(
        home, "add", "bob", "--persona", "field_engineer", "--password-stdin", input="short\n"
    )
    assert result.exit_code == 1
    assert "Passwords must be at least 12 characters long." in result.stderr
    result = run(
        home,
        "add",
        "bob",
        "--persona",
        "field_engineer",
        "--admin",
        "--password-stdin",
        input=f"{PW}\n",
    )
    assert result.exit_code == 0, result.output
    assert service(home).login("bob", PW).is_admin


def test_there_is_no_password_option(home: Path) -> None:
    result = run(home, "add", "bob", "--persona", "field_engineer", "--password", PW)
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "--password " not in run(home, "add", "--help").output.replace("--password-stdin", "")


def test_duplicate_add_is_a_clear_error(home: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    result = run(
        home, "add", "ANN", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n"
    )
    assert result.exit_code == 1
    assert "A user named 'ann' already exists." in result.stderr


def test_list_never_shows_hashes(home: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    run(home, "add", "root", "--admin", "--password-stdin", input=f"{PW}!\n")
    table = run(home, "list")
    assert table.exit_code == 0
    assert "ann" in table.output and "field_engineer" in table.output and "never" in table.output
    as_json = run(home, "list", "--format", "json")
    users = json.loads(as_json.output)
    assert [u["username"] for u in users] == ["ann", "root"]
    assert users[1]["is_admin"] is True
    for out in (table.output, as_json.output):
        assert "$2b$" not in out and "password_hash" not in out


def test_grant_revoke_passwd_disable_enable_remove(home: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    assert (
        "field_engineer, procurement_specialist"
        in run(home, "grant", "ann", "--persona", "procurement_specialist").output
    )
    assert run(home, "grant", "ann").exit_code == 2  # needs a persona
    assert (
        "now has: procurement_specialist."
        in run(home, "revoke", "ann", "--persona", "field_engineer").output
    )

    token = service(home).login("ann", PW).token
    result = run(home, "passwd", "ann", "--password-stdin", input="a brand new password\n")
    assert result.exit_code == 0 and "sessions were ended" in result.output
    svc = service(home)
    with pytest.raises(InvalidCredentialsError):
        svc.login("ann", PW)
    assert svc.login("ann", "a brand new password").personas == [Persona.PROCUREMENT_SPECIALIST]
    with pytest.raises(Exception, match="ended"):
        svc.validate(token)

    assert run(home, "disable", "ann").exit_code == 0
    assert "disabled" in run(home, "list").output
    assert run(home, "enable", "ann").exit_code == 0

    kept = run(home, "remove", "ann", input="n\n")
    assert kept.exit_code == 1  # aborted at the confirmation
    assert "Removed" not in kept.output
    assert run(home, "remove", "ann", "--yes").exit_code == 0
    missing = run(home, "remove", "ann", "--yes")
    assert missing.exit_code == 1 and "There is no user named 'ann'." in missing.stderr


def test_unlock(home: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    svc = service(home)
    for _ in range(5):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            svc.login("ann", "wrong password")
    assert "locked" in run(home, "list").output
    with pytest.raises(AccountLockedError):
        svc.login("ann", PW)
    assert "Unlocked 'ann'." in run(home, "unlock", "ANN").output
    assert svc.login("ann", PW).username == "ann"
    assert "'ann' was not locked." in run(home, "unlock", "ann").output


def test_export_import_round_trip(home: Path, tmp_path: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    run(
        home,
        "add",
        "root",
        "--admin",
        "--persona",
        "procurement_specialist",
        "--password-stdin",
        input=f"{PW}!\n",
    )
    out = tmp_path / "users.json"
    result = run(home, "export", str(out))
    assert result.exit_code == 0 and "Exported 2 user(s)" in result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    other = tmp_path / "other"
    other.mkdir()
    (other / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    result = run(other, "import", str(out))
    assert result.exit_code == 0 and "2 added" in result.output
    assert service(other).login("root", PW + "!").is_admin
    again = run(other, "import", str(out))
    assert (
        again.exit_code == 1
        and "already exist" in again.stderr
        and "ann: already exists" in again.stderr
    )
    assert "2 skipped" in run(other, "import", str(out), "--skip-existing").output
    assert "2 updated" in run(other, "import", str(out), "--update").output


def test_import_reports_all_problems(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "users": [
                    {"username": "a b", "password_hash": "x"},
                    {"username": "c", "password_hash": "y", "personas": ["nope"]},
                ]
            }
        )
    )
    result = run(home, "import", str(bad))
    assert result.exit_code == 1
    assert "4 problem(s)" in result.stderr
    assert "not a valid username" in result.stderr and "unknown persona 'nope'" in result.stderr


def test_audit_command(home: Path) -> None:
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    with pytest.raises(InvalidCredentialsError):
        service(home).login("ann", "wrong password")
    entries = json.loads(run(home, "audit", "--format", "json").output)
    assert [e["event"] for e in entries] == ["login_failure", "user_added"]
    assert entries[1]["actor"].startswith("cli")
    assert "login_failure" in run(home, "audit", "--user", "ann", "--event", "login_failure").output


def test_init_admin(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run(home, "init-admin")
    assert first.exit_code == 0 and "one-time password" in first.output
    password = first.output.strip().splitlines()[-1]
    session = service(home).login("admin", password)
    assert session.is_admin and session.must_change_password
    assert "already exists" in run(home, "init-admin").output
    assert password not in (home / "logs" / "workbench.log").read_text(encoding="utf-8")

    env_home = home.parent / "env-home"
    env_home.mkdir()
    (env_home / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_ADMIN_PASSWORD", "an admin password from env")
    result = run(env_home, "init-admin")
    assert "from $WORKBENCH_ADMIN_PASSWORD" in result.output
    assert service(env_home).login("admin", "an admin password from env").is_admin


@pytest.mark.slow
def test_concurrent_cli_adds(home: Path) -> None:
    """Several `workbench users add` processes at once: each user exactly once, duplicates refused."""
    names = ["u1", "u2", "u3", "dup", "DUP"]
    code = "import sys; from workbench.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_CONFIG", "WORKBENCH_HOME")}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                code,
                "--home",
                str(home),
                "users",
                "add",
                name,
                "--persona",
                "field_engineer",
                "--password-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in names
    ]
    outputs = [
        p.communicate(f"password for {name.lower()}\n", timeout=180)
        for p, name in zip(procs, names, strict=True)
    ]
    codes = [p.returncode for p in procs]
    assert codes[:3] == [0, 0, 0], outputs
    assert sorted(codes[3:]) == [0, 1], outputs
    loser = outputs[3] if codes[3] else outputs[4]
    assert "A user named 'dup' already exists." in loser[1]
    listed = json.loads(run(home, "list", "--format", "json").output)
    assert sorted(u["username"] for u in listed) == ["dup", "u1", "u2", "u3"]


def test_add_checks_the_name_before_asking_for_a_password(home: Path) -> None:
    result = run(home, "add", "bad name", "--persona", "field_engineer")
    assert result.exit_code == 1
    assert "not a valid username" in result.stderr
    assert "Password" not in result.output
    run(home, "add", "ann", "--persona", "field_engineer", "--password-stdin", input=f"{PW}\n")
    again = run(home, "add", "Ann", "--persona", "field_engineer")
    assert (
        again.exit_code == 1 and "already exists" in again.stderr and "Password" not in again.output
    )
