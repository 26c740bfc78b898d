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
The SageMaker notebook instance is priced as a fixed overhead: ``sagemaker_hours_per_day``
× the instance-hour price for every day that has at least one answer (the days someone
worked), shown as its own ``sagemaker_notebook`` service line of the AWS-equivalent cost.
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
from workbench.cost.pricing import SAGEMAKER_NOTEBOOK, SERVICES, notebook_daily_cost

if TYPE_CHECKING:
    import pandas as pd

    from workbench.agents.answer import Answer

SCHEMA_VERSION = 1

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
"""

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
        when = at or self._clock()
        if when.tzinfo is None:
            when = when.astimezone()
        rid = request_id or uuid.uuid4().hex
        cost = answer.cost
        values = (
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

        def write() -> None:
            with self._write_transaction() as con:
                con.execute(_INSERT, values)

        try:
            retry_call(write, self.retry, what="ledger write")
        except sqlite3.OperationalError as exc:
            if not _is_lock_error(exc):
                raise
            raise TransientError(
                "The cost ledger is busy (other sessions are writing); the answer was not recorded. Try again.",
                detail=str(exc),
                path=str(self.path),
            ) from exc
        return rid

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

    def daily_totals(self, days: int = 7, *, today: dt.date | None = None) -> pd.DataFrame:
        """One row per calendar day of the window (idle days included, at $0).

        ``aws_equivalent_usd`` = the answers' AWS-equivalent cost + ``notebook_usd`` (the
        notebook instance's daily overhead, charged on days with at least one answer).
        """
        import pandas as pd

        start, end = self._window(days, today)
        sql = (
            "SELECT day, COUNT(*), SUM(cached), SUM(error IS NOT NULL), SUM(actual_total), SUM(aws_equivalent_total) "
            "FROM ledger WHERE day BETWEEN ? AND ? GROUP BY day"
        )
        found = {row[0]: row[1:] for row in self._connect().execute(sql, (start, end))}
        notebook = notebook_daily_cost(self.cost_settings)
        records = []
        day = dt.date.fromisoformat(start)
        last = dt.date.fromisoformat(end)
        while day <= last:
            questions, cached, errors, actual, aws = found.get(day.isoformat(), (0, 0, 0, 0.0, 0.0))
            overhead = notebook if questions else 0.0
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
        notebook = notebook_daily_cost(self.cost_settings) * self._active_days(start, end)
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
