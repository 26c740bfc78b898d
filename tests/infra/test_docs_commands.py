"""docs/deploy.md and docs/migration.md: every shell command is run by a test or marked (AWS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("docs/deploy.md", "docs/migration.md")

#: Command (as written in the docs, up to its first option) -> the test that runs it.
RUN_BY = {
    "python scripts/deploy.py check": (
        "tests/infra/test_deploy_script.py",
        "test_check_lists_the_prerequisites",
    ),
    "python scripts/deploy.py all --dry-run": (
        "tests/infra/test_deploy_script.py",
        "test_dry_run_prints_every_step_and_aws_call",
    ),
    "python scripts/deploy.py deploy --dry-run": (
        "tests/infra/test_deploy_script.py",
        "test_single_steps_dry_run",
    ),
    "python scripts/deploy.py costs": (
        "tests/infra/test_deploy_script.py",
        "test_costs_come_from_the_projects_pricing",
    ),
    "make synth": ("tests/infra/test_stack.py", "synthesized"),
    "workbench config check": ("tests/aws/test_names.py", "test_every_bad_aws_name_is_reported"),
    "workbench data parity --against": (
        "tests/aws/test_grants_parity.py",
        "test_parity_duckdb_vs_redshift_matches",
    ),
}


def _commands(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_is_tested_or_marked_aws(doc: str) -> None:
    commands = _commands(doc)
    assert commands, doc
    for command in commands:
        if "(AWS)" in command:
            continue
        matches = [key for key in RUN_BY if command.startswith(key)]
        assert matches, f"{doc}: '{command}' is neither run by a test nor marked (AWS)"


def test_the_tests_named_exist() -> None:
    for path, name in RUN_BY.values():
        assert re.search(rf"def {name}\(", (ROOT / path).read_text(encoding="utf-8")), (path, name)
