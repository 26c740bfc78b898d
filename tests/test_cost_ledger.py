"""CostLedger: rows, daily totals, by-service breakdown, month-end projection, locking."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.agents.answer import Answer, Intent
from workbench.core.config import CostSettings
from workbench.core.errors import TransientError
from workbench.core.retry import RetryPolicy
from workbench.cost.ledger import CostLedger, _is_lock_error
from workbench.cost.usage import Cost, LlmUsage, Usage, WarehouseUsage

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


def at(day: int, month: int = 6) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 30, tzinfo=UTC)


def answer(
    cost: Cost,
    *,
    cached: bool = False,
    rows: int = 2,
    question: str = "which products are low on stock",
    error: str | None = None,
) -> Answer:
    return Answer(
        question=question,
        persona="warehouse_manager",
        intent=Intent.SQL_QUERY,
        agent="warehouse_manager_sql",
        sql="SELECT 1",
        frame=pd.DataFrame({"a": range(rows)}),
        cost=cost,
        cached=cached,
        duration_ms=12.5,
        usage=Usage(
            warehouse=[WarehouseUsage("duckdb", 12.5)], llm=[LlmUsage("bedrock", "m", 120, 30)]
        ),
        error=error,
    )


REDSHIFT_ONLY = Cost({}, {"redshift_serverless": 0.05})


@pytest.fixture
def ledger(tmp_path: Path) -> CostLedger:
    book = CostLedger(tmp_path / "ledger.sqlite3", clock=lambda: NOW)
    book.record(answer(REDSHIFT_ONLY), at=at(31, 5))
    book.record(answer(REDSHIFT_ONLY), at=at(1))
    book.record(answer(REDSHIFT_ONLY), at=at(1))
    book.record(answer(Cost({}, {"redshift_serverless": 0.05, "lambda": 0.001})), at=at(18))
    book.record(
        answer(Cost({"bedrock": 0.01}, {"bedrock": 0.01})),
        at=at(20),
        session_id="s1",
        username="ann",
    )
    book.record(answer(Cost.zero(), cached=True), at=at(20))
    book.record(answer(Cost.zero(), cached=True, error="refused"), at=at(20))
    return book


def test_wal_mode_and_busy_timeout(ledger: CostLedger) -> None:
    con = sqlite3.connect(ledger.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger._connect().execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_rows_round_trip_newest_first(ledger: CostLedger) -> None:
    entries = ledger.entries(1)
    assert [e.day for e in entries] == ["2026-06-20"] * 3
    first = entries[-1]
    assert (first.session_id, first.username, first.persona, first.intent, first.agent) == (
        "s1",
        "ann",
        "warehouse_manager",
        "sql_query",
        "warehouse_manager_sql",
    )
    assert (first.backend, first.rows, first.input_tokens, first.output_tokens, first.sql) == (
        "duckdb",
        2,
        120,
        30,
        "SELECT 1",
    )
    assert (
        first.cost_actual == {"bedrock": 0.01} and first.actual_total == 0.01 and not first.cached
    )
    assert entries[0].cached and entries[0].error == "refused"
    frame = ledger.rows(None)
    assert len(frame) == ledger.count() == 7 and list(frame["id"]) == sorted(
        frame["id"], reverse=True
    )
    assert len(ledger.rows(7, limit=2)) == 2


def test_same_request_id_is_recorded_once(tmp_path: Path) -> None:
    book = CostLedger(tmp_path / "l.sqlite3")
    rid = book.record(answer(REDSHIFT_ONLY))
    assert book.record(answer(REDSHIFT_ONLY), request_id=rid) == rid
    assert book.count() == 1


#: The notebook's 5 GB volume for one calendar day (billed whether the instance runs or not).
VOLUME = 5 * 0.14 * 12 / 365


def test_daily_totals_include_idle_days_and_notebook_on_active_days(ledger: CostLedger) -> None:
    daily = ledger.daily_totals(7)
    assert list(daily["day"]) == [f"2026-06-{d:02d}" for d in range(14, 21)]
    by_day = daily.set_index("day")
    assert by_day.loc["2026-06-15", "questions"] == 0
    assert by_day.loc["2026-06-15", "aws_equivalent_usd"] == pytest.approx(VOLUME, abs=1e-6)
    assert by_day.loc["2026-06-18", "aws_equivalent_usd"] == pytest.approx(
        0.051 + 0.4 + VOLUME, abs=1e-6
    )
    june20 = by_day.loc["2026-06-20"]
    assert (june20["questions"], june20["cached"], june20["errors"]) == (3, 2, 1)
    assert june20["actual_usd"] == pytest.approx(0.01)
    assert june20["notebook_usd"] == pytest.approx(0.4 + VOLUME, abs=1e-6)
    assert june20["aws_equivalent_usd"] == pytest.approx(0.41 + VOLUME, abs=1e-6)


def test_no_notebook_before_the_first_row_and_always_on_every_day(tmp_path: Path) -> None:
    settings = CostSettings(sagemaker_always_on=True)
    book = CostLedger(tmp_path / "l.sqlite3", cost_settings=settings, clock=lambda: NOW)
    book.record(answer(REDSHIFT_ONLY), at=at(18))
    by_day = book.daily_totals(7).set_index("day")
    assert by_day.loc["2026-06-17", "notebook_usd"] == 0  # before the ledger's first row
    assert by_day.loc["2026-06-19", "questions"] == 0
    assert by_day.loc["2026-06-19", "notebook_usd"] == pytest.approx(24 * 0.05 + VOLUME, abs=1e-6)
    services = book.by_service(7).set_index("service")
    assert services.loc["sagemaker_notebook", "aws_equivalent_usd"] == pytest.approx(
        3 * (24 * 0.05 + VOLUME), abs=1e-6
    )


def test_by_service_adds_the_notebook_line(ledger: CostLedger) -> None:
    services = ledger.by_service(20).set_index("service")  # June 1..20: three active days
    assert list(services.index) == [
        "bedrock",
        "redshift_serverless",
        "lambda",
        "sagemaker_notebook",
    ]
    assert services.loc["redshift_serverless", "aws_equivalent_usd"] == pytest.approx(0.15)
    assert services.loc["bedrock", "actual_usd"] == pytest.approx(0.01)
    assert services.loc["sagemaker_notebook", "aws_equivalent_usd"] == pytest.approx(
        1.2 + 20 * VOLUME, abs=1e-6
    )
    assert services.loc["sagemaker_notebook", "actual_usd"] == 0
    assert ledger.by_service(30).set_index("service").loc[
        "redshift_serverless", "aws_equivalent_usd"
    ] == pytest.approx(0.2)


def test_month_end_projection(ledger: CostLedger) -> None:
    p = ledger.month_end_projection()
    assert (p.today, p.month_start, p.month_end, p.days_remaining, p.window_days) == (
        dt.date(2026, 6, 20),
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
        10,
        7,
    )
    mtd_aws = (0.1 + 0.4) + (0.051 + 0.4) + (0.01 + 0.4) + 20 * VOLUME
    avg_aws = ((0.051 + 0.4) + (0.01 + 0.4) + 7 * VOLUME) / 7
    assert p.month_to_date_aws_equivalent == pytest.approx(mtd_aws, abs=1e-5)
    assert p.average_daily_aws_equivalent == pytest.approx(avg_aws, abs=1e-6)
    assert p.projected_aws_equivalent == pytest.approx(mtd_aws + avg_aws * 10, abs=1e-5)
    assert p.month_to_date_actual == pytest.approx(0.01)
    assert p.projected_actual == pytest.approx(0.01 + 0.01 / 7 * 10, abs=1e-5)
    assert sum(p.by_service_aws_equivalent.values()) == pytest.approx(
        p.projected_aws_equivalent, abs=1e-5
    )
    assert p.to_dict()["today"] == "2026-06-20"


def test_projection_on_the_last_day_is_the_month_to_date(ledger: CostLedger) -> None:
    p = ledger.month_end_projection(dt.date(2026, 6, 30))
    assert p.days_remaining == 0 and p.projected_aws_equivalent == p.month_to_date_aws_equivalent


def test_invalid_window() -> None:
    with pytest.raises(ValueError):
        CostLedger(":memory:").daily_totals(0)


def test_waits_for_a_writer_holding_the_lock(tmp_path: Path) -> None:
    book = CostLedger(
        tmp_path / "l.sqlite3",
        busy_timeout_ms=50,
        retry=RetryPolicy(attempts=20, base_delay=0.02, max_delay=0.1, is_retryable=_is_lock_error),
    )
    blocker = sqlite3.connect(book.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
    started = time.perf_counter()
    book.record(answer(REDSHIFT_ONLY))
    assert time.perf_counter() - started >= 0.25
    assert book.count() == 1


def test_a_lock_that_never_clears_is_a_transient_error(tmp_path: Path) -> None:
    book = CostLedger(
        tmp_path / "l.sqlite3",
        busy_timeout_ms=20,
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, is_retryable=_is_lock_error),
    )
    blocker = sqlite3.connect(book.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(TransientError, match="ledger is busy"):
            book.record(answer(REDSHIFT_ONLY))
    finally:
        blocker.execute("ROLLBACK")
    assert book.count() == 0


def test_threads_share_one_ledger(tmp_path: Path) -> None:
    book = CostLedger(tmp_path / "l.sqlite3")
    threads = [
        threading.Thread(target=lambda: [book.record(answer(REDSHIFT_ONLY)) for _ in range(25)])
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert book.count() == 100
