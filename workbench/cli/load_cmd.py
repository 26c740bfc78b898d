"""``workbench data load``: copy the local sample data to Athena (S3 + Glue) or Redshift Serverless."""

from __future__ import annotations

import click
import pandas as pd

from workbench.cli.common import Context, echo_json, handle_errors, output_frame
from workbench.cli.data_cmd import data_group


@data_group.command("load")
@click.option(
    "--target",
    type=click.Choice(["athena", "redshift"]),
    required=True,
    help="Where to load the data.",
)
@click.option(
    "--bucket",
    default=None,
    help="S3 bucket for the Parquet files (default: from warehouse.athena.s3_data / warehouse.redshift.s3_staging).",
)
@click.option(
    "--prefix",
    default="workbench",
    show_default=True,
    help="Key prefix under the bucket (used with --bucket).",
)
@click.option(
    "--database", default=None, help="Glue database (default: warehouse.athena.database)."
)
@click.option(
    "--iam-role",
    "iam_role",
    default=None,
    help="Role Redshift assumes for COPY (default: warehouse.redshift.iam_role_arn).",
)
@click.option(
    "--glue/--no-glue",
    "register_glue",
    default=True,
    show_default=True,
    help="Redshift only: also register the Parquet as Glue tables.",
)
@click.option(
    "--timeout",
    type=float,
    default=900.0,
    show_default=True,
    help="Redshift only: seconds to wait for the COPY transaction.",
)
@click.option(
    "--grant-to",
    "grant_to",
    multiple=True,
    metavar="IAMR:ROLE",
    help="Redshift only: give this database user SELECT on every table (repeatable; the Data API "
    "user of a role is IAMR:<role name>).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
@click.pass_obj
@handle_errors
def load_command(
    obj: Context,
    target: str,
    bucket: str | None,
    prefix: str,
    database: str | None,
    iam_role: str | None,
    register_glue: bool,
    timeout: float,
    grant_to: tuple[str, ...],
    as_json: bool,
) -> None:
    """Write the local data to S3 as Parquet with Glue tables; for Redshift, also CREATE and COPY."""
    from workbench.aws import loading

    settings = obj.settings()
    location = loading.S3Location(bucket, prefix) if bucket else None
    if target == "athena":
        report = loading.load_athena(settings, location=location, database=database)
    else:
        report = loading.load_redshift(
            settings,
            location=location,
            role_arn=iam_role,
            glue_database=database,
            register_glue=register_glue,
            timeout=timeout,
            grant_to=list(grant_to),
        )
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(
        f"Loaded the sample data into {target} from {settings.duckdb_path} in {report.seconds:.1f} s"
    )
    click.echo(
        f"Parquet: {report.location}"
        + (f"  Glue database: {report.database}" if report.database else "")
    )
    frame = pd.DataFrame(
        {
            "table": list(report.rows),
            "rows": list(report.rows.values()),
            "partitions": [report.partitions.get(t, 0) for t in report.rows],
        }
    )
    output_frame(frame, "table")
    if report.statement_id:
        click.echo(
            f"Redshift: {len(report.statements)} statements in one transaction (statement id {report.statement_id})"
        )
    click.echo(f"Load id: {report.load_id}")


@data_group.command("parity")
@click.option(
    "--against",
    "against",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Configuration file of the other warehouse (e.g. the Athena config during a migration).",
)
@click.option(
    "--as-of", "as_of", default=None, help="'Today' for the KPIs (default: as_of or today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print every check as JSON.")
@click.pass_obj
@handle_errors
def parity_command(obj: Context, against: str, as_of: str | None, as_json: bool) -> None:
    """Compare row counts and every glossary KPI between this warehouse and another; exit 1 on a difference."""
    import sys

    from workbench.core.config import load_settings
    from workbench.semantic.time import coerce_date
    from workbench.warehouse.base import create_warehouse
    from workbench.warehouse.parity import compare_warehouses

    settings = obj.settings()
    other = load_settings(against, home=settings.home)
    day = coerce_date(as_of) if as_of else settings.effective_as_of
    left, right = create_warehouse(settings), create_warehouse(other)
    try:
        report = compare_warehouses(left, right, as_of=day)
    finally:
        left.close()
        right.close()
    if as_json:
        echo_json(report.to_dict())
    else:
        frame = pd.DataFrame([c.to_dict() for c in report.checks])
        shown = frame if not report.ok else frame.head(0)
        rows = sum(c.kind == "rows" for c in report.checks)
        kpis = len(report.checks) - rows
        click.echo(
            f"{report.left} vs {report.right} as of {day}: {rows} tables, {kpis} KPIs, "
            f"{len(report.differences)} difference(s)"
        )
        if not shown.empty:
            output_frame(shown[~shown["ok"]], "table")
    if not report.ok:
        sys.exit(1)
