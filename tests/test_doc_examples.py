"""Every example in README.md and docs/ works against the data `make run` creates.

`make run` makes the configured sample data with no end date, so it ends *today*; an
example pinned to another day would answer "No data". Each ``workbench …`` line of a shell
block in the docs is run here (through the real command line, in a home made the way
``workbench run`` makes it) unless it is listed in :data:`NOT_RUN` with the reason; the
README's Python example is run too. A new example in the docs is picked up by itself.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.core.config import load_settings
from workbench.data.generator import ensure_sample_data

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)
#: Synopses, not examples: optional parts in brackets, alternatives, placeholders.
SYNOPSIS = re.compile(r"\[|\||<[a-z]|\bNAME\b|YYYY|\.\.\.|…")

#: Examples that are not run here, with the reason (each prefix must match an example).
NOT_RUN: dict[str, str] = {
    "workbench data generate": "rewrites the data; tests/test_data_cli.py covers it",
    "workbench data load": "needs AWS (S3, Athena or Redshift)",
    "workbench users add": "asks for a password on a terminal; tests/test_users_cli.py covers it",
    "workbench users import": "needs a users file; tests/test_users_cli.py covers it",
    "workbench report schedule --install": "changes the crontab of whoever runs the tests",
    "workbench report run supplier_scorecard --s3": "uploads to S3",
    "workbench serve": "starts a server; tests/test_ui_serve.py covers it",
    "workbench cost reconcile": "compares with what AWS billed; tests/test_cost_cli.py covers it with botocore's Stubber",
    "workbench data parity": "needs a second backend's configuration; tests cover it against the offline Redshift fake",
}


def doc_examples() -> list[tuple[str, str]]:
    """(where, command line) for every ``workbench`` line in a shell block of the docs."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        if path.name == "DATA_MODEL.md":
            continue
        for block in FENCE.findall(path.read_text(encoding="utf-8")):
            joined = block.replace("\\\n", " ")
            for line in joined.splitlines():
                text = line.strip()
                if text.startswith("echo ") and "| workbench " in text:
                    continue  # password from stdin: covered by the users CLI tests
                if text.startswith(".venv/bin/"):
                    text = text[len(".venv/bin/") :]
                if text.startswith("workbench "):
                    found.append((path.name, text))
    return found


def _argv(command: str) -> list[str]:
    return shlex.split(command, comments=True)[1:]


def _runnable() -> list[tuple[str, str]]:
    out = []
    for where, command in doc_examples():
        plain = " ".join(_argv(command))
        if SYNOPSIS.search(plain) or any(("workbench " + plain).startswith(p) for p in NOT_RUN):
            continue
        out.append((where, command))
    return out


def test_the_docs_have_examples_and_every_exception_is_still_there() -> None:
    examples = [" ".join(["workbench", *_argv(c)]) for _, c in doc_examples()]
    assert len(_runnable()) >= 10
    for prefix in NOT_RUN:
        assert any(e.startswith(prefix) for e in examples), f"no example starts with {prefix!r}"


@pytest.fixture(scope="module")
def run_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home as `workbench run` leaves it: the default sample data, ending today."""
    home = tmp_path_factory.mktemp("docs_home")
    (home / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    settings = load_settings(home=home)
    assert settings.as_of is None and settings.data.end_date is None
    assert ensure_sample_data(settings)
    # The users docs/auth.md adds at a password prompt, so its other examples have someone to act on.
    from workbench.auth import AuthService

    auth = AuthService(settings)
    auth.users.add_user(
        "ann", "correct horse battery 1", personas=["warehouse_manager", "field_engineer"]
    )
    yield home


@pytest.mark.slow
@pytest.mark.parametrize(("where", "command"), _runnable(), ids=[c for _, c in _runnable()])
def test_doc_example_runs_on_the_data_make_run_creates(
    where: str, command: str, run_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import _register, cli

    _register()
    monkeypatch.setenv("WORKBENCH_HOME", str(run_home))
    monkeypatch.chdir(tmp_path)  # examples writing cron.txt or users.json write here
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    argv = [a.replace("/tmp/reports", str(tmp_path / "reports")) for a in _argv(command)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, f"{where}: {command}\n{result.output}"
    assert "No data" not in result.output, f"{where}: {command}\n{result.output}"


@pytest.mark.slow
def test_the_readme_python_example_answers(run_home: Path) -> None:
    from workbench import Workbench

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    call = re.search(r'answer = wb\.ask\("([^"]+)", "([a-z_]+)"\)', readme)
    assert call is not None, "the README's Python example changed: update this test"
    wb = Workbench(home=run_home)
    try:
        answer = wb.ask(call.group(1), call.group(2))
        assert answer.error is None and not answer.frame.empty, answer.answer
        assert "No data" not in answer.answer
        assert not wb.sql("SELECT * FROM warehouse").empty
    finally:
        wb.close()
