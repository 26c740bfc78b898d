"""Redshift Serverless through the Data API: no drivers, no VPC access, IAM-authenticated.

Statements run asynchronously on a workgroup; this adapter polls with exponential backoff
inside the query timeout, cancels the statement when the timeout passes, surfaces FAILED /
ABORTED with the server's message in ``detail``, and pages through results with
``NextToken`` until the row limit is proven exceeded or the rows run out. Values are mapped
to the same pandas dtypes as the DuckDB backend (see :mod:`workbench.warehouse.frames`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from workbench.aws import redshift_data
from workbench.aws.redshift_data import DataApiTarget
from workbench.core.errors import QueryError
from workbench.core.logs import log_event
from workbench.cost.usage import PURPOSE_CATALOG, PURPOSE_DATA_VERSION, WarehouseUsage
from workbench.data.schema import DATA_TABLES, TABLES_BY_NAME
from workbench.warehouse.base import ColumnInfo, QueryResult, TableInfo, register_warehouse
from workbench.warehouse.polled import PolledServiceWarehouse

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings, Settings

log = logging.getLogger(__name__)

#: One row per load of the sample data (written by ``workbench data load --target redshift``).
LOAD_MARKER_TABLE = "workbench_load"
DEFAULT_SCHEMA = "public"


_MARKER_COLUMNS = (
    ("load_id", "VARCHAR(64)"),
    ("scale", "VARCHAR(16)"),
    ("seed", "BIGINT"),
    ("end_date", "DATE"),
    ("generated_at", "TIMESTAMP"),
    ("generator_version", "VARCHAR(32)"),
    ("row_counts", "VARCHAR(4096)"),
    ("loaded_at", "TIMESTAMP"),
    ("source", "VARCHAR(1024)"),
)


def load_marker_ddl() -> exp.Create:
    """``CREATE TABLE IF NOT EXISTS workbench_load (...)``: the local load record plus when and from where."""
    cols = [
        exp.ColumnDef(this=exp.to_identifier(name), kind=exp.DataType.build(kind))
        for name, kind in _MARKER_COLUMNS
    ]
    return exp.Create(
        this=exp.Schema(this=exp.to_table(LOAD_MARKER_TABLE), expressions=cols),
        kind="TABLE",
        exists=True,
    )


def latest_load_query() -> exp.Select:
    """The newest load: its id and when it was loaded (both part of the data version)."""
    return (
        exp.select("load_id", "loaded_at")
        .from_(LOAD_MARKER_TABLE)
        .order_by(exp.column("loaded_at").desc())
        .limit(1)
    )


def columns_query(tables: frozenset[str] = DATA_TABLES, schema: str = DEFAULT_SCHEMA) -> exp.Select:
    """The information_schema query listing the data tables' columns in order."""
    return (
        exp.select("table_name", "column_name", "data_type")
        .from_(exp.table_("columns", db="information_schema"))
        .where(exp.column("table_schema").eq(exp.Literal.string(schema)))
        .where(exp.column("table_name").isin(*[exp.Literal.string(t) for t in sorted(tables)]))
        .order_by("table_name", "ordinal_position")
    )


class RedshiftServerlessWarehouse(PolledServiceWarehouse):
    """Read-only access to the data tables on a Redshift Serverless workgroup."""

    name = "redshift"
    dialect = "redshift"
    service = "redshift-data"

    def __init__(
        self,
        target: DataApiTarget,
        *,
        aws: AwsSettings | None = None,
        boto3_session: Any = None,
        row_limit: int = 10_000,
        timeout: float = 30.0,
        poll_initial: float = 0.25,
        poll_max: float = 2.0,
        version_cache_seconds: float = 30.0,
        sleep: Any = time.sleep,
    ) -> None:
        super().__init__(
            aws=aws,
            boto3_session=boto3_session,
            row_limit=row_limit,
            timeout=timeout,
            poll_initial=poll_initial,
            poll_max=poll_max,
            version_cache_seconds=version_cache_seconds,
            sleep=sleep,
        )
        self.target = target
        self._version: tuple[float, str] | None = None
        self._tables: list[TableInfo] | None = None
        #: Queries run for no single answer (data-version checks, catalog reads), until drained.
        self._overhead: list[WarehouseUsage] = []

    @classmethod
    def from_settings(
        cls, settings: Settings, *, boto3_session: Any = None
    ) -> RedshiftServerlessWarehouse:
        rs = settings.warehouse.redshift
        return cls(
            DataApiTarget(
                workgroup=rs.workgroup or "", database=rs.database, secret_arn=rs.secret_arn
            ),
            aws=settings.aws,
            boto3_session=boto3_session,
            row_limit=settings.warehouse.row_limit,
            timeout=settings.warehouse.timeout_seconds,
            poll_initial=rs.poll_initial_seconds,
            poll_max=rs.poll_max_seconds,
            version_cache_seconds=rs.version_cache_seconds,
        )

    # -- port ----------------------------------------------------------------------------
    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        text = self._render(sql)
        limit = self.row_limit if row_limit is None else row_limit
        start = time.perf_counter()
        outcome = redshift_data.run(
            self.client,
            text,
            self.target,
            self._policy(timeout),
            row_limit=limit,
            sleep=self._sleep,
        )
        duration_ms = (time.perf_counter() - start) * 1000
        ended_at = _ended_at(outcome.description)
        frame = outcome.frame
        self._log_query(
            log,
            text,
            duration_ms,
            len(frame),
            outcome.truncated,
            statement_id=outcome.statement_id,
            pages=outcome.pages,
        )
        return QueryResult(
            frame=frame,
            sql=text,
            backend=self.name,
            duration_ms=duration_ms,
            query_id=outcome.statement_id,
            truncated=outcome.truncated,
            extra={
                "server_duration_ms": outcome.server_duration_ms,
                "result_rows": outcome.description.get("ResultRows"),
                "pages": outcome.pages,
                "workgroup": self.target.workgroup,
                "ended_at": ended_at,
            },
        )

    def statement(
        self, sql: str | exp.Expression, *, timeout: float | None = None
    ) -> redshift_data.StatementOutcome:
        """Run a statement that returns no rows (DDL, COPY, INSERT); used by the loader only."""
        text = self._render(sql)
        return redshift_data.run(
            self.client, text, self.target, self._policy(timeout), row_limit=0, sleep=self._sleep
        )

    def tables(self) -> list[TableInfo]:
        """The data tables present on the workgroup, with the data model's descriptions."""
        if self._tables is not None:
            return self._tables
        result = self.execute(columns_query(), row_limit=10_000)
        self._record_overhead(WarehouseUsage.from_result(result, purpose=PURPOSE_CATALOG))
        frame = result.frame
        grouped: dict[str, list[ColumnInfo]] = {}
        for table, column, dtype in frame.itertuples(index=False, name=None):
            spec = TABLES_BY_NAME.get(str(table))
            desc = (
                next((c.description for c in spec.columns if c.name == column), "") if spec else ""
            )
            grouped.setdefault(str(table), []).append(ColumnInfo(str(column), str(dtype), desc))
        self._tables = [
            TableInfo(t, tuple(cols), TABLES_BY_NAME[t].description if t in TABLES_BY_NAME else "")
            for t, cols in sorted(grouped.items())
        ]
        return self._tables

    def data_version(self) -> str:
        """The latest load id from ``workbench_load``, cached briefly (it is part of every cache key)."""
        now = time.monotonic()
        if self._version is not None and now - self._version[0] < self.version_cache_seconds:
            return self._version[1]
        try:
            result = self.execute(latest_load_query(), row_limit=1)
            self._record_overhead(WarehouseUsage.from_result(result, purpose=PURPOSE_DATA_VERSION))
            frame = result.frame
            load_id = f"{frame.iloc[0, 0]!s}@{frame.iloc[0, 1]!s}" if len(frame) else "empty"
        except QueryError as exc:
            # No marker table (data loaded by other means): a stable id per target, logged once per refresh.
            log_event(
                log,
                "data_version_fallback",
                backend=self.name,
                error=exc.detail or str(exc),
                level=logging.INFO,
            )
            load_id = "unversioned"
        key = f"{self.target.workgroup}/{self.target.database}/{load_id}"
        version = hashlib.sha1(key.encode()).hexdigest()[:16]
        if self._version is not None and self._version[1] != version:
            self._tables = None
        self._version = (now, version)
        return version

    def known_data_version(self) -> str | None:
        """The data version last read, without asking the workgroup (None before the first read).

        The orchestrator looks the answer cache up with it, so a cache hit never wakes the
        workgroup; the version is read again on a miss, just before the query that needs it.
        """
        return self._version[1] if self._version is not None else None

    def drain_usage(self) -> list[WarehouseUsage]:
        """Queries run since the last drain that belong to no single answer (billed all the same)."""
        with self._lock:
            out, self._overhead = self._overhead, []
        return out

    def _record_overhead(self, item: WarehouseUsage) -> None:
        with self._lock:
            self._overhead.append(item)

    def invalidate(self) -> None:
        """Forget cached version and table list (after a load)."""
        self._version = None
        self._tables = None

    def close(self) -> None:
        with self._lock:
            self._client = None


def _ended_at(description: dict[str, Any]) -> float:
    """When the statement finished on the server (``UpdatedAt``), else now, as epoch seconds."""
    updated = description.get("UpdatedAt")
    if isinstance(updated, dt.datetime):
        return (updated if updated.tzinfo else updated.replace(tzinfo=dt.UTC)).timestamp()
    return time.time()


@register_warehouse("redshift")
def _redshift_factory(settings: Settings) -> RedshiftServerlessWarehouse:
    return RedshiftServerlessWarehouse.from_settings(settings)
