"""``workbench cost`` reads the ledger under the home and reports by day, by service and the projection."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import workbench.cli.cost_cmd  # noqa: F401  (registers the command)
from workbench.agents.answer import Answer, Intent
from workbench.cli.common import cli
from workbench.core.config import load_settings
from workbench.cost.ledger import CostLedger
from workbench.cost.usage import Cost


@pytest.fixture
def home(tmp_path: Path) -> Path:
    settings = load_settings({}, home=tmp_path)
    ledger = CostLedger(settings.ledger_db_path)
    for i in range(3):
        ledger.record(
            Answer(
                question=f"question {i}",
                persona="field_engineer",
                intent=Intent.SQL_QUERY,
                agent="field_engineer_sql",
                frame=pd.DataFrame({"a": [1]}),
                cost=Cost({}, {"redshift_serverless": 0.05}),
                cached=i == 2,
            )
        )
    return tmp_path


def test_json_report(home: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--home", str(home), "cost", "--days", "3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["days"] == 3 and report["questions"] == 3 and report["actual_usd"] == 0
    assert len(report["daily"]) == 3
    services = {row["service"]: row for row in report["by_service"]}
    assert services["redshift_serverless"]["aws_equivalent_usd"] == pytest.approx(0.15)
    notebook_day = 8 * 0.05 + 5 * 0.14 * 12 / 365  # one active day: 8 h + the 5 GB volume
    assert services["sagemaker_notebook"]["aws_equivalent_usd"] == pytest.approx(
        notebook_day, abs=1e-6
    )
    assert report["aws_equivalent_usd"] == pytest.approx(0.15 + notebook_day, abs=1e-5)
    assert (
        report["projection"]["projected_aws_equivalent"]
        >= report["projection"]["month_to_date_aws_equivalent"]
    )
    assert [r["question"] for r in report["recent"]] == ["question 2", "question 1", "question 0"]


def test_table_report(home: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(home), "cost"])
    assert result.exit_code == 0, result.output
    assert "Cost of the last 7 day(s) — 3 question(s)" in result.output
    assert "By service:" in result.output and "redshift_serverless" in result.output
    assert "Month-end projection" in result.output and "question 1" in result.output


def test_empty_ledger(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "cost", "--format", "json", "--days", "1"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["questions"] == 0 and report["by_service"] == [] and report["recent"] == []


def test_days_must_be_positive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "cost", "--days", "0"])
    assert result.exit_code == 2
