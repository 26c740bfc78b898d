"""Offline Redshift Data API and Athena that really run SQL, for tests and demos without AWS.

moto answers the Redshift Data API with three canned rows and never finishes a statement,
and answers Athena queries with nothing unless results are queued through its API. These
context managers patch moto's backends (``with moto.mock_aws(), FakeRedshiftData(): ...``)
so statements run on an in-memory DuckDB database:

- :class:`FakeRedshiftData` transpiles each statement from the Redshift dialect with
  sqlglot, runs it in a background thread (so ``describe_statement`` polls a real
  asynchronous job and ``cancel_statement`` interrupts it), returns rows in the Data API's
  typed ``Field`` shape with small pages linked by ``NextToken``, runs
  ``batch_execute_statement`` in one transaction and executes ``COPY ... FORMAT PARQUET``
  from moto's S3.
- :class:`FakeAthena` builds its tables from the Glue tables and Parquet objects in moto
  (what ``workbench data load --target athena`` wrote), runs each query from the Athena
  (Trino) dialect, injects the result through moto's own ``set_athena_result`` API, writes
  the CSV result file Athena would write, and reports ``DataScannedInBytes``.

Everything a client sees goes through botocore, so request shapes are validated against
the real service models. Needs the ``moto`` package (a test dependency).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from workbench.core.errors import MissingDependencyError

DEFAULT_ACCOUNT_ID = "123456789012"

_REDSHIFT_TYPES = {
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "TINYINT": "int2",
    "HUGEINT": "numeric",
    "DECIMAL": "numeric",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "VARCHAR": "varchar",
}
_ATHENA_TYPES = {
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "HUGEINT": "decimal",
    "DECIMAL": "decimal",
    "DOUBLE": "double",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "VARCHAR": "varchar",
}


def _require_moto() -> None:
    try:
        import moto  # noqa: F401
    except ModuleNotFoundError:
        raise MissingDependencyError(
            "moto", extra="test", feature="The offline AWS fakes"
        ) from None


def _duck_type(type_code: Any) -> str:
    text = str(type_code).upper()
    return "DECIMAL" if text.startswith("DECIMAL") else text


def _precision_scale(type_code: Any) -> tuple[int, int]:
    text = str(type_code)
    if "(" in text:
        p, s = text[text.index("(") + 1 : text.index(")")].split(",")
        return int(p), int(s)
    return 0, 0


def _text(value: Any) -> str:
    """Value as the services render it in text: ISO dates, ``true``/``false``, plain decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _plain_text_types(tree: exp.Expression) -> exp.Expression:
    """VARCHAR(MAX) / VARCHAR(n) -> VARCHAR: DuckDB has one unbounded text type."""

    def fix(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.DataType)
            and node.this in exp.DataType.TEXT_TYPES
            and node.expressions
        ):
            return exp.DataType.build("VARCHAR")
        return node

    return tree.transform(fix)


class Job:
    """One statement running on the engine in a background thread."""

    def __init__(
        self,
        engine: DuckDBEngine,
        statements: list[exp.Expression | Callable[[duckdb.DuckDBPyConnection], None]],
        *,
        transaction: bool,
    ) -> None:
        self.id = str(uuid.uuid4())
        self.status = "STARTED"
        self.error: str | None = None
        self.columns: list[tuple[str, Any]] = []
        self.rows: list[tuple[Any, ...]] = []
        self.has_result_set = False
        self.rows_affected = 0
        self.started = time.monotonic()
        self.ended: float | None = None
        self._engine = engine
        self._statements = statements
        self._transaction = transaction
        self._cursor = engine.cursor()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"fake-warehouse-{self.id[:8]}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        cur = self._cursor
        try:
            if self._transaction:
                cur.execute("BEGIN TRANSACTION")
            for statement in self._statements:
                if callable(statement) and not isinstance(statement, exp.Expression):
                    statement(cur)
                    continue
                cur.execute(statement.sql(dialect="duckdb"))
                if cur.description:
                    self.columns = [(d[0], d[1]) for d in cur.description]
                    self.rows = cur.fetchall()
                    self.has_result_set = isinstance(statement, exp.Query)
            if self._transaction:
                cur.execute("COMMIT")
            self.status = "FINISHED"
        except Exception as exc:
            if self._transaction:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
            if self._cancelled.is_set():
                self.status, self.error = "ABORTED", "Query cancelled by user request."
            else:
                self.status, self.error = "FAILED", self._engine.error_text(exc)
        finally:
            self.ended = time.monotonic()
            cur.close()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    @property
    def duration_ns(self) -> int:
        return int(((self.ended or time.monotonic()) - self.started) * 1e9)

    def cancel(self) -> None:
        self._cancelled.set()
        self._cursor.interrupt()
        self._thread.join(timeout=10)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


class DuckDBEngine:
    """An in-memory DuckDB database standing in for the remote warehouse."""

    def __init__(self, *, read_dialect: str, schema: str = "main") -> None:
        self.read_dialect = read_dialect
        self.schema = schema
        self.con = duckdb.connect(":memory:")
        if schema != "main":
            self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        self._tmp = tempfile.TemporaryDirectory(prefix="wb-fake-warehouse-")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        cur.execute(f'USE memory."{self.schema}"')
        return cur

    def parse(self, sql: str) -> list[exp.Expression]:
        return [
            _plain_text_types(s)
            for s in sqlglot.parse(sql, read=self.read_dialect)
            if isinstance(s, exp.Expression)
        ]

    def error_text(self, exc: BaseException) -> str:
        return str(exc).strip()

    def load_parquet(
        self,
        cur: duckdb.DuckDBPyConnection,
        table: str,
        blobs: list[tuple[str, bytes]],
        *,
        replace: bool,
        hive: bool = False,
    ) -> int:
        """Insert (or create a table from) Parquet objects; returns rows loaded."""
        folder = Path(self._tmp.name) / uuid.uuid4().hex
        files = []
        for key, data in blobs:
            path = folder / key.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files.append(str(path))
        if not files:
            raise ValueError(f"no Parquet files to load into {table}")
        source = exp.func(
            "read_parquet", exp.array(*[exp.Literal.string(f) for f in sorted(files)])
        )
        # Athena reads Hive partition folders as columns; Redshift COPY does not (DuckDB would guess).
        flag = exp.true() if hive else exp.false()
        source.append("expressions", exp.EQ(this=exp.column("hive_partitioning"), expression=flag))
        select = exp.select("*").from_(source)
        target = exp.to_table(table)
        count = exp.select("count(*)").from_(target).sql("duckdb")
        before = 0
        if replace:
            stmt: exp.Expression = exp.Create(
                this=target, kind="TABLE", expression=select, replace=True
            )
        else:
            before = int((cur.execute(count).fetchone() or (0,))[0])
            stmt = exp.insert(select, target)
        cur.execute(stmt.sql(dialect="duckdb"))
        after = int((cur.execute(count).fetchone() or (0,))[0])
        return after - before

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()


def _s3_objects(uri: str, account_id: str) -> list[tuple[str, bytes]]:
    """Every object under an ``s3://bucket/prefix`` in moto's S3 (keys relative to the prefix)."""
    from moto.s3.models import s3_backends

    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri}")
    bucket_name, _, prefix = uri[5:].partition("/")
    bucket = s3_backends[account_id]["aws"].get_bucket(bucket_name)
    out = []
    for key_name, key in bucket.keys.items():
        value = getattr(key, "value", None)
        if key_name.startswith(prefix) and value is not None and key_name.endswith(".parquet"):
            out.append((key_name[len(prefix) :], bytes(value)))
    return out


# ---------------------------------------------------------------------------------------
# Redshift Data API
# ---------------------------------------------------------------------------------------
class _Statement:
    def __init__(self, job: Job, sql: str | list[str], params: dict[str, Any]) -> None:
        self.job = job
        self.sql = sql
        self.params = params
        self.created = time.time()
        self.describes = 0


class FakeRedshiftData:
    """Patch moto's Redshift Data API to run statements on DuckDB (use inside ``mock_aws``).

    ``page_size`` rows per ``get_statement_result`` page (small to exercise ``NextToken``);
    ``min_polls`` describes before a finished statement reports FINISHED.
    """

    _active: FakeRedshiftData | None = None

    def __init__(
        self, *, page_size: int = 100, min_polls: int = 1, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        _require_moto()
        self.page_size = page_size
        self.min_polls = min_polls
        self.account_id = account_id
        self.engine = DuckDBEngine(read_dialect="redshift", schema="public")
        self.statements: dict[str, _Statement] = {}
        #: Every SQL text received, in order (for assertions on what a loader sent).
        self.received: list[str] = []
        #: Database user -> {(table, privilege)} granted by GRANT statements.
        self.grants: dict[str, set[tuple[str, str]]] = {}
        self._saved: dict[str, Any] = {}

    # -- patching --------------------------------------------------------------------------
    def __enter__(self) -> FakeRedshiftData:
        from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse as R

        fake = self

        def execute_statement(resp: Any) -> str:
            return json.dumps(fake.execute_statement(json.loads(resp.body or "{}")))

        def batch_execute_statement(resp: Any) -> str:
            return json.dumps(fake.batch_execute_statement(json.loads(resp.body or "{}")))

        def describe_statement(resp: Any) -> str:
            return json.dumps(fake.describe_statement(resp._get_param("Id")))

        def get_statement_result(resp: Any) -> str:
            return json.dumps(
                fake.get_statement_result(resp._get_param("Id"), resp._get_param("NextToken"))
            )

        def cancel_statement(resp: Any) -> str:
            return json.dumps(fake.cancel_statement(resp._get_param("Id")))

        for name, fn in {
            "execute_statement": execute_statement,
            "batch_execute_statement": batch_execute_statement,
            "describe_statement": describe_statement,
            "get_statement_result": get_statement_result,
            "cancel_statement": cancel_statement,
        }.items():
            self._saved[name] = R.__dict__.get(name)
            setattr(R, name, fn)
        FakeRedshiftData._active = self
        return self

    def __exit__(self, *exc: object) -> None:
        from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse as R

        for name, fn in self._saved.items():
            if fn is None:
                delattr(R, name)
            else:
                setattr(R, name, fn)
        for st in self.statements.values():
            if not st.job.done:
                st.job.cancel()
        FakeRedshiftData._active = None
        self.engine.close()

    # -- helpers ---------------------------------------------------------------------------
    def _error(self, code: str, message: str) -> Exception:
        from moto.core.exceptions import JsonRESTError

        return JsonRESTError(code, message)

    def _compile(
        self, sql: str
    ) -> list[exp.Expression | Callable[[duckdb.DuckDBPyConnection], None]]:
        out: list[exp.Expression | Callable[[duckdb.DuckDBPyConnection], None]] = []
        try:
            parsed = self.engine.parse(sql)
        except sqlglot.errors.ParseError as exc:
            # Redshift would reject it at run time; report it as a failed statement.
            message = f"syntax error: {exc}"

            def fail(_: duckdb.DuckDBPyConnection) -> None:
                raise duckdb.ParserException(message)

            return [fail]
        for tree in parsed:
            if isinstance(tree, exp.Copy):
                out.append(self._copy_step(tree))
            elif isinstance(tree, exp.Grant):
                out.append(self._grant_step(tree))
            else:
                out.append(tree)
        return out

    def _grant_step(self, tree: exp.Grant) -> Callable[[duckdb.DuckDBPyConnection], None]:
        """DuckDB has no users: check the table exists and record who was granted what."""
        table = tree.args["securable"].name
        privileges = [p.this.name.upper() for p in tree.args.get("privileges") or []]
        principals = [p.this.name for p in tree.args.get("principals") or []]

        def run(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute(f'SELECT 1 FROM "{table}" LIMIT 0')  # fails like Redshift if it is missing
            for principal in principals:
                self.grants.setdefault(principal, set()).update((table, p) for p in privileges)

        return run

    def _copy_step(self, tree: exp.Copy) -> Callable[[duckdb.DuckDBPyConnection], None]:
        table = tree.this.name
        files = [f.name for f in tree.args.get("files") or []]
        params = {
            p.this.name.upper(): p.args.get("expression") for p in tree.args.get("params") or []
        }
        fmt = params.get("FORMAT")
        credentials = tree.args.get("credentials")
        role = credentials.args.get("iam_role") if credentials is not None else None

        def run(cur: duckdb.DuckDBPyConnection) -> None:
            if fmt is None or fmt.name.upper() != "PARQUET":
                raise duckdb.InvalidInputException(
                    "the fake supports COPY ... FORMAT AS PARQUET only"
                )
            if role is None or not str(role.name).startswith("arn:aws"):
                raise duckdb.InvalidInputException(
                    "COPY needs IAM_ROLE 'arn:aws:iam::<account>:role/<name>'"
                )
            blobs = [b for uri in files for b in _s3_objects(uri, self.account_id)]
            if not blobs:
                raise duckdb.IOException(
                    f"The specified S3 prefix '{files[0] if files else ''}' does not exist"
                )
            self.engine.load_parquet(cur, table, blobs, replace=False)

        return run

    def _describe(self, statement_id: str, st: _Statement) -> dict[str, Any]:
        job = st.job
        st.describes += 1
        status = (
            job.status
            if job.done and st.describes > self.min_polls
            else ("STARTED" if job.status != "ABORTED" else "ABORTED")
        )
        if status == "STARTED" and st.describes == 1:
            status = "SUBMITTED"
        out: dict[str, Any] = {
            "Id": statement_id,
            "Status": status,
            "CreatedAt": st.created,
            "UpdatedAt": time.time(),
            "Duration": job.duration_ns if status == "FINISHED" else -1,
            "HasResultSet": status == "FINISHED" and job.has_result_set,
            "ResultRows": len(job.rows) if status == "FINISHED" and job.has_result_set else -1,
            "ResultSize": -1,
            "QueryString": st.sql if isinstance(st.sql, str) else "",
            "RedshiftPid": 1073815000,
            "RedshiftQueryId": abs(hash(statement_id)) % 100000,
            **{
                k: v
                for k, v in st.params.items()
                if k in ("WorkgroupName", "Database", "SecretArn")
            },
        }
        if status in ("FAILED", "ABORTED"):
            out["Error"] = job.error or status
        if isinstance(st.sql, list):
            out["SubStatements"] = [
                {
                    "Id": f"{statement_id}:{i + 1}",
                    "Status": status,
                    "QueryString": q,
                    "HasResultSet": False,
                }
                for i, q in enumerate(st.sql)
            ]
        return out

    # -- API -------------------------------------------------------------------------------
    def execute_statement(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("WorkgroupName") and not params.get("ClusterIdentifier"):
            raise self._error(
                "ValidationException", "Either ClusterIdentifier or WorkgroupName must be provided."
            )
        sql = str(params["Sql"])
        self.received.append(sql)
        job = Job(self.engine, self._compile(sql), transaction=False)
        self.statements[job.id] = _Statement(job, sql, params)
        return {
            "Id": job.id,
            "CreatedAt": time.time(),
            "Database": params.get("Database"),
            "WorkgroupName": params.get("WorkgroupName"),
        }

    def batch_execute_statement(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("WorkgroupName") and not params.get("ClusterIdentifier"):
            raise self._error(
                "ValidationException", "Either ClusterIdentifier or WorkgroupName must be provided."
            )
        sqls = [str(s) for s in params["Sqls"]]
        self.received.extend(sqls)
        steps = [step for sql in sqls for step in self._compile(sql)]
        job = Job(self.engine, steps, transaction=True)
        self.statements[job.id] = _Statement(job, sqls, params)
        return {
            "Id": job.id,
            "CreatedAt": time.time(),
            "Database": params.get("Database"),
            "WorkgroupName": params.get("WorkgroupName"),
        }

    def describe_statement(self, statement_id: str) -> dict[str, Any]:
        st = self.statements.get(statement_id)
        if st is None:
            raise self._error("ResourceNotFoundException", f"Query does not exist: {statement_id}")
        return self._describe(statement_id, st)

    def cancel_statement(self, statement_id: str) -> dict[str, Any]:
        st = self.statements.get(statement_id)
        if st is None:
            raise self._error("ResourceNotFoundException", f"Query does not exist: {statement_id}")
        if st.job.done:
            raise self._error(
                "ValidationException",
                f"Could not cancel a query that is already in {st.job.status} state with ID: {statement_id}",
            )
        st.job.cancel()
        return {"Status": True}

    def get_statement_result(self, statement_id: str, token: str | None) -> dict[str, Any]:
        st = self.statements.get(statement_id)
        if st is None:
            raise self._error("ResourceNotFoundException", f"Query does not exist: {statement_id}")
        job = st.job
        if not job.done or job.status != "FINISHED" or not job.has_result_set:
            raise self._error(
                "ValidationException",
                f"Query does not have result. Please check query status with DescribeStatement: {statement_id}",
            )
        offset = int(base64.b64decode(token).decode().split(":")[1]) if token else 0
        page = job.rows[offset : offset + self.page_size]
        meta = []
        for name, type_code in job.columns:
            precision, scale = _precision_scale(type_code)
            meta.append(
                {
                    "name": name,
                    "label": name,
                    "typeName": _REDSHIFT_TYPES.get(_duck_type(type_code), "varchar"),
                    "nullable": 1,
                    "precision": precision,
                    "scale": scale,
                    "isSigned": True,
                    "isCaseSensitive": _duck_type(type_code) == "VARCHAR",
                    "isCurrency": False,
                    "schemaName": "",
                    "tableName": "",
                    "columnDefault": "",
                    "length": 0,
                }
            )
        out: dict[str, Any] = {
            "ColumnMetadata": meta,
            "Records": [[self._field(v) for v in row] for row in page],
            "TotalNumRows": len(job.rows),
        }
        if offset + self.page_size < len(job.rows):
            out["NextToken"] = base64.b64encode(
                f"{statement_id}:{offset + self.page_size}".encode()
            ).decode()
        return out

    @staticmethod
    def _field(value: Any) -> dict[str, Any]:
        if value is None:
            return {"isNull": True}
        if isinstance(value, bool):
            return {"booleanValue": value}
        if isinstance(value, int):
            return {"longValue": value}
        if isinstance(value, float):
            return {"doubleValue": value}
        return {"stringValue": _text(value)}


# ---------------------------------------------------------------------------------------
# Athena over Glue and S3
# ---------------------------------------------------------------------------------------
class FakeAthena:
    """Patch moto's Athena to run queries on DuckDB over the Glue tables' Parquet in moto's S3.

    ``database`` is the Glue database the tables are read from; tables are rebuilt whenever
    the Glue catalog changes (a reload). ``min_polls`` get_query_execution calls report
    RUNNING before a finished query reports SUCCEEDED.
    """

    def __init__(
        self,
        database: str,
        *,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        min_polls: int = 1,
    ) -> None:
        _require_moto()
        self.database = database
        self.region = region
        self.account_id = account_id
        self.min_polls = min_polls
        self.engine = DuckDBEngine(read_dialect="athena")
        self.jobs: dict[str, Job] = {}
        self.scanned: dict[str, int] = {}
        self.received: list[str] = []
        self._polls: dict[str, int] = {}
        self._catalog_key: str | None = None
        self._table_bytes: dict[str, int] = {}
        self._saved: dict[tuple[type, str], Any] = {}

    def __enter__(self) -> FakeAthena:
        from moto.athena.models import AthenaBackend
        from moto.athena.responses import AthenaResponse

        fake = self
        original_start = AthenaBackend.start_query_execution
        original_get_response = AthenaResponse.get_query_execution

        def start_query_execution(
            backend: Any,
            query: str,
            context: Any,
            config: Any,
            workgroup: str,
            execution_parameters: Any,
        ) -> str:
            exec_id: str = original_start(
                backend, query, context, config, workgroup, execution_parameters
            )
            fake._start(backend, exec_id, query)
            return exec_id

        def get_query_execution(backend: Any, exec_id: str) -> Any:
            execution = backend.executions[exec_id]
            fake._settle(backend, exec_id)
            return execution

        def stop_query_execution(backend: Any, exec_id: str) -> None:
            job = fake.jobs.get(exec_id)
            if job is not None and not job.done:
                job.cancel()
            backend.executions[exec_id].status = "CANCELLED"

        def store_query_result_in_s3(backend: Any, exec_id: str) -> None:
            fake._write_csv(backend, exec_id)

        def get_query_execution_response(resp: Any) -> str:
            body = json.loads(original_get_response(resp))
            exec_id = resp._get_param("QueryExecutionId")
            job = fake.jobs.get(exec_id)
            status = body["QueryExecution"]["Status"]
            if job is not None and status["State"] in ("FAILED", "CANCELLED"):
                status["StateChangeReason"] = job.error or status["State"]
            stats = body["QueryExecution"].setdefault("Statistics", {})
            stats["DataScannedInBytes"] = fake.scanned.get(exec_id, 0)
            if job is not None and job.ended is not None:
                stats["EngineExecutionTimeInMillis"] = int((job.ended - job.started) * 1000)
            return json.dumps(body)

        patches: list[tuple[type, str, Any]] = [
            (AthenaBackend, "start_query_execution", start_query_execution),
            (AthenaBackend, "get_query_execution", get_query_execution),
            (AthenaBackend, "stop_query_execution", stop_query_execution),
            (AthenaBackend, "_store_query_result_in_s3", store_query_result_in_s3),
            (AthenaResponse, "get_query_execution", get_query_execution_response),
        ]
        for cls, name, fn in patches:
            self._saved[(cls, name)] = cls.__dict__[name]
            setattr(cls, name, fn)
        return self

    def __exit__(self, *exc: object) -> None:
        for (cls, name), fn in self._saved.items():
            setattr(cls, name, fn)
        for job in self.jobs.values():
            if not job.done:
                job.cancel()
        self.engine.close()

    # -- tables from Glue + S3 -------------------------------------------------------------
    def _glue_tables(self) -> list[dict[str, Any]]:
        from moto.glue.models import glue_backends

        backend = glue_backends[self.account_id][self.region]
        try:
            return [t.as_dict() for t in backend.get_tables(self.database, None)]
        except Exception:
            return []

    def _refresh_tables(self) -> None:
        tables = self._glue_tables()
        key = json.dumps(
            sorted(
                (
                    t["Name"],
                    str(t.get("UpdateTime")),
                    json.dumps(t.get("Parameters") or {}, sort_keys=True),
                )
                for t in tables
            )
        )
        if key == self._catalog_key:
            return
        cur = self.engine.cursor()
        try:
            for t in tables:
                location = t.get("StorageDescriptor", {}).get("Location", "")
                blobs = _s3_objects(location.rstrip("/") + "/", self.account_id) if location else []
                if blobs:
                    self.engine.load_parquet(
                        cur, t["Name"], blobs, replace=True, hive=bool(t.get("PartitionKeys"))
                    )
                    self._table_bytes[t["Name"]] = sum(len(b) for _, b in blobs)
        finally:
            cur.close()
        self._catalog_key = key

    # -- query lifecycle -------------------------------------------------------------------
    def _start(self, backend: Any, exec_id: str, query: str) -> None:
        self.received.append(query)
        if (
            backend.executions[exec_id]
            .query.strip()
            .upper()
            .startswith(("CREATE DATABASE", "CREATE SCHEMA", "DROP DATABASE", "DROP SCHEMA"))
        ):
            return
        self._refresh_tables()
        try:
            steps: list[exp.Expression | Callable[[duckdb.DuckDBPyConnection], None]] = list(
                self.engine.parse(query)
            )
            referenced = {
                t.name
                for s in steps
                if isinstance(s, exp.Expression)
                for t in s.find_all(exp.Table)
            }
        except sqlglot.errors.ParseError as exc:
            message = f"line 1:1: mismatched input: {exc}"

            def fail(_: duckdb.DuckDBPyConnection) -> None:
                raise duckdb.ParserException(message)

            steps, referenced = [fail], set()
        self.scanned[exec_id] = sum(self._table_bytes.get(name, 0) for name in referenced)
        self.jobs[exec_id] = Job(self.engine, steps, transaction=False)
        self._polls[exec_id] = 0
        execution = backend.executions[exec_id]
        execution.__class__ = _pinned_execution_class(type(execution))
        execution.status = "RUNNING"

    def _settle(self, backend: Any, exec_id: str) -> None:
        execution = backend.executions[exec_id]
        job = self.jobs.get(exec_id)
        if job is None:
            execution.advance()
            return
        if execution.status in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return
        self._polls[exec_id] += 1
        if not job.done or self._polls[exec_id] <= self.min_polls:
            return
        if job.status == "FINISHED":
            self._inject(backend, exec_id, job)
            execution.status = "SUCCEEDED"
        elif job.status == "ABORTED":
            execution.status = "CANCELLED"
        else:
            execution.status = "FAILED"
        execution.end_time = time.time()

    def _inject(self, backend: Any, exec_id: str, job: Job) -> None:
        """Queue the result through moto's API, then let moto assign it to this execution."""
        from moto.moto_api._internal import moto_api_backend

        header = {"Data": [{"VarCharValue": name} for name, _ in job.columns]}
        rows = [header] + [
            {"Data": [{} if v is None else {"VarCharValue": _text(v)} for v in row]}
            for row in job.rows
        ]
        column_info = []
        for name, type_code in job.columns:
            precision, scale = _precision_scale(type_code)
            column_info.append(
                {
                    "CatalogName": "hive",
                    "SchemaName": "",
                    "TableName": "",
                    "Name": name,
                    "Label": name,
                    "Type": _ATHENA_TYPES.get(_duck_type(type_code), "varchar"),
                    "Precision": precision,
                    "Scale": scale,
                    "Nullable": "UNKNOWN",
                    "CaseSensitive": _duck_type(type_code) == "VARCHAR",
                }
            )
        if not job.columns:
            return
        moto_api_backend.set_athena_result(
            rows=rows,
            column_info=column_info,  # type: ignore[arg-type]
            account_id=self.account_id,
            region=self.region,
        )
        backend._store_predefined_query_results(exec_id)

    def _write_csv(self, backend: Any, exec_id: str) -> None:
        """Athena's result file: every value quoted, NULL as an empty field, header first."""
        from moto.s3.models import s3_backends

        execution = backend.executions.get(exec_id)
        location = (execution.config or {}).get("OutputLocation") if execution is not None else None
        if not location:
            return
        lines = []
        for row in backend.query_results[exec_id].rows:
            cells = [
                '"' + str(c["VarCharValue"]).replace('"', '""') + '"' if "VarCharValue" in c else ""
                for c in row["Data"]
            ]
            lines.append(",".join(cells) + "\n")
        text = "".join(lines)
        bucket, _, key = location[5:].partition("/")
        s3_backends[self.account_id]["aws"].put_object(
            bucket_name=bucket, key_name=key, value=text.encode()
        )


_PINNED: dict[type, type] = {}


def _pinned_execution_class(base: type) -> type:
    """A subclass of moto's Execution whose status only changes when the fake sets it.

    moto's executions advance through QUEUED/RUNNING/SUCCEEDED by themselves; the fake's
    status must follow the DuckDB job instead.
    """
    if base in _PINNED.values():
        return base
    if base not in _PINNED:

        def get_status(self: Any) -> str | None:
            status: str | None = self._status
            return status

        def set_status(self: Any, value: str) -> None:
            self._status = value

        _PINNED[base] = type(
            f"Pinned{base.__name__}", (base,), {"status": property(get_status, set_status)}
        )
    return _PINNED[base]


def iter_result_pages(client: Any, statement_id: str) -> Iterator[dict[str, Any]]:
    """All ``get_statement_result`` pages (a test helper for asserting pagination)."""
    token = None
    while True:
        page = client.get_statement_result(
            Id=statement_id, **({"NextToken": token} if token else {})
        )
        yield page
        token = page.get("NextToken")
        if not token:
            return
