"""The embedded default warehouse: a DuckDB file under ``$WORKBENCH_HOME/data``.

Queries use a read-only connection with external access disabled and the configuration
locked, so even a statement that slipped past the guard could not write, read files or
load extensions. A timer interrupts statements that run past the timeout.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from sqlglot import exp

from workbench.core.errors import DataError, DataNotFoundError, QueryError, QueryTimeoutError
from workbench.core.logs import log_event
from workbench.data.schema import TABLES_BY_NAME
from workbench.warehouse.base import ColumnInfo, QueryResult, TableInfo, register_warehouse
from workbench.warehouse.sandbox import QuerySandbox, SandboxLimits

if TYPE_CHECKING:
    from workbench.core.config import Settings

log = logging.getLogger(__name__)


class DuckDBWarehouse:
    """Read-only DuckDB warehouse over one database file."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self,
        path: str | Path,
        *,
        row_limit: int = 10_000,
        timeout: float = 30.0,
        threads: int | None = None,
        memory_limit: str | None = None,
        sandbox: SandboxLimits | None = None,
    ) -> None:
        self.path = Path(path)
        self.row_limit = row_limit
        self.timeout = timeout
        self._threads = threads
        self._memory_limit = memory_limit
        self._con: duckdb.DuckDBPyConnection | None = None
        self._con_identity: tuple[int, int, int] | None = None
        self._version: str | None = None
        self._lock = threading.Lock()
        #: Limits of the worker process for SQL we did not write; None runs it in-process.
        self.sandbox_limits = sandbox
        self._sandbox: QuerySandbox | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DuckDBWarehouse:
        wh = settings.warehouse
        return cls(
            settings.duckdb_path,
            row_limit=wh.row_limit,
            timeout=wh.timeout_seconds,
            threads=wh.duckdb.threads,
            memory_limit=wh.duckdb.memory_limit,
            sandbox=(
                SandboxLimits(
                    address_space_mb=wh.analyst.memory_mb,
                    duckdb_memory_mb=wh.analyst.duckdb_memory_mb,
                    threads=wh.analyst.threads,
                    max_result_mb=wh.analyst.max_result_mb,
                )
                if wh.analyst.isolate
                else None
            ),
        )

    # -- connection ----------------------------------------------------------------------
    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The shared read-only connection, reopened when the data file was replaced.

        The generator swaps in a new file atomically; a connection opened before still reads
        the old one, so a change of the file's identity means reconnect.
        """
        with self._lock:
            identity = self._file_identity()
            if self._con is not None and identity != self._con_identity:
                self._con.close()
                self._con = None
            if self._con is None:
                self._con = self._connect()
                self._con_identity = identity
            return self._con

    def _file_identity(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if not self.path.is_file():
            raise DataNotFoundError(
                "No data has been loaded yet.",
                hint="Run 'workbench data generate' (or 'make run', which does it for you).",
                path=str(self.path),
            )
        # Defence in depth: even SQL that slipped past the guard cannot write, read files or
        # URLs, load extensions, scan Python variables or change these settings.
        config: dict[str, str | bool | int | float | list[str]] = {
            "access_mode": "READ_ONLY",
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "python_enable_replacements": False,
        }
        if self._threads:
            config["threads"] = self._threads
        if self._memory_limit:
            config["memory_limit"] = self._memory_limit
        try:
            con = duckdb.connect(str(self.path), read_only=True, config=config)
        except duckdb.IOException as exc:
            raise DataError(
                "The data file is busy or unreadable (another process may be writing it).",
                hint="Wait for 'workbench data generate' to finish, then try again.",
                detail=str(exc),
                path=str(self.path),
            ) from None
        except duckdb.ConnectionException as exc:
            # Another connection in this process opened the file with other settings; DuckDB
            # refuses rather than hand us an instance without our safety settings.
            raise DataError(
                "The data file is already open in this process with other settings.",
                hint="Close the other connection (or restart the kernel) and try again.",
                detail=str(exc),
                path=str(self.path),
            ) from None
        except duckdb.Error as exc:
            raise DataError(
                "The data file could not be opened.",
                hint="Regenerate it with 'workbench data generate --force'.",
                detail=str(exc),
                path=str(self.path),
            ) from None
        # DuckDB shares one database instance per file within a process: a second warehouse on
        # the same file finds the configuration already locked by the first.
        locked = con.execute("SELECT current_setting('lock_configuration')").fetchone()
        if not (locked and locked[0]):
            con.execute("SET lock_configuration = true")
        return con

    # -- port ----------------------------------------------------------------------------
    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        """Run trusted or guard-checked SQL; at most ``row_limit`` rows come back.

        The engine stops after ``row_limit + 1`` rows (the extra one only tells us the
        result was cut), so a huge result never reaches memory.
        """
        text = sql.sql(dialect=self.dialect) if isinstance(sql, exp.Expression) else sql
        limit = self.row_limit if row_limit is None else row_limit
        timeout = self.timeout if timeout is None else timeout
        cursor = self._connection().cursor()
        timed_out = threading.Event()

        def interrupt() -> None:
            timed_out.set()
            # The query may have finished and the cursor closed meanwhile.
            with contextlib.suppress(duckdb.Error):
                cursor.interrupt()

        timer = threading.Timer(timeout, interrupt)
        timer.daemon = True
        start = time.perf_counter()
        timer.start()
        try:
            cursor.execute(text)
            frame = _fetch_frame(cursor, limit + 1)
        except duckdb.Error as exc:
            if timed_out.is_set() or isinstance(exc, duckdb.InterruptException):
                log_event(
                    log,
                    "query_timeout",
                    backend=self.name,
                    sql=text,
                    timeout_s=timeout,
                    level=logging.WARNING,
                )
                raise QueryTimeoutError(
                    f"The query took longer than {timeout:g} seconds and was stopped.",
                    hint="Narrow the question (a shorter period or one warehouse) and try again.",
                    timeout=timeout,
                    backend=self.name,
                ) from None
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            log_event(
                log,
                "query_failed",
                backend=self.name,
                sql=text,
                error=str(exc),
                level=logging.WARNING,
            )
            raise QueryError(
                "The warehouse could not run this query.",
                hint=first_line,
                detail=str(exc),
                backend=self.name,
            ) from None
        finally:
            timer.cancel()
            cursor.close()
        duration_ms = (time.perf_counter() - start) * 1000
        return self._result(frame, text, limit, duration_ms)

    def execute_untrusted(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        """Run guard-checked SQL that a person or a model wrote, in the bounded worker process.

        Same contract as :meth:`execute`; the worker's memory, threads and run time are capped
        (see :mod:`workbench.warehouse.sandbox`). Without sandbox limits this is :meth:`execute`.
        """
        if self.sandbox_limits is None:
            return self.execute(sql, timeout=timeout, row_limit=row_limit)
        text = sql.sql(dialect=self.dialect) if isinstance(sql, exp.Expression) else sql
        limit = self.row_limit if row_limit is None else row_limit
        timeout = self.timeout if timeout is None else timeout
        if not self.path.is_file():
            self._connection()  # raises the DataNotFoundError with its hint
        with self._lock:
            if self._sandbox is None:
                self._sandbox = QuerySandbox(self.path, self.sandbox_limits, backend=self.name)
            sandbox = self._sandbox
        try:
            frame, duration_ms = sandbox.run(text, max_rows=limit + 1, timeout=timeout)
        except QueryTimeoutError:
            log_event(
                log,
                "query_timeout",
                backend=self.name,
                sql=text,
                timeout_s=timeout,
                isolated=True,
                level=logging.WARNING,
            )
            raise
        except QueryError as exc:
            log_event(
                log,
                "query_failed",
                backend=self.name,
                sql=text,
                error=exc.detail or exc.message,
                isolated=True,
                level=logging.WARNING,
            )
            raise
        return self._result(frame, text, limit, duration_ms, isolated=True)

    def _result(
        self, frame: pd.DataFrame, text: str, limit: int, duration_ms: float, **log_fields: Any
    ) -> QueryResult:
        """The rows up to ``limit`` (one more was fetched to tell whether it was cut), logged."""
        truncated = len(frame) > limit
        if truncated:
            frame = frame.iloc[:limit]
        log_event(
            log,
            "query",
            backend=self.name,
            sql=text,
            duration_ms=round(duration_ms, 3),
            rows=len(frame),
            truncated=truncated,
            **log_fields,
        )
        return QueryResult(
            frame=frame, sql=text, backend=self.name, duration_ms=duration_ms, truncated=truncated
        )

    def query(self, sql: str | exp.Expression) -> pd.DataFrame:
        return self.execute(sql).frame

    def tables(self) -> list[TableInfo]:
        """The data tables present, sorted, with columns, row counts and data-model descriptions.

        Bookkeeping tables (such as the generator's ``workbench_load``) are left out, as on the
        other backends: only what the guard lets users query is listed.
        """
        columns_sql = (
            exp.select("table_name", "column_name", "data_type")
            .from_(exp.table_("columns", db="information_schema"))
            .where(exp.column("table_schema").eq(exp.Literal.string("main")))
            .where(
                exp.column("table_name").isin(
                    *(exp.Literal.string(t) for t in sorted(TABLES_BY_NAME))
                )
            )
            .order_by("table_name", "ordinal_position")
        )
        cursor = self._connection().cursor()
        try:
            grouped: dict[str, list[ColumnInfo]] = {}
            for table, column, dtype in cursor.execute(
                columns_sql.sql(dialect=self.dialect)
            ).fetchall():
                spec = TABLES_BY_NAME[table]
                desc = next((c.description for c in spec.columns if c.name == column), "")
                grouped.setdefault(table, []).append(ColumnInfo(column, dtype, desc))
            infos = []
            for name, cols in sorted(grouped.items()):
                count_sql = exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(name))
                count = cursor.execute(count_sql.sql(dialect=self.dialect)).fetchone()
                infos.append(
                    TableInfo(
                        name,
                        tuple(cols),
                        TABLES_BY_NAME[name].description,
                        row_count=int(count[0]) if count else None,
                    )
                )
            return infos
        finally:
            cursor.close()

    def data_version(self) -> str:
        """A fingerprint of the loaded data: the load id the generator wrote, else file identity."""
        if not self.path.is_file():
            return "none"
        stat = self.path.stat()
        fingerprint = hashlib.sha1(
            f"{self.path}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        ).hexdigest()[:16]
        # The generator records a load id in workbench_load; files loaded by other means have none.
        cursor = self._connection().cursor()
        try:
            row = cursor.execute(
                "SELECT CAST(load_id AS VARCHAR) FROM workbench_load"
                " ORDER BY generated_at DESC LIMIT 1"
            ).fetchone()
        except duckdb.Error:
            return fingerprint
        finally:
            cursor.close()
        return str(row[0]) if row and row[0] else fingerprint

    def close(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            if self._con is not None:
                self._con.close()
                self._con = None


def _fetch_frame(cursor: duckdb.DuckDBPyConnection, max_rows: int) -> pd.DataFrame:
    """Fetch at most about ``max_rows`` rows (whole vectors), with DuckDB's own pandas conversion.

    Stops pulling from the engine once enough rows are in, so a huge result never reaches
    memory; the caller cuts to the exact limit.
    """
    if cursor.description is None:  # a statement without a result set
        return pd.DataFrame()
    vectors = max(1, -(-max_rows // _VECTOR_SIZE))
    chunks = [cursor.fetch_df_chunk(vectors)]
    rows = len(chunks[0])
    while rows < max_rows:
        chunk = cursor.fetch_df_chunk(vectors)
        if chunk.empty:
            break
        chunks.append(chunk)
        rows += len(chunk)
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
    return frame.iloc[:max_rows] if len(frame) > max_rows else frame


_VECTOR_SIZE = 2048  # rows per DuckDB vector (fetch_df_chunk counts vectors)


@register_warehouse("duckdb")
def _duckdb_factory(settings: Settings) -> DuckDBWarehouse:
    return DuckDBWarehouse.from_settings(settings)
