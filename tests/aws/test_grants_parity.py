"""``workbench data load --grant-to`` and ``workbench data parity`` against the offline AWS stack.

These are the commands docs/deploy.md and docs/migration.md tell a team to run; here they
run against moto + the DuckDB-backed Redshift Data API, loaded by the real loader.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tests.aws.stack import DATA_BUCKET, aws_settings, offline_aws
from tests.conftest import copy_sample_home
from workbench.data.schema import TABLES

NOTEBOOK_USER = "IAMR:workbench-notebook-us-east-1"
TOOLS_USER = "IAMR:workbench-tools-us-east-1"


def _cli(*args: str) -> Any:
    from workbench.cli import _register, cli

    _register()
    return CliRunner().invoke(cli, list(args))


def _config(home: Path, path: Path, backend: str) -> Path:
    data = aws_settings(home).model_dump(mode="json", by_alias=True)
    data.pop("home", None)
    data["warehouse"]["backend"] = backend
    data["as_of"] = "2026-06-30"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(
    sample_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Path, Path]]:
    home = copy_sample_home(sample_home, tmp_path_factory.mktemp("grants_home"))
    config = _config(home, home / "redshift.yaml", "redshift")
    with offline_aws(home, load=()) as stack:
        result = _cli(
            "--home", str(home), "--config", str(config),
            "data", "load", "--target", "redshift", "--bucket", DATA_BUCKET, "--prefix", "deploy",
            "--grant-to", NOTEBOOK_USER, "--grant-to", TOOLS_USER, "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        yield stack, home, config


def test_load_grants_select_on_every_table_to_the_roles(loaded: tuple[Any, Path, Path]) -> None:
    stack, _home, _config_path = loaded
    expected = {(t.name, "SELECT") for t in TABLES} | {("workbench_load", "SELECT")}
    assert stack.redshift.grants == {NOTEBOOK_USER: expected, TOOLS_USER: expected}
    batch = [st.sql for st in stack.redshift.statements.values() if isinstance(st.sql, list)][-1]
    grants = [s for s in batch if s.startswith("GRANT")]
    assert (
        grants[0] == f'GRANT SELECT ON TABLE {TABLES[0].name} TO "{NOTEBOOK_USER}", "{TOOLS_USER}"'
    )
    assert batch.index(grants[0]) > max(i for i, s in enumerate(batch) if s.startswith("COPY"))


@pytest.mark.parametrize("user", ["workbench-notebook", 'IAMR:x" TO PUBLIC; --', "IAMR:"])
def test_grant_to_refuses_anything_but_an_iam_database_user(sample_home: Path, user: str) -> None:
    result = _cli(
        "--home", str(sample_home), "data", "load", "--target", "redshift", "--bucket", DATA_BUCKET,
        "--iam-role", "arn:aws:iam::123456789012:role/copy", "--grant-to", user,
    )  # fmt: skip
    assert result.exit_code == 2 and "IAMR:<role name>" in result.output, result.output


def test_parity_duckdb_vs_redshift_matches(loaded: tuple[Any, Path, Path]) -> None:
    _stack, home, config = loaded
    result = _cli(
        "--home",
        str(home),
        "data",
        "parity",
        "--against",
        str(config),
        "--as-of",
        "2026-06-30",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["left"], report["right"]) == ("duckdb", "redshift")
    rows = [c for c in report["checks"] if c["kind"] == "rows"]
    kpis = [c for c in report["checks"] if c["kind"] == "kpi"]
    assert len(rows) == len(TABLES) and all(c["left"] == c["right"] > 0 for c in rows)
    assert len(kpis) >= 50 and all(c["ok"] for c in kpis), [c for c in kpis if not c["ok"]]
    text = _cli(
        "--home", str(home), "data", "parity", "--against", str(config), "--as-of", "2026-06-30"
    )
    assert text.exit_code == 0 and "0 difference(s)" in text.output


def test_parity_finds_a_missing_row(loaded: tuple[Any, Path, Path]) -> None:
    stack, home, config = loaded
    con = stack.redshift.engine.cursor()
    try:
        con.execute(
            "DELETE FROM sales_order_line WHERE rowid = (SELECT min(rowid) FROM sales_order_line)"
        )
    finally:
        con.close()
    result = _cli(
        "--home",
        str(home),
        "data",
        "parity",
        "--against",
        str(config),
        "--as-of",
        "2026-06-30",
        "--json",
    )
    assert result.exit_code == 1
    differences = {c["name"] for c in json.loads(result.output)["checks"] if not c["ok"]}
    assert "sales_order_line" in differences and differences - {"sales_order_line"}  # + a KPI
