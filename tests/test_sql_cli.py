"""`workbench sql`: output formats, refusals as short messages with exit status 1."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import workbench.cli.sql_cmd  # noqa: F401  (registers `workbench sql`)
from workbench.cli.common import cli

QUERY = "SELECT warehouse_id, capacity_units FROM warehouse ORDER BY warehouse_id"


@pytest.fixture
def run(sample_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for var in ("WORKBENCH_HOME", "WORKBENCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)

    def invoke(*args: str, home: Path = sample_home):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["--home", str(home), *args])

    return invoke


def test_table_format(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", QUERY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["warehouse_id", "capacity_units"]
    assert [line.split()[0] for line in lines[1:]] == ["WH-CENTRAL", "WH-EAST", "WH-WEST"]


def test_json_format(run, workbench) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", QUERY, "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    expected = workbench.warehouse.query(QUERY)
    assert [r["warehouse_id"] for r in records] == list(expected["warehouse_id"])
    assert [r["capacity_units"] for r in records] == [int(v) for v in expected["capacity_units"]]


def test_json_dates_are_iso(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "sql", "SELECT max(order_date) AS last FROM sales_order_header", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["last"].startswith("2026-06-")


def test_csv_format(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", QUERY, "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == ["warehouse_id", "capacity_units"]
    assert list(frame["warehouse_id"]) == ["WH-CENTRAL", "WH-EAST", "WH-WEST"]


def test_empty_result(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", "SELECT * FROM warehouse WHERE warehouse_id = 'nowhere'")
    assert result.exit_code == 0
    assert "(no rows)" in result.stdout


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("DROP TABLE product", "Only read-only SELECT queries are allowed"),
        ("SELECT 1; DELETE FROM product", "Only one statement"),
        ("SELECT * FROM products", "Did you mean 'product'?"),
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELEC * FROM product", "could not be read as SQL"),
    ],
)
def test_refused_query_exit_1_with_message(run, sql: str, says: str) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", sql)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert says in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_warehouse_error_exit_1_names_the_column(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", "SELECT no_such_column FROM product")
    assert result.exit_code == 1
    assert "no_such_column" in result.stderr and "Traceback" not in result.output


def test_missing_data_says_how_to_make_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", "SELECT 1", home=tmp_path)
    assert result.exit_code == 1
    assert "workbench data generate" in result.stderr


def test_truncation_is_noted_on_stderr(run, sample_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "c.yaml"
    db = sample_home / "data" / "warehouse.duckdb"
    cfg.write_text(f"warehouse:\n  row_limit: 4\n  duckdb:\n    path: {db}\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "--config",
            str(cfg),
            "sql",
            "SELECT * FROM product",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1 + 4
    assert "row_limit" in result.stderr


def test_bad_format_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sql", QUERY, "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_console_script_end_to_end(sample_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_HOME"] = str(sample_home)
    script = Path(sys.executable).parent / "workbench"
    ok = subprocess.run(
        [str(script), "sql", QUERY, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)) == 3
    refused = subprocess.run(
        [str(script), "sql", "DELETE FROM product"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: Only read-only SELECT")
    assert "Traceback" not in refused.stderr
