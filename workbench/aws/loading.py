"""Load the local sample data into AWS: Parquet on S3 with Glue tables, and Redshift via COPY.

One layout serves both warehouses: ``s3://bucket/prefix/<table>/`` holds Parquet files
whose columns are exactly the data model's, in order. The order tables are partitioned by
``order_month`` (``YYYY-MM``, a Hive-style folder, so not inside the files): Athena prunes
months when a query filters on it, and Redshift's ``COPY ... FORMAT AS PARQUET``, which maps
columns by position, reads the same files unchanged. For Redshift the tables are dropped,
created from ``render_ddl("redshift")`` and loaded with COPY in one
``batch_execute_statement``, which the Data API runs as a single transaction, so readers
see the old data or the new data, never a half-loaded table.

Every SQL statement is a sqlglot AST; bucket, prefix, database and role come from the
command line or configuration and are validated before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from sqlglot import exp

from workbench.aws import glue, redshift_data
from workbench.aws.polling import PollPolicy
from workbench.aws.session import awswrangler, make_session
from workbench.aws.session import client as aws_client
from workbench.core.errors import ConfigError, DataNotFoundError
from workbench.core.logs import log_event
from workbench.data.schema import TABLES, Table, create_table_ast
from workbench.warehouse.redshift import LOAD_MARKER_TABLE, load_marker_ddl

if TYPE_CHECKING:
    from workbench.core.config import Settings

log = logging.getLogger(__name__)

#: Partition column added to the order tables (derived from the header's order_date).
PARTITION_COLUMN = "order_month"
#: Table -> the header table whose order_date gives the month (itself for headers).
PARTITIONED: dict[str, tuple[str, str]] = {
    "sales_order_header": ("sales_order_header", "order_id"),
    "sales_order_line": ("sales_order_header", "order_id"),
    "purchase_order_header": ("purchase_order_header", "po_id"),
    "purchase_order_line": ("purchase_order_header", "po_id"),
}
#: The Data API runs at most 40 statements per batch.
MAX_BATCH = 40

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()=/-]*$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
_GLUE_NAME = re.compile(r"^[a-z0-9_]{1,255}$")


# ---------------------------------------------------------------------------------------
# Validated inputs
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class S3Location:
    """A validated ``s3://bucket/prefix`` (prefix without leading or trailing slashes)."""

    bucket: str
    prefix: str = ""

    def __post_init__(self) -> None:
        if (
            not _BUCKET.match(self.bucket)
            or ".." in self.bucket
            or re.match(r"^\d+\.\d+\.\d+\.\d+$", self.bucket)
        ):
            raise ConfigError(
                f"'{self.bucket}' is not a valid S3 bucket name.",
                issues=[
                    "bucket: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit"
                ],
                key="bucket",
            )
        prefix = self.prefix.strip("/")
        if not _PREFIX.match(prefix) or any(
            part in ("", ".", "..") for part in prefix.split("/") if prefix
        ):
            raise ConfigError(
                f"'{self.prefix}' is not a valid S3 prefix.",
                issues=[
                    "prefix: letters, digits and !_.*'()=- separated by single slashes; no '.' or '..' parts"
                ],
                key="prefix",
            )
        object.__setattr__(self, "prefix", prefix)

    @classmethod
    def parse(cls, uri: str, *, key: str = "s3 location") -> S3Location:
        if not uri.startswith("s3://"):
            raise ConfigError(f"{key} must look like s3://bucket/prefix; got '{uri}'.", key=key)
        bucket, _, prefix = uri[5:].partition("/")
        return cls(bucket, prefix)

    def uri(self, *parts: str) -> str:
        """``s3://bucket/prefix/part.../`` (folder form, trailing slash)."""
        path = "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))
        return f"s3://{self.bucket}/{path}/" if path else f"s3://{self.bucket}/"


def validate_role_arn(arn: str | None) -> str:
    if not arn or not _ROLE_ARN.match(arn):
        raise ConfigError(
            "Redshift COPY needs the ARN of an IAM role the workgroup can assume.",
            issues=[
                "warehouse.redshift.iam_role_arn (or --iam-role): arn:aws:iam::<12-digit account>:role/<name>"
            ],
            key="warehouse.redshift.iam_role_arn",
        )
    return arn


def validate_glue_name(name: str, *, key: str) -> str:
    if not _GLUE_NAME.match(name):
        raise ConfigError(
            f"'{name}' is not a valid Glue database name.",
            issues=[f"{key}: lower-case letters, digits and _ only"],
            key=key,
        )
    return name


# ---------------------------------------------------------------------------------------
# Reading the local warehouse
# ---------------------------------------------------------------------------------------
def glue_type(duck_type: str) -> str:
    """The Glue/Athena column type for a data-model type (DuckDB spelling)."""
    t = duck_type.strip().upper()
    if t.startswith("DECIMAL"):
        return t.lower().replace(" ", "")
    return {
        "VARCHAR": "string",
        "INTEGER": "int",
        "BIGINT": "bigint",
        "DOUBLE": "double",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
    }[t]


def table_select(table: Table) -> exp.Select:
    """The data-model columns of ``table`` in order, plus ``order_month`` for partitioned tables."""
    columns = [exp.column(c.name, table="t") for c in table.columns]
    select = exp.select(*columns).from_(exp.to_table(table.name).as_("t"))
    if table.name in PARTITIONED:
        header, key = PARTITIONED[table.name]
        source = "t" if header == table.name else "h"
        month = exp.func(
            "strftime", exp.column("order_date", table=source), exp.Literal.string("%Y-%m")
        )
        select = select.select(month.as_(PARTITION_COLUMN))
        if source == "h":
            select = select.join(
                exp.to_table(header).as_("h"),
                on=exp.column(key, table="h").eq(exp.column(key, table="t")),
            )
    return select.order_by(*[exp.column(k, table="t") for k in table.primary_key])


def local_frames(db_path: Path) -> Iterator[tuple[Table, pd.DataFrame]]:
    """Each data table of the local DuckDB file as a DataFrame (decimals and dates kept exact)."""
    if not db_path.is_file():
        raise DataNotFoundError(
            "No local data to load.", hint="Run 'workbench data generate' first.", path=str(db_path)
        )
    with tempfile.TemporaryDirectory(prefix="wb-load-") as tmp:
        try:
            con = duckdb.connect(str(db_path), read_only=True)
        except duckdb.ConnectionException:
            # This process already has the file open with the warehouse's locked-down settings
            # (a notebook that queried first): read a snapshot copy instead.
            snapshot = Path(tmp) / db_path.name
            shutil.copyfile(db_path, snapshot)
            con = duckdb.connect(str(snapshot), read_only=True)
        try:
            for table in TABLES:
                arrow = con.sql(table_select(table).sql(dialect="duckdb")).to_arrow_table()
                yield table, arrow.to_pandas()
        finally:
            con.close()


def _local_load_info(db_path: Path) -> dict[str, Any]:
    try:
        from workbench.data.loader import read_load_info

        info = read_load_info(db_path)
    except Exception:
        info = None
    if info is None:
        return {
            "load_id": str(uuid.uuid4()),
            "scale": "",
            "seed": 0,
            "end_date": None,
            "generated_at": None,
            "generator_version": "",
            "rows": {},
        }
    return {
        "load_id": info.load_id,
        "scale": info.scale,
        "seed": info.seed,
        "end_date": info.end_date,
        "generated_at": info.generated_at,
        "generator_version": info.generator_version,
        "rows": dict(info.rows),
    }


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------
@dataclass
class LoadReport:
    """What a load wrote, for the CLI and the log."""

    target: str
    load_id: str
    location: str
    database: str | None
    rows: dict[str, int] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)
    seconds: float = 0.0
    statement_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "load_id": self.load_id,
            "location": self.location,
            "database": self.database,
            "rows": dict(self.rows),
            "partitions": dict(self.partitions),
            "statements": len(self.statements),
            "statement_id": self.statement_id,
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------------------------------
# S3 + Glue
# ---------------------------------------------------------------------------------------
def write_parquet_tables(
    db_path: Path,
    location: S3Location,
    *,
    database: str | None,
    load_tag: str,
    settings: Settings | None = None,
    boto3_session: Any = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Write every table to ``location/<table>/`` as Parquet; register Glue tables when ``database``.

    Returns (rows per table, partitions per table).
    """
    aws = settings.aws if settings is not None else None
    wr = awswrangler(aws)
    session = make_session(aws, boto3_session)
    if database:
        glue.ensure_database(
            wr,
            validate_glue_name(database, key="warehouse.athena.database"),
            description="Supply-chain workbench sample data",
            boto3_session=session,
        )
    rows: dict[str, int] = {}
    partitions: dict[str, int] = {}
    for table, frame in local_frames(db_path):
        dtype = {c.name: glue_type(c.type) for c in table.columns}
        partition_cols = [PARTITION_COLUMN] if table.name in PARTITIONED else None
        kwargs: dict[str, Any] = {}
        if database:
            comments = {c.name: c.description for c in table.columns}
            if partition_cols:
                dtype[PARTITION_COLUMN] = "string"
                comments[PARTITION_COLUMN] = (
                    "Order month (YYYY-MM) of the order date; partition key"
                )
            kwargs = {
                "database": database,
                "table": table.name,
                "glue_table_settings": {
                    "description": table.description,
                    "parameters": {
                        glue.LOAD_ID_PARAMETER: load_tag,
                        "source": "workbench data load",
                    },
                    "columns_comments": comments,
                },
            }
        elif partition_cols:
            dtype[PARTITION_COLUMN] = "string"
        result = wr.s3.to_parquet(
            df=frame,
            path=location.uri(table.name),
            dataset=True,
            mode="overwrite",
            partition_cols=partition_cols,
            dtype=dtype,
            compression="snappy",
            use_threads=False,
            boto3_session=session,
            pyarrow_additional_kwargs={
                "coerce_timestamps": "us",
                "allow_truncated_timestamps": True,
            },
            **kwargs,
        )
        rows[table.name] = len(frame)
        partitions[table.name] = len(result.get("partitions_values") or {}) if partition_cols else 0
        log_event(
            log,
            "s3_table_written",
            table=table.name,
            rows=len(frame),
            files=len(result.get("paths") or []),
            location=location.uri(table.name),
        )
    return rows, partitions


def load_athena(
    settings: Settings,
    *,
    db_path: Path | None = None,
    location: S3Location | None = None,
    database: str | None = None,
    boto3_session: Any = None,
) -> LoadReport:
    """Write the local sample data to S3 as Parquet with Glue tables for Athena."""
    start = time.perf_counter()
    db_path = db_path or settings.duckdb_path
    location = location or _default_location(settings, "athena")
    database = database or settings.warehouse.athena.database
    info = _local_load_info(db_path)
    load_tag = f"{info['load_id']}@{dt.datetime.now(dt.UTC).isoformat(timespec='microseconds')}"
    rows, partitions = write_parquet_tables(
        db_path,
        location,
        database=database,
        load_tag=load_tag,
        settings=settings,
        boto3_session=boto3_session,
    )
    report = LoadReport(
        "athena",
        load_tag,
        location.uri(),
        database,
        rows,
        partitions,
        seconds=time.perf_counter() - start,
    )
    log_event(log, "data_loaded", **report.to_dict())
    return report


# ---------------------------------------------------------------------------------------
# Redshift
# ---------------------------------------------------------------------------------------
def copy_statement(table: str, source_uri: str, role_arn: str) -> exp.Copy:
    """``COPY table FROM 's3://…' IAM_ROLE '…' FORMAT AS PARQUET`` as an AST."""
    return exp.Copy(
        this=exp.to_table(table),
        kind=True,
        files=[exp.Literal.string(source_uri)],
        credentials=exp.Credentials(iam_role=exp.Literal.string(validate_role_arn(role_arn))),
        params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("PARQUET"))],
    )


def marker_insert(
    info: dict[str, Any], *, load_id: str, loaded_at: dt.datetime, source: str
) -> exp.Insert:
    """One ``workbench_load`` row describing this load (values as literals)."""

    def ts(value: Any) -> exp.Expression:
        return (
            exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
            if value
            else exp.null()
        )

    values = exp.tuple_(
        exp.Literal.string(load_id),
        exp.Literal.string(str(info.get("scale") or "")),
        exp.Literal.number(int(info.get("seed") or 0)),
        exp.cast(exp.Literal.string(info["end_date"].isoformat()), "DATE")
        if info.get("end_date")
        else exp.null(),
        ts(info.get("generated_at")),
        exp.Literal.string(str(info.get("generator_version") or "")),
        exp.Literal.string(json.dumps(info.get("rows") or {}, sort_keys=True)),
        ts(loaded_at),
        exp.Literal.string(source),
    )
    return exp.insert(exp.values([values]), LOAD_MARKER_TABLE)


#: A Redshift database user the Data API maps an IAM identity to: ``IAMR:<role>`` or ``IAM:<user>``.
_DB_USER = re.compile(r"^(IAMR|IAM):[A-Za-z0-9+=,.@_-]{1,64}$")


def validate_db_user(name: str) -> str:
    """``IAMR:<role name>`` (or ``IAM:<user name>``); refuse anything else before it reaches SQL."""
    if not _DB_USER.match(name or ""):
        raise ConfigError(
            f"'{name}' is not a Redshift database user for an IAM identity.",
            issues=[
                f"--grant-to {name!r}: use IAMR:<role name> (a role, as the notebook and the "
                "functions use) or IAM:<user name>"
            ],
            key="grant_to",
        )
    return name


def grant_statement(table: str, users: list[str]) -> exp.Grant:
    """``GRANT SELECT ON TABLE table TO "IAMR:..."``, as an AST."""
    return exp.Grant(
        privileges=[exp.GrantPrivilege(this=exp.var("SELECT"))],
        kind="TABLE",
        securable=exp.to_table(table),
        principals=[
            exp.GrantPrincipal(this=exp.to_identifier(validate_db_user(u), quoted=True))
            for u in users
        ],
    )


def redshift_load_statements(
    location: S3Location,
    role_arn: str,
    *,
    info: dict[str, Any],
    load_id: str,
    loaded_at: dt.datetime,
    grant_to: list[str] | None = None,
) -> list[exp.Expression]:
    """Drop, create and COPY every table, record the load, grant reads; run as one transaction.

    The Data API signs in as ``IAMR:<role>``; tables belong to whoever loaded them, so the
    notebook's and the functions' roles can read them only with a ``GRANT`` (``grant_to``).
    The tables are re-created on every load, so the grants are part of the same batch.
    """
    statements: list[exp.Expression] = []
    for table in TABLES:
        statements.append(exp.Drop(tables=[exp.to_table(table.name)], kind="TABLE", exists=True))
        create = create_table_ast(table, dialect="redshift")
        create.set("exists", False)
        statements.append(create)
        statements.append(copy_statement(table.name, location.uri(table.name), role_arn))
    statements.append(load_marker_ddl())
    statements.append(
        marker_insert(info, load_id=load_id, loaded_at=loaded_at, source=location.uri())
    )
    if grant_to:
        for name in [t.name for t in TABLES] + [LOAD_MARKER_TABLE]:
            statements.append(grant_statement(name, list(grant_to)))
    if len(statements) > MAX_BATCH:
        raise ConfigError(
            f"Too many statements for one Data API batch ({len(statements)} > {MAX_BATCH})."
        )
    return statements


def load_redshift(
    settings: Settings,
    *,
    db_path: Path | None = None,
    location: S3Location | None = None,
    role_arn: str | None = None,
    glue_database: str | None = None,
    register_glue: bool = True,
    timeout: float = 900.0,
    grant_to: list[str] | None = None,
    boto3_session: Any = None,
    sleep: Any = time.sleep,
) -> LoadReport:
    """Stage Parquet on S3 (with Glue tables unless ``register_glue`` is False), then COPY into Redshift.

    ``grant_to``: database users (``IAMR:<role name>``) given ``SELECT`` on every table.
    """
    start = time.perf_counter()
    for user in grant_to or ():
        validate_db_user(user)
    rs = settings.warehouse.redshift
    role = validate_role_arn(role_arn or rs.iam_role_arn)
    target = redshift_data.DataApiTarget(
        workgroup=rs.workgroup or "", database=rs.database, secret_arn=rs.secret_arn
    )
    db_path = db_path or settings.duckdb_path
    location = location or _default_location(settings, "redshift")
    database = (glue_database or settings.warehouse.athena.database) if register_glue else None
    info = _local_load_info(db_path)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load_id = str(info["load_id"])
    load_tag = f"{load_id}@{loaded_at.isoformat(timespec='microseconds')}"
    rows, partitions = write_parquet_tables(
        db_path,
        location,
        database=database,
        load_tag=load_tag,
        settings=settings,
        boto3_session=boto3_session,
    )
    statements = redshift_load_statements(
        location, role, info=info, load_id=load_id, loaded_at=loaded_at, grant_to=grant_to
    )
    sqls = [s.sql(dialect="redshift") for s in statements]
    client = aws_client("redshift-data", settings.aws, boto3_session=boto3_session)
    statement_id = redshift_data.submit_batch(client, sqls, target)
    policy = PollPolicy(
        timeout=timeout, initial=rs.poll_initial_seconds, maximum=max(rs.poll_max_seconds, 5.0)
    )
    redshift_data.wait(client, statement_id, policy, sleep=sleep, sql="; ".join(sqls[:3]) + " ...")
    report = LoadReport(
        "redshift",
        load_tag,
        location.uri(),
        database,
        rows,
        partitions,
        sqls,
        time.perf_counter() - start,
        statement_id,
    )
    log_event(log, "data_loaded", **report.to_dict())
    return report


def _default_location(settings: Settings, target: str) -> S3Location:
    if target == "redshift" and settings.warehouse.redshift.s3_staging:
        return S3Location.parse(
            settings.warehouse.redshift.s3_staging, key="warehouse.redshift.s3_staging"
        )
    if settings.warehouse.athena.s3_data:
        return S3Location.parse(settings.warehouse.athena.s3_data, key="warehouse.athena.s3_data")
    raise ConfigError(
        "Where should the data go on S3?",
        issues=[
            "pass --bucket (and --prefix), or set warehouse.athena.s3_data (or warehouse.redshift.s3_staging)"
        ],
        key="warehouse.athena.s3_data",
    )
