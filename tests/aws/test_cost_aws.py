"""The cost ledger against AWS (Stubber, validated against the real service models): the
Redshift data-version check is a billed query with its server timing, and ``workbench cost
reconcile`` reports the difference AWS shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

import workbench.cli.cost_cmd  # noqa: F401  (registers the command)
from workbench.agents.answer import Answer, Intent
from workbench.cli.common import cli
from workbench.core.config import load_settings
from workbench.cost.ledger import CostLedger
from workbench.cost.pricing import price
from workbench.cost.reconcile import reconcile
from workbench.cost.usage import Usage, WarehouseUsage


def _answer(usage: Usage, settings_cost: object) -> Answer:
    return Answer(
        question="q",
        persona="warehouse_manager",
        intent=Intent.SQL_QUERY,
        usage=usage,
        cost=price(usage, settings_cost),  # type: ignore[arg-type]
    )


def _query(ended_at: float, seconds: float) -> WarehouseUsage:
    return WarehouseUsage(
        "redshift",
        duration_ms=(seconds + 2) * 1000,
        server_duration_ms=seconds * 1000,
        ended_at=ended_at,
        scope="analytics-wg",
    )


# -- Redshift: the data-version check is a billed query -----------------------------------------
def test_redshift_version_check_is_recorded_with_the_server_duration(aws_env: None) -> None:
    from workbench.aws.redshift_data import DataApiTarget
    from workbench.warehouse.redshift import RedshiftServerlessWarehouse

    client = boto3.client("redshift-data", region_name="us-east-1")
    wh = RedshiftServerlessWarehouse(
        DataApiTarget("analytics-wg", "dev", None), boto3_session=None, sleep=lambda s: None
    )
    wh._client = client
    finished = dt.datetime(2027, 1, 15, 9, 0, 30, tzinfo=dt.UTC)
    with Stubber(client) as stub:
        stub.add_response("execute_statement", {"Id": "s-1"})
        stub.add_response(
            "describe_statement",
            {
                "Id": "s-1",
                "Status": "FINISHED",
                "HasResultSet": True,
                "Duration": 120_000_000,
                "UpdatedAt": finished,
            },
        )
        stub.add_response(
            "get_statement_result",
            {
                "Records": [[{"stringValue": "load-7"}, {"stringValue": "2027-01-15 08:00:00"}]],
                "ColumnMetadata": [
                    {"name": "load_id", "typeName": "varchar"},
                    {"name": "loaded_at", "typeName": "varchar"},
                ],
                "TotalNumRows": 1,
            },
        )
        version = wh.data_version()
    assert wh.known_data_version() == version
    [check] = wh.drain_usage()
    assert wh.drain_usage() == []
    assert (check.purpose, check.scope, check.server_duration_ms) == (
        "data_version",
        "analytics-wg",
        120.0,
    )
    assert check.ended_at == finished.timestamp()


# -- workbench cost reconcile -----------------------------------------------------------------
def test_reconcile_reports_the_difference_aws_shows(
    aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.yaml").write_text("warehouse:\n  redshift:\n    workgroup: analytics-wg\n")
    settings = load_settings(None, home=tmp_path)
    assert settings.warehouse.redshift.workgroup == "analytics-wg"
    ledger = CostLedger(settings.ledger_db_path, cost_settings=settings.cost)
    now = dt.datetime.now().astimezone().timestamp()
    two = [_query(now - 3600 + 2, 2.0), _query(now - 3600 + 121, 1.0)]  # two separate minutes
    ledger.record(_answer(Usage(warehouse=two), settings.cost))
    ledger.record(
        _answer(
            Usage(
                warehouse=[
                    WarehouseUsage("athena", 900.0, bytes_scanned=3 * 1024**2, query_id="qe-1"),
                    WarehouseUsage(
                        "athena", 900.0, bytes_scanned=25 * 1024**2 + 1, query_id="qe-2"
                    ),
                ]
            ),
            settings.cost,
        )
    )
    rs = boto3.client("redshift-data", region_name="us-east-1")
    athena = boto3.client("athena", region_name="us-east-1")
    ledger_rpu_seconds = 120 * 8
    aws_rpu_seconds = ledger_rpu_seconds + 480  # AWS charged one more minute at 8 RPU
    with Stubber(rs) as rs_stub, Stubber(athena) as athena_stub:
        rs_stub.add_response("execute_statement", {"Id": "s-9"})
        rs_stub.add_response(
            "describe_statement", {"Id": "s-9", "Status": "FINISHED", "HasResultSet": True}
        )
        rs_stub.add_response(
            "get_statement_result",
            {
                "Records": [[{"longValue": aws_rpu_seconds}, {"longValue": 3}]],
                "ColumnMetadata": [
                    {"name": "charged_seconds", "typeName": "int8"},
                    {"name": "periods", "typeName": "int8"},
                ],
                "TotalNumRows": 1,
            },
        )
        athena_stub.add_response(
            "batch_get_query_execution",
            {
                "QueryExecutions": [
                    {"QueryExecutionId": "qe-1", "Statistics": {"DataScannedInBytes": 3 * 1024**2}},
                    {
                        "QueryExecutionId": "qe-2",
                        "Statistics": {"DataScannedInBytes": 40 * 1024**2},
                    },
                ],
                "UnprocessedQueryExecutionIds": [],
            },
            {"QueryExecutionIds": ["qe-1", "qe-2"]},
        )
        clients = {"redshift-data": rs, "athena": athena}
        asked: list[list[str]] = []

        def stubbed_clients(_settings: object, services: list[str]) -> dict[str, object]:
            asked.append(services)
            return {s: clients[s] for s in services}

        monkeypatch.setattr("workbench.cost.reconcile.aws_clients", stubbed_clients)
        result = CliRunner().invoke(
            cli, ["--home", str(tmp_path), "cost", "reconcile", "--days", "2"]
        )
        assert result.exit_code == 0, result.output
        rs_stub.assert_no_pending_responses()
        athena_stub.assert_no_pending_responses()
    assert asked == [["redshift-data", "athena"]]
    out = result.output
    assert f"redshift_serverless: the ledger differs by AWS ${480 / 3600 * 0.375:+.6f}" in out
    assert "(+480.0 RPU-seconds)" in out
    # Athena: the ledger billed 10 MB + 26 MB; AWS scanned 40 MB for the second query.
    assert f"athena: the ledger differs by AWS ${14 * 1024**2 / 1024**4 * 5.0:+.6f}" in out
    assert reconcile(ledger, settings, days=2, clients={}) == []  # nothing to compare with
    frame = ledger.queries(2)
    assert isinstance(frame, pd.DataFrame) and list(frame["billed_bytes"].dropna()) == [
        10 * 1024**2,
        26 * 1024**2,
    ]


def test_reconcile_with_nothing_on_aws_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "cost", "reconcile"])
    assert result.exit_code == 2 and "Nothing to reconcile" in result.output
