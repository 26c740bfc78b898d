"""The cost ledger: one SQLite row per answer, shared by every kernel of one ``$WORKBENCH_HOME``.

Many notebook kernels, dashboard kernels and CLI runs write to the same file at once, so:

* the database runs in WAL mode (readers never block the writer, commits need no fsync
  with ``synchronous=NORMAL``);
* each write is one short ``BEGIN IMMEDIATE`` transaction, which takes the write lock up
  front (a deferred transaction that upgrades to a writer can fail with SQLITE_BUSY without
  waiting); ``busy_timeout`` makes SQLite wait for the lock, and a lock error that still
  escapes is retried with jittered backoff;
* each row carries a unique ``request_id`` and is inserted with ``INSERT OR IGNORE``, so a
  retried write never produces a second row for the same answer.

Reports (``rows``, ``daily_totals``, ``by_service``, ``month_end_projection``) work on
calendar days of the local clock: "the last N days" are the N days ending today, inclusive.
The SageMaker notebook instance is priced as a fixed overhead, shown as its own
``sagemaker_notebook`` service line of the AWS-equivalent cost: its instance hours
(``sagemaker_hours_per_day`` on every day with at least one answer, or 24 h on every
calendar day with ``sagemaker_always_on``) plus its storage volume on every calendar day
since the ledger's first row.

Redshift Serverless bills a workgroup's active periods, not queries: every Redshift query
placed in time (``WarehouseUsage.ended_at``) is kept in the ``warehouse_queries`` table,
and an answer is charged what its queries *add* to the merged active periods of their
workgroup (:func:`~workbench.cost.pricing.redshift_billed_seconds`), computed inside the
write transaction so concurrent writers never double-count. Summed over answers, the
charges equal the merged-window bill whatever order the answers are recorded in.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.config import CostSettings
from workbench.core.errors import TransientError
from workbench.core.retry import RetryPolicy, retry_call
from workbench.cost.pricing import (
    AWS_BACKENDS,
    REDSHIFT,
    SAGEMAKER_NOTEBOOK,
    SERVICES,
    athena_billed_bytes,
    notebook_instance_daily_cost,
    notebook_volume_daily_cost,
    priced_warehouse,
    redshift_billed_seconds,
    redshift_seconds_cost,
)
from workbench.cost.usage import Cost, WarehouseUsage

if TYPE_CHECKING:
    import pandas as pd

    from workbench.agents.answer import Answer

SCHEMA_VERSION = 2
#: How far back the windows of a workgroup are read to merge a new query into its active
#: periods; only an unbroken active period longer than this could be merged differently.
MERGE_LOOKBACK_MS = 6 * 3600 * 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    ts TEXT NOT NULL,
    day TEXT NOT NULL,
    session_id TEXT,
    username TEXT,
    persona TEXT NOT NULL,
    question TEXT NOT NULL,
    intent TEXT,
    agent TEXT,
    backend TEXT,
    sql TEXT,
    duration_ms REAL NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_actual TEXT NOT NULL DEFAULT '{}',
    cost_aws_equivalent TEXT NOT NULL DEFAULT '{}',
    actual_total REAL NOT NULL DEFAULT 0,
    aws_equivalent_total REAL NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    process_id INTEGER
);
CREATE INDEX IF NOT EXISTS ledger_day ON ledger(day);
CREATE TABLE IF NOT EXISTS warehouse_queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    day TEXT NOT NULL,
    backend TEXT NOT NULL,
    billed_as TEXT NOT NULL,
    scope TEXT NOT NULL,
    purpose TEXT NOT NULL,
    query_id TEXT,
    actual INTEGER NOT NULL,
    start_ms INTEGER,
    end_ms INTEGER,
    duration_ms REAL NOT NULL DEFAULT 0,
    server_duration_ms REAL,
    bytes_scanned INTEGER,
    billed_bytes INTEGER,
    charged_seconds REAL NOT NULL DEFAULT 0,
    amount REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS warehouse_queries_scope ON warehouse_queries(scope, end_ms);
CREATE INDEX IF NOT EXISTS warehouse_queries_day ON warehouse_queries(day);
"""

_QUERY_COLUMNS = (
    "request_id",
    "day",
    "backend",
    "billed_as",
    "scope",
    "purpose",
    "query_id",
    "actual",
    "start_ms",
    "end_ms",
    "duration_ms",
    "server_duration_ms",
    "bytes_scanned",
    "billed_bytes",
    "charged_seconds",
    "amount",
)
_INSERT_QUERY = (
    f"INSERT INTO warehouse_queries ({', '.join(_QUERY_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_QUERY_COLUMNS))})"
)

_COLUMNS = (
    "request_id",
    "ts",
    "day",
    "session_id",
    "username",
    "persona",
    "question",
    "intent",
    "agent",
    "backend",
    "sql",
    "duration_ms",
    "rows",
    "input_tokens",
    "output_tokens",
    "cost_actual",
    "cost_aws_equivalent",
    "actual_total",
    "aws_equivalent_total",
    "cached",
    "error",
    "process_id",
)
_INSERT = f"INSERT OR IGNORE INTO ledger ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _is_lock_error(exc: BaseException) -> bool:
    if isinstance(exc, TransientError):
        return True
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


#: Retries for a lock error that outlives ``busy_timeout`` (rare; also covers WAL setup races).
DEFAULT_RETRY = RetryPolicy(attempts=8, base_delay=0.05, max_delay=2.0, is_retryable=_is_lock_error)


@dataclass(frozen=True)
class LedgerEntry:
    """One answered question as recorded."""

    id: int
    request_id: str
    ts: str
    day: str
    session_id: str | None
    username: str | None
    persona: str
    question: str
    intent: str | None
    agent: str | None
    backend: str | None
    sql: str | None
    duration_ms: float
    rows: int
    input_tokens: int
    output_tokens: int
    cost_actual: dict[str, float]
    cost_aws_equivalent: dict[str, float]
    actual_total: float
    aws_equivalent_total: float
    cached: bool
    error: str | None
    process_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MonthEndProjection:
    """Month-to-date spend plus the recent daily average for each remaining day of the month.

    ``projected = month_to_date + average_daily × days_remaining``, where ``average_daily``
    is the total of the last ``window_days`` calendar days (ending today, idle days count as
    $0) divided by ``window_days``, and ``days_remaining`` counts the days after today up to
    the month's last day. Recent days predict the rest of the month better than the month
    so far when usage is ramping up or down; idle days count so weekends are not inflated.
    """

    today: dt.date
    month_start: dt.date
    month_end: dt.date
    window_days: int
    days_remaining: int
    month_to_date_actual: float
    month_to_date_aws_equivalent: float
    average_daily_actual: float
    average_daily_aws_equivalent: float
    projected_actual: float
    projected_aws_equivalent: float
    by_service_aws_equivalent: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("today", "month_start", "month_end"):
            out[key] = out[key].isoformat()
        return out


def _replace_line(
    lines: dict[str, float], service: str, standalone: float, merged: float
) -> dict[str, float]:
    """``lines`` with the standalone price of the placed queries swapped for their merged charge."""
    if not standalone and service not in lines:
        return dict(lines)
    out = dict(lines)
    out[service] = round(max(out.get(service, 0.0) - standalone, 0.0) + merged, 12)
    return out


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _backend_of(answer: Answer) -> str | None:
    usage = answer.usage
    if usage.warehouse:
        return "+".join(dict.fromkeys(w.backend for w in usage.warehouse))
    if usage.invocations:
        return "+".join(dict.fromkeys(i.invoker for i in usage.invocations))
    if usage.llm:
        return usage.llm[0].backend
    return None


class CostLedger:
    """Append-only ledger of answers and their cost in one SQLite file (WAL, many writers).

    ``clock`` returns an aware local datetime (injectable for tests); ``cost_settings`` prices
    the notebook overhead in reports.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        cost_settings: CostSettings | None = None,
        busy_timeout_ms: int = 30_000,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Callable[[], dt.datetime] = _local_now,
    ) -> None:
        self.path = Path(path)
        self.cost_settings = cost_settings or CostSettings()
        self.busy_timeout_ms = busy_timeout_ms
        self.retry = retry
        self._clock = clock
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        retry_call(self._initialize, self.retry, what="ledger setup")

    # Connections -------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked child opens its own)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is not None and getattr(self._local, "pid", None) == os.getpid():
            return con
        con = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=True,
        )
        con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        con.execute("PRAGMA synchronous = NORMAL")
        self._local.con = con
        self._local.pid = os.getpid()
        return con

    @contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def _initialize(self) -> None:
        con = self._connect()
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            con.execute("PRAGMA journal_mode = WAL")
        if con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._write_transaction() as tx:
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                tx.execute(statement)
            tx.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # Writing -----------------------------------------------------------------------
    def record(
        self,
        answer: Answer,
        *,
        session_id: str | None = None,
        username: str | None = None,
        backend: str | None = None,
        request_id: str | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """Append one row for an answer; returns its ``request_id`` (writing it twice is a no-op)."""
        return self.record_priced(
            answer,
            session_id=session_id,
            username=username,
            backend=backend,
            request_id=request_id,
            at=at,
        )[0]

    def record_priced(
        self,
        answer: Answer,
        *,
        session_id: str | None = None,
        username: str | None = None,
        backend: str | None = None,
        request_id: str | None = None,
        at: dt.datetime | None = None,
    ) -> tuple[str, Cost]:
        """Append one row and return ``(request_id, cost)``.

        ``cost`` is the answer's cost with its Redshift line replaced by what its queries
        added to their workgroup's merged active periods (queries without a time keep the
        price they came with); the row holds this cost.
        """
        when = at or self._clock()
        if when.tzinfo is None:
            when = when.astimezone()
        rid = request_id or uuid.uuid4().hex
        day = when.date().isoformat()
        placed = [
            item
            for item in answer.usage.warehouse
            if item.ended_at is not None or priced_warehouse(item, self.cost_settings) == "athena"
        ]

        def write() -> Cost:
            with self._write_transaction() as con:
                cost, query_rows = self._merge_windows(con, answer.cost, placed, rid, day, when)
                values = self._row(answer, cost, rid, when, session_id, username, backend)
                inserted = con.execute(_INSERT, values).rowcount
                if inserted:
                    con.executemany(_INSERT_QUERY, query_rows)
                return cost

        try:
            cost = retry_call(write, self.retry, what="ledger write")
        except sqlite3.OperationalError as exc:
            if not _is_lock_error(exc):
                raise
            raise TransientError(
                "The cost ledger is busy (other sessions are writing); the answer was not recorded. Try again.",
                detail=str(exc),
                path=str(self.path),
            ) from exc
        return rid, cost

    def _row(
        self,
        answer: Answer,
        cost: Cost,
        rid: str,
        when: dt.datetime,
        session_id: str | None,
        username: str | None,
        backend: str | None,
    ) -> tuple[Any, ...]:
        return (
            rid,
            when.isoformat(timespec="milliseconds"),
            when.date().isoformat(),
            session_id,
            username,
            str(answer.persona),
            answer.question,
            answer.intent.value if answer.intent is not None else None,
            answer.agent,
            backend or _backend_of(answer),
            answer.sql,
            float(answer.duration_ms),
            len(answer.frame) if answer.frame is not None else 0,
            int(answer.usage.input_tokens),
            int(answer.usage.output_tokens),
            json.dumps(cost.actual, sort_keys=True),
            json.dumps(cost.aws_equivalent, sort_keys=True),
            cost.total,
            cost.aws_equivalent_total,
            int(bool(answer.cached)),
            answer.error,
            os.getpid(),
        )

    def _merge_windows(
        self,
        con: sqlite3.Connection,
        cost: Cost,
        items: list[WarehouseUsage],
        rid: str,
        day: str,
        when: dt.datetime,
    ) -> tuple[Cost, list[tuple[Any, ...]]]:
        """Charge each placed Redshift query what it adds to its workgroup's active periods."""
        settings = self.cost_settings
        rows: list[tuple[Any, ...]] = []
        added_actual = 0.0
        added_equivalent = 0.0
        standalone_actual = 0.0
        standalone_equivalent = 0.0
        pending: dict[str, list[tuple[float, float]]] = {}
        for item in items:
            billed_as = priced_warehouse(item, settings)
            actual = item.backend in AWS_BACKENDS
            if billed_as == "athena":
                billed = athena_billed_bytes(item.bytes_scanned, settings)
                amount = billed / 1024**4 * settings.athena_per_tb
                rows.append(
                    (
                        rid,
                        day,
                        item.backend,
                        billed_as,
                        f"athena:{item.scope or ''}",
                        item.purpose,
                        item.query_id,
                        int(actual),
                        None,
                        None,
                        item.duration_ms,
                        item.server_duration_ms,
                        item.bytes_scanned,
                        billed,
                        0.0,
                        amount,
                    )
                )
                continue
            assert item.ended_at is not None
            scope = f"redshift:{item.scope or 'default'}" if actual else "reference:redshift"
            end_ms = round(item.ended_at * 1000)
            start_ms = end_ms - max(round(item.billed_duration_ms), 0)
            windows = pending.get(scope)
            if windows is None:
                windows = [
                    (float(a), float(b))
                    for a, b in con.execute(
                        "SELECT start_ms, end_ms FROM warehouse_queries WHERE scope = ? AND end_ms >= ?",
                        (scope, start_ms - MERGE_LOOKBACK_MS),
                    )
                ]
                pending[scope] = windows
            min_ms = settings.redshift_min_seconds * 1000
            before = redshift_billed_seconds(windows, min_ms)
            windows.append((float(start_ms), float(end_ms)))
            charged = (redshift_billed_seconds(windows, min_ms) - before) / 1000.0
            amount = redshift_seconds_cost(charged, settings)
            standalone = redshift_seconds_cost(
                max(item.billed_duration_ms / 1000.0, settings.redshift_min_seconds), settings
            )
            standalone_equivalent += standalone
            added_equivalent += amount
            if actual:
                standalone_actual += standalone
                added_actual += amount
            rows.append(
                (
                    rid,
                    day,
                    item.backend,
                    billed_as,
                    scope,
                    item.purpose,
                    item.query_id,
                    int(actual),
                    start_ms,
                    end_ms,
                    item.duration_ms,
                    item.server_duration_ms,
                    item.bytes_scanned,
                    None,
                    charged,
                    amount,
                )
            )
        if not pending:
            return cost, rows
        return (
            Cost(
                _replace_line(cost.actual, REDSHIFT, standalone_actual, added_actual),
                _replace_line(
                    cost.aws_equivalent, REDSHIFT, standalone_equivalent, added_equivalent
                ),
            ),
            rows,
        )

    # Reading -----------------------------------------------------------------------
    def today(self) -> dt.date:
        return self._clock().date()

    def _window(self, days: int | None, today: dt.date | None) -> tuple[str, str]:
        end = today or self.today()
        if days is None:
            return "0000-01-01", end.isoformat()
        if days < 1:
            raise ValueError("days must be at least 1")
        return (end - dt.timedelta(days=days - 1)).isoformat(), end.isoformat()

    def count(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM ledger").fetchone()[0])

    def entries(
        self, days: int | None = None, *, today: dt.date | None = None, limit: int | None = None
    ) -> list[LedgerEntry]:
        """Rows of the last ``days`` days (all when None), newest first."""
        start, end = self._window(days, today)
        sql = f"SELECT id, {', '.join(_COLUMNS)} FROM ledger WHERE day BETWEEN ? AND ? ORDER BY id DESC"
        params: tuple[Any, ...] = (start, end)
        if limit is not None:
            sql += " LIMIT ?"
            params += (int(limit),)
        out = []
        for row in self._connect().execute(sql, params):
            data = dict(zip(("id", *_COLUMNS), row, strict=True))
            data["cost_actual"] = json.loads(data["cost_actual"])
            data["cost_aws_equivalent"] = json.loads(data["cost_aws_equivalent"])
            data["cached"] = bool(data["cached"])
            out.append(LedgerEntry(**data))
        return out

    def rows(
        self, days: int | None = 7, *, today: dt.date | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Per-answer rows as a DataFrame, newest first."""
        import pandas as pd

        columns = ["id", *_COLUMNS]
        return pd.DataFrame(
            [e.to_dict() for e in self.entries(days, today=today, limit=limit)], columns=columns
        )

    def _service_sums(self, start: str, end: str, column: str) -> dict[str, float]:
        sql = f"SELECT j.key, SUM(j.value) FROM ledger, json_each(ledger.{column}) AS j WHERE ledger.day BETWEEN ? AND ? GROUP BY j.key"
        return {str(k): float(v) for k, v in self._connect().execute(sql, (start, end))}

    def _active_days(self, start: str, end: str) -> int:
        return int(
            self._connect()
            .execute(
                "SELECT COUNT(DISTINCT day) FROM ledger WHERE day BETWEEN ? AND ?", (start, end)
            )
            .fetchone()[0]
        )

    def _first_day(self) -> dt.date | None:
        first = self._connect().execute("SELECT MIN(day) FROM ledger").fetchone()[0]
        return dt.date.fromisoformat(first) if first else None

    def _notebook_for_day(self, day: dt.date, active: bool, first: dt.date | None) -> float:
        cost = self.cost_settings
        if first is None or day < first:
            return 0.0
        instance = notebook_instance_daily_cost(cost) if active or cost.sagemaker_always_on else 0.0
        return instance + notebook_volume_daily_cost(cost)

    def _notebook_for_window(self, start: str, end: str) -> float:
        first = self._first_day()
        if first is None:
            return 0.0
        begin = max(dt.date.fromisoformat(start), first)
        last = dt.date.fromisoformat(end)
        if begin > last:
            return 0.0
        cost = self.cost_settings
        days = (last - begin).days + 1
        running = days if cost.sagemaker_always_on else self._active_days(start, end)
        return running * notebook_instance_daily_cost(cost) + days * notebook_volume_daily_cost(
            cost
        )

    def queries(self, days: int | None = 7, *, today: dt.date | None = None) -> pd.DataFrame:
        """Every recorded warehouse query of the window (Redshift windows, Athena bytes), oldest first.

        ``purpose`` tells answer queries from data-version checks and catalog reads;
        ``charged_seconds`` / ``amount`` are what each Redshift query added to its
        workgroup's active periods.
        """
        import pandas as pd

        start, end = self._window(days, today)
        sql = (
            f"SELECT {', '.join(_QUERY_COLUMNS)} FROM warehouse_queries "
            "WHERE day BETWEEN ? AND ? ORDER BY id"
        )
        return pd.DataFrame(
            self._connect().execute(sql, (start, end)).fetchall(), columns=list(_QUERY_COLUMNS)
        )

    def daily_totals(self, days: int = 7, *, today: dt.date | None = None) -> pd.DataFrame:
        """One row per calendar day of the window (idle days included, at $0).

        ``aws_equivalent_usd`` = the answers' AWS-equivalent cost + ``notebook_usd`` (the
        notebook instance's hours on days with at least one answer, or every day when always
        on, plus its volume on every day since the ledger's first row).
        """
        import pandas as pd

        start, end = self._window(days, today)
        sql = (
            "SELECT day, COUNT(*), SUM(cached), SUM(error IS NOT NULL), SUM(actual_total), SUM(aws_equivalent_total) "
            "FROM ledger WHERE day BETWEEN ? AND ? GROUP BY day"
        )
        found = {row[0]: row[1:] for row in self._connect().execute(sql, (start, end))}
        first = self._first_day()
        records = []
        day = dt.date.fromisoformat(start)
        last = dt.date.fromisoformat(end)
        while day <= last:
            questions, cached, errors, actual, aws = found.get(day.isoformat(), (0, 0, 0, 0.0, 0.0))
            overhead = self._notebook_for_day(day, bool(questions), first)
            records.append(
                {
                    "day": day.isoformat(),
                    "questions": int(questions),
                    "cached": int(cached or 0),
                    "errors": int(errors or 0),
                    "actual_usd": round(float(actual or 0.0), 6),
                    "queries_aws_usd": round(float(aws or 0.0), 6),
                    "notebook_usd": round(overhead, 6),
                    "aws_equivalent_usd": round(float(aws or 0.0) + overhead, 6),
                }
            )
            day += dt.timedelta(days=1)
        return pd.DataFrame.from_records(
            records,
            columns=[
                "day",
                "questions",
                "cached",
                "errors",
                "actual_usd",
                "queries_aws_usd",
                "notebook_usd",
                "aws_equivalent_usd",
            ],
        )

    def by_service(self, days: int = 7, *, today: dt.date | None = None) -> pd.DataFrame:
        """Actual and AWS-equivalent cost per service over the window, notebook overhead included."""
        import pandas as pd

        start, end = self._window(days, today)
        actual = self._service_sums(start, end, "cost_actual")
        aws = self._service_sums(start, end, "cost_aws_equivalent")
        notebook = self._notebook_for_window(start, end)
        if notebook:
            aws[SAGEMAKER_NOTEBOOK] = aws.get(SAGEMAKER_NOTEBOOK, 0.0) + notebook
        services = [s for s in SERVICES if s in actual or s in aws] + sorted(
            (set(actual) | set(aws)) - set(SERVICES)
        )
        records = [
            {
                "service": s,
                "actual_usd": round(actual.get(s, 0.0), 6),
                "aws_equivalent_usd": round(aws.get(s, 0.0), 6),
            }
            for s in services
        ]
        return pd.DataFrame.from_records(
            records, columns=["service", "actual_usd", "aws_equivalent_usd"]
        )

    def month_end_projection(
        self, today: dt.date | None = None, *, window_days: int = 7
    ) -> MonthEndProjection:
        """Project the month's total from month-to-date and the average of the last ``window_days``.

        See :class:`MonthEndProjection` for the formula.
        """
        today = today or self.today()
        month_start = today.replace(day=1)
        month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        mtd = self.daily_totals((today - month_start).days + 1, today=today)
        window = self.daily_totals(window_days, today=today)
        remaining = (month_end - today).days
        avg_actual = float(window["actual_usd"].sum()) / window_days
        avg_aws = float(window["aws_equivalent_usd"].sum()) / window_days
        mtd_actual = float(mtd["actual_usd"].sum())
        mtd_aws = float(mtd["aws_equivalent_usd"].sum())
        services = self.by_service((today - month_start).days + 1, today=today)
        recent = self.by_service(window_days, today=today)
        recent_map = dict(zip(recent["service"], recent["aws_equivalent_usd"], strict=True))
        mtd_map = dict(zip(services["service"], services["aws_equivalent_usd"], strict=True))
        by_service = {
            str(s): round(
                float(mtd_map.get(s, 0.0))
                + float(recent_map.get(s, 0.0)) / window_days * remaining,
                6,
            )
            for s in list(dict.fromkeys([*mtd_map, *recent_map]))
        }
        return MonthEndProjection(
            today=today,
            month_start=month_start,
            month_end=month_end,
            window_days=window_days,
            days_remaining=remaining,
            month_to_date_actual=round(mtd_actual, 6),
            month_to_date_aws_equivalent=round(mtd_aws, 6),
            average_daily_actual=round(avg_actual, 6),
            average_daily_aws_equivalent=round(avg_aws, 6),
            projected_actual=round(mtd_actual + avg_actual * remaining, 6),
            projected_aws_equivalent=round(mtd_aws + avg_aws * remaining, 6),
            by_service_aws_equivalent=by_service,
        )
