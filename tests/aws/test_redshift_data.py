"""Redshift Data API mechanics with botocore's Stubber: every request is validated against the real model.

Polling backoff, the overall timeout (cancel + QueryTimeoutError), FAILED/ABORTED with the
server's message, NextToken pagination with early stop at the row limit, and the mapping of
ColumnMetadata/Field values to pandas dtypes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

from workbench.aws import redshift_data
from workbench.aws.polling import PollPolicy
from workbench.aws.redshift_data import DataApiTarget
from workbench.core.errors import ConfigError, QueryError, QueryTimeoutError, ThrottledError
from workbench.warehouse.redshift import RedshiftServerlessWarehouse

STATEMENT_ID = "a1b2c3d4-0000-4000-8000-000000000001"
TARGET = DataApiTarget(workgroup="analytics-wg", database="dev", secret_arn=None)


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("redshift-data", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _describe(status: str, **extra: Any) -> dict[str, Any]:
    return {"Id": STATEMENT_ID, "Status": status, **extra}


def _meta(name: str, type_name: str) -> dict[str, Any]:
    return {"name": name, "label": name, "typeName": type_name}


def test_execute_statement_request_shape(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    target = DataApiTarget(
        workgroup="analytics-wg",
        database="sales",
        secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf",
    )
    stub.add_response(
        "execute_statement",
        {"Id": STATEMENT_ID},
        {
            "WorkgroupName": "analytics-wg",
            "Database": "sales",
            "Sql": "SELECT 1",
            "SecretArn": target.secret_arn,
        },
    )
    assert redshift_data.submit(client, "SELECT 1", target) == STATEMENT_ID


def test_polls_with_exponential_backoff_until_finished(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    for status in ("SUBMITTED", "PICKED", "STARTED", "STARTED", "STARTED"):
        stub.add_response("describe_statement", _describe(status), {"Id": STATEMENT_ID})
    stub.add_response(
        "describe_statement",
        _describe("FINISHED", HasResultSet=True, Duration=1_500_000),
        {"Id": STATEMENT_ID},
    )
    clock = FakeClock()
    desc = redshift_data.wait(
        client,
        STATEMENT_ID,
        PollPolicy(timeout=30, initial=0.25, maximum=2.0),
        sleep=clock.sleep,
        clock=clock,
    )
    assert desc["Status"] == "FINISHED"
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0]


def test_failed_statement_carries_the_server_message(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    server = 'ERROR: column "no_such" does not exist in product'
    stub.add_response("describe_statement", _describe("FAILED", Error=server), {"Id": STATEMENT_ID})
    with pytest.raises(QueryError) as info:
        redshift_data.wait(client, STATEMENT_ID, PollPolicy(), sleep=lambda _s: None)
    assert info.value.detail == server
    assert info.value.message == "The warehouse could not run this query."
    assert not isinstance(info.value, QueryTimeoutError)


def test_aborted_statement_is_a_query_error(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_response(
        "describe_statement", _describe("ABORTED", Error="Query cancelled."), {"Id": STATEMENT_ID}
    )
    with pytest.raises(QueryError, match="cancelled"):
        redshift_data.wait(client, STATEMENT_ID, PollPolicy(), sleep=lambda _s: None)


def test_timeout_cancels_the_statement(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    clock = FakeClock()
    for _ in range(4):  # 0 -> 0.5 -> 1.5 -> 3.0 (deadline) : four describes, then cancel
        stub.add_response("describe_statement", _describe("STARTED"), {"Id": STATEMENT_ID})
    stub.add_response("cancel_statement", {"Status": True}, {"Id": STATEMENT_ID})
    with pytest.raises(QueryTimeoutError) as info:
        redshift_data.wait(
            client,
            STATEMENT_ID,
            PollPolicy(timeout=3.0, initial=0.5, maximum=1.5),
            sleep=clock.sleep,
            clock=clock,
        )
    assert info.value.fields["statement_id"] == STATEMENT_ID
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_throttling_is_translated(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_client_error(
        "execute_statement",
        service_error_code="ActiveStatementsExceededException",
        service_message="Too many",
        expected_params=None,
    )
    with pytest.raises(ThrottledError) as info:
        redshift_data.submit(client, "SELECT 1", TARGET)
    assert info.value.retryable
    assert "ActiveStatementsExceededException" in (info.value.detail or "")


def test_all_pages_are_read_and_typed(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    meta = [
        _meta("n", "int4"),
        _meta("big", "int8"),
        _meta("amount", "numeric"),
        _meta("ratio", "float8"),
        _meta("name", "varchar"),
        _meta("active", "bool"),
        _meta("day", "date"),
        _meta("at", "timestamp"),
    ]
    page1 = [
        [
            {"longValue": 1},
            {"longValue": 10_000_000_000},
            {"stringValue": "12.50"},
            {"doubleValue": 0.5},
            {"stringValue": "Drill"},
            {"booleanValue": True},
            {"stringValue": "2026-06-30"},
            {"stringValue": "2026-06-30 10:11:12.5"},
        ]
    ]
    page2 = [
        [
            {"isNull": True},
            {"longValue": 2},
            {"isNull": True},
            {"doubleValue": 1.25},
            {"isNull": True},
            {"booleanValue": False},
            {"isNull": True},
            {"stringValue": "2026-07-01 00:00:00"},
        ]
    ]
    stub.add_response(
        "get_statement_result",
        {"ColumnMetadata": meta, "Records": page1, "TotalNumRows": 2, "NextToken": "t1"},
        {"Id": STATEMENT_ID},
    )
    stub.add_response(
        "get_statement_result",
        {"ColumnMetadata": meta, "Records": page2, "TotalNumRows": 2},
        {"Id": STATEMENT_ID, "NextToken": "t1"},
    )
    frame, truncated, pages = redshift_data.fetch_frame(client, STATEMENT_ID)
    assert (len(frame), truncated, pages) == (2, False, 2)
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [False, True]
    assert frame["big"].dtype == "int64" and frame["big"].tolist() == [10_000_000_000, 2]
    assert frame["amount"].dtype == "float64" and frame["amount"].iloc[0] == 12.5
    assert pd.isna(frame["amount"].iloc[1])
    assert str(frame["active"].dtype) == "bool"
    assert str(frame["day"].dtype) == "datetime64[us]" and frame["day"].iloc[0] == pd.Timestamp(
        "2026-06-30"
    )
    assert pd.isna(frame["day"].iloc[1])
    assert frame["at"].iloc[0] == pd.Timestamp(dt.datetime(2026, 6, 30, 10, 11, 12, 500000))
    assert frame["name"].iloc[0] == "Drill" and pd.isna(frame["name"].iloc[1])


def test_paging_stops_once_the_limit_is_exceeded(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    meta = [_meta("n", "int4")]
    rows = [[{"longValue": i}] for i in range(3)]
    stub.add_response(
        "get_statement_result",
        {"ColumnMetadata": meta, "Records": rows, "TotalNumRows": 9, "NextToken": "t1"},
        {"Id": STATEMENT_ID},
    )
    stub.add_response(
        "get_statement_result",
        {"ColumnMetadata": meta, "Records": rows, "TotalNumRows": 9, "NextToken": "t2"},
        {"Id": STATEMENT_ID, "NextToken": "t1"},
    )
    # The fifth row (on page two) proves truncation, so page three is never requested.
    frame, truncated, pages = redshift_data.fetch_frame(client, STATEMENT_ID, row_limit=4)
    assert (len(frame), truncated, pages) == (4, True, 2)


def test_warehouse_runs_a_statement_end_to_end(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    sql = "SELECT COUNT(*) AS n FROM product"
    stub.add_response(
        "execute_statement",
        {"Id": STATEMENT_ID},
        {"WorkgroupName": "analytics-wg", "Database": "dev", "Sql": sql},
    )
    stub.add_response("describe_statement", _describe("STARTED"), {"Id": STATEMENT_ID})
    stub.add_response(
        "describe_statement",
        _describe("FINISHED", HasResultSet=True, Duration=2_000_000, ResultRows=1),
        {"Id": STATEMENT_ID},
    )
    stub.add_response(
        "get_statement_result",
        {
            "ColumnMetadata": [_meta("n", "int8")],
            "Records": [[{"longValue": 240}]],
            "TotalNumRows": 1,
        },
        {"Id": STATEMENT_ID},
    )
    wh = RedshiftServerlessWarehouse(TARGET, sleep=lambda _s: None)
    wh._client = client
    result = wh.execute(sql)
    assert result.frame["n"].tolist() == [240]
    assert result.query_id == STATEMENT_ID and result.backend == "redshift"
    assert result.extra["server_duration_ms"] == pytest.approx(2.0)


def test_missing_workgroup_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        DataApiTarget(workgroup="")
    assert info.value.fields["key"] == "warehouse.redshift.workgroup"


def test_batch_request_shape(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_response(
        "batch_execute_statement",
        {"Id": STATEMENT_ID},
        {
            "WorkgroupName": "analytics-wg",
            "Database": "dev",
            "Sqls": ["DROP TABLE IF EXISTS t", "CREATE TABLE t (a INT)"],
        },
    )
    assert (
        redshift_data.submit_batch(
            client, ["DROP TABLE IF EXISTS t", "CREATE TABLE t (a INT)"], TARGET
        )
        == STATEMENT_ID
    )
