"""Loading the sample data into AWS, offline: moto S3 + Glue, and the DuckDB-backed Redshift Data API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import awswrangler as wr
import boto3
import duckdb
import pytest
import sqlglot
from click.testing import CliRunner
from sqlglot import exp

from tests.aws.stack import COPY_ROLE, DATA_BUCKET, GLUE_DATABASE, REGION, aws_settings, offline_aws
from workbench.aws import loading
from workbench.aws.glue import LOAD_ID_PARAMETER
from workbench.aws.loading import PARTITION_COLUMN, S3Location
from workbench.core.errors import ConfigError
from workbench.data.schema import TABLES


def _local_counts(home: Path) -> dict[str, int]:
    con = duckdb.connect(str(home / "data" / "warehouse.duckdb"), read_only=True)
    try:
        return {
            t.name: int(
                con.execute(exp.select("count(*)").from_(t.name).sql("duckdb")).fetchone()[0]
            )
            for t in TABLES
        }
    finally:
        con.close()


# -- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bucket", ["B", "ab", "bad_bucket", "-abc", "abc-", "a..b", "192.168.1.1", "x" * 64]
)
def test_invalid_bucket_names_are_refused(bucket: str) -> None:
    with pytest.raises(ConfigError):
        S3Location(bucket)


@pytest.mark.parametrize(
    "prefix", ["../etc", "a//b", "a/./b", "with space", "quote'\"", "semi;colon"]
)
def test_invalid_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ConfigError):
        S3Location("good-bucket", prefix)


def test_location_uri_and_parse() -> None:
    loc = S3Location.parse("s3://good-bucket/team/sample/")
    assert (loc.bucket, loc.prefix) == ("good-bucket", "team/sample")
    assert loc.uri("product") == "s3://good-bucket/team/sample/product/"
    assert S3Location("good-bucket").uri() == "s3://good-bucket/"
    with pytest.raises(ConfigError):
        S3Location.parse("https://good-bucket/x")


@pytest.mark.parametrize(
    "arn",
    [
        None,
        "",
        "role/x",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:iam::123456789012:role/x' --",
    ],
)
def test_invalid_role_arns_are_refused(arn: str | None) -> None:
    with pytest.raises(ConfigError):
        loading.validate_role_arn(arn)


def test_redshift_statements_parse_and_quote_values() -> None:
    info = {
        "load_id": "id'; DROP TABLE product; --",
        "scale": "small",
        "seed": 42,
        "end_date": dt.date(2026, 6, 30),
        "generated_at": dt.datetime(2026, 6, 30, 1, 2, 3),
        "rows": {"product": 240},
    }
    statements = loading.redshift_load_statements(
        S3Location("good-bucket", "p"),
        COPY_ROLE,
        info=info,
        load_id=info["load_id"],
        loaded_at=dt.datetime(2026, 7, 1, 9, 0),
    )
    sqls = [s.sql(dialect="redshift") for s in statements]
    assert len(sqls) == 3 * len(TABLES) + 2
    for table, (drop, create, copy) in zip(
        TABLES, zip(sqls[0::3], sqls[1::3], sqls[2::3], strict=False), strict=False
    ):
        assert drop == f"DROP TABLE IF EXISTS {table.name}"
        assert create.startswith(f"CREATE TABLE {table.name} (")
        assert (
            copy
            == f"COPY {table.name} FROM 's3://good-bucket/p/{table.name}/' IAM_ROLE '{COPY_ROLE}' FORMAT PARQUET"
        )
    for sql in sqls:
        assert (
            len(sqlglot.parse(sql, read="redshift")) == 1
        )  # one statement each: the odd load id stayed a literal
    insert = sqlglot.parse_one(sqls[-1], read="redshift")
    assert isinstance(insert, exp.Insert)
    assert insert.find(exp.Literal).this == info["load_id"]


# -- S3 + Glue (Athena) ----------------------------------------------------------------------
def test_athena_load_writes_partitioned_parquet_and_glue_tables(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)) as stack:
        report = stack.loads[-1]
        session = boto3.session.Session(region_name=REGION)
        local = _local_counts(sample_home)
        assert report.rows == local
        tables = {
            t["Name"]: t
            for t in wr.catalog.get_tables(database=GLUE_DATABASE, boto3_session=session)
        }
        assert set(tables) == {t.name for t in TABLES}
        header = tables["sales_order_header"]
        assert [k["Name"] for k in header["PartitionKeys"]] == [PARTITION_COLUMN]
        assert header["Parameters"][LOAD_ID_PARAMETER] == report.load_id
        assert header["Description"].startswith("Customer sales orders")
        assert not tables["product"].get("PartitionKeys")
        types = wr.catalog.get_table_types(
            database=GLUE_DATABASE, table="product", boto3_session=session
        )
        assert types is not None
        assert (types["unit_cost"], types["lead_time_days"], types["is_active"]) == (
            "decimal(12,2)",
            "int",
            "boolean",
        )
        comments = wr.catalog.get_columns_comments(
            database=GLUE_DATABASE, table="product", boto3_session=session
        )
        assert comments["unit_cost"] == "Standard cost paid to suppliers"
        # One Glue partition per order month, as in the local data.
        con = duckdb.connect(str(sample_home / "data" / "warehouse.duckdb"), read_only=True)
        months = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT strftime(order_date, '%Y-%m') FROM sales_order_header"
            ).fetchall()
        }
        con.close()
        partitions = wr.catalog.get_parquet_partitions(
            database=GLUE_DATABASE, table="sales_order_line", boto3_session=session
        )
        assert {v[0] for v in partitions.values()} == months
        assert (
            report.partitions["sales_order_line"] == len(months)
            and report.partitions["product"] == 0
        )
        # The lines read back from S3 are the local lines, month column aside.
        lines = wr.s3.read_parquet(
            f"s3://{DATA_BUCKET}/sample/sales_order_line/", dataset=True, boto3_session=session
        )
        assert len(lines) == local["sales_order_line"]
        assert set(lines[PARTITION_COLUMN].astype(str)) == months


def test_athena_reload_replaces_data_not_appends(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)) as stack:
        first = stack.loads[-1].load_id
        stack.load("athena")
        session = boto3.session.Session(region_name=REGION)
        product = wr.s3.read_parquet(
            f"s3://{DATA_BUCKET}/sample/product/", dataset=True, boto3_session=session
        )
        assert len(product) == _local_counts(sample_home)["product"]
        params = wr.catalog.get_table_parameters(
            database=GLUE_DATABASE, table="product", boto3_session=session
        )
        assert params[LOAD_ID_PARAMETER] == stack.loads[-1].load_id != first


# -- Redshift (COPY through the Data API) ----------------------------------------------------
def test_redshift_load_copies_every_table_in_one_transaction(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("redshift",)) as stack:
        report = stack.loads[-1]
        batch = [st for st in stack.redshift.statements.values() if isinstance(st.sql, list)]
        assert len(batch) == 1 and batch[0].job.status == "FINISHED"
        sent = batch[0].sql
        assert sent == report.statements
        assert [s.split()[0] for s in sent[:3]] == ["DROP", "CREATE", "COPY"]
        assert all(COPY_ROLE in s for s in sent if s.startswith("COPY"))
        con = stack.redshift.engine.cursor()
        try:
            for table, rows in _local_counts(sample_home).items():
                assert (
                    con.execute(exp.select("count(*)").from_(table).sql("duckdb")).fetchone()[0]
                    == rows
                ), table
            marker = con.execute(
                "SELECT load_id, scale, seed, source FROM workbench_load"
            ).fetchall()
        finally:
            con.close()
        assert marker == [
            (report.load_id.split("@")[0], "small", 42, f"s3://{DATA_BUCKET}/sample/")
        ]


def test_redshift_load_failure_rolls_back_and_reports_the_server_error(sample_home: Path) -> None:
    from workbench.aws import redshift_data
    from workbench.aws.polling import PollPolicy
    from workbench.aws.session import client as aws_client
    from workbench.core.errors import QueryError

    with offline_aws(sample_home, load=("redshift",)) as stack:
        settings = stack.settings
        # The same batch, but COPY reads an empty prefix: it fails on the workgroup, and
        # nothing of the batch may stay (the drops and creates are rolled back too).
        statements = loading.redshift_load_statements(
            S3Location(DATA_BUCKET, "empty-prefix"),
            COPY_ROLE,
            info={"load_id": "second"},
            load_id="second",
            loaded_at=dt.datetime(2030, 1, 1),
        )
        client = aws_client("redshift-data", settings.aws)
        target = redshift_data.DataApiTarget(
            workgroup=settings.warehouse.redshift.workgroup or "", database="dev"
        )
        statement_id = redshift_data.submit_batch(
            client, [s.sql(dialect="redshift") for s in statements], target
        )
        with pytest.raises(QueryError) as info:
            redshift_data.wait(
                client, statement_id, PollPolicy(timeout=20, initial=0.01, maximum=0.05)
            )
        assert "does not exist" in (info.value.detail or "")
        con = stack.redshift.engine.cursor()
        try:
            assert con.execute("SELECT load_id FROM workbench_load").fetchall() == [
                (stack.loads[-1].load_id.split("@")[0],)
            ]
            assert (
                con.execute("SELECT count(*) FROM product").fetchone()[0]
                == _local_counts(sample_home)["product"]
            )
        finally:
            con.close()


def test_redshift_load_needs_a_role(sample_home: Path) -> None:
    settings = aws_settings(
        sample_home,
        warehouse={"redshift": {"workgroup": "wb-test-serverless", "iam_role_arn": None}},
    )
    with pytest.raises(ConfigError) as info:
        loading.load_redshift(settings)
    assert "iam_role_arn" in str(info.value)


# -- CLI -------------------------------------------------------------------------------------
def test_cli_load_athena_json(sample_home: Path, tmp_path: Path) -> None:
    from workbench.cli import _register, cli

    _register()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"aws:\n  region: {REGION}\nwarehouse:\n  athena:\n    database: cli_db\n", encoding="utf-8"
    )
    with offline_aws(sample_home, load=()):
        result = CliRunner().invoke(
            cli,
            [
                "--home",
                str(sample_home),
                "--config",
                str(config),
                "data",
                "load",
                "--target",
                "athena",
                "--bucket",
                DATA_BUCKET,
                "--prefix",
                "cli",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["database"] == "cli_db" and report["location"] == f"s3://{DATA_BUCKET}/cli/"
        assert report["rows"] == _local_counts(sample_home)
        assert wr.catalog.does_table_exist(
            database="cli_db",
            table="product",
            boto3_session=boto3.session.Session(region_name=REGION),
        )


def test_cli_load_refuses_a_bad_bucket(sample_home: Path) -> None:
    from workbench.cli import _register, cli

    _register()
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(sample_home),
            "data",
            "load",
            "--target",
            "athena",
            "--bucket",
            "Bad_Bucket",
        ],
    )
    assert result.exit_code == 2
    assert "not a valid S3 bucket name" in result.output
