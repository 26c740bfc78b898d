"""``workbench data``: generate, check, inspect and export the warehouse data."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import pandas as pd

from workbench.cli.common import Context, cli, echo_json, format_option, handle_errors, output_frame
from workbench.core.errors import DataError
from workbench.data.schema import TABLES

_SCALE_NAMES = ("tiny", "small", "medium", "large")


@cli.group("data")
def data_group() -> None:
    """Sample data: generate it, check it, show what is loaded, export it."""


@data_group.command("generate")
@click.option(
    "--scale",
    type=click.Choice(_SCALE_NAMES),
    default=None,
    help="Data size (default: data.scale from the config).",
)
@click.option("--seed", type=int, default=None, help="Random seed (default: data.seed).")
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of history, YYYY-MM-DD (default: data.end_date, then as_of, then today).",
)
@click.option("--force", is_flag=True, help="Replace data that already exists.")
@click.pass_obj
@handle_errors
def generate_command(
    obj: Context, scale: str | None, seed: int | None, end_date: dt.datetime | None, force: bool
) -> None:
    """Generate deterministic sample data into the DuckDB warehouse."""
    from workbench.data.generator import generate

    settings = obj.settings()
    path: Path = settings.duckdb_path
    if path.exists() and not force:
        raise DataError(
            f"Data already exists at {path}; nothing was changed.",
            hint="Add --force to replace it.",
            path=str(path),
        )
    end = end_date.date() if end_date else (settings.data.end_date or settings.as_of)
    report = generate(
        path,
        scale=scale or settings.data.scale,
        seed=settings.data.seed if seed is None else seed,
        end_date=end,
        is_db_path=True,
    )
    click.echo(
        f"Generated '{report.scale}' data (seed {report.seed}, end date {report.end_date}) in {report.seconds:.1f} s into {report.path}"
    )
    output_frame(
        pd.DataFrame({"table": list(report.rows), "rows": list(report.rows.values())}), "table"
    )
    click.echo(f"Load id: {report.load_id}")


@data_group.command("check")
@format_option
@click.pass_obj
@handle_errors
def check_command(obj: Context, fmt: str) -> None:
    """Check keys, references, value rules and types; exit 1 when anything fails."""
    from workbench.data.checker import check_database

    report = check_database(obj.settings().duckdb_path)
    if fmt == "json":
        echo_json(report.to_dict())
    elif report.ok:
        click.echo(
            f"OK: {report.rules_checked} rules checked over {len(TABLES)} tables, no issues."
        )
    else:
        click.echo(f"{len(report.issues)} issue(s) found ({report.rules_checked} rules checked):")
        output_frame(report.to_frame(), fmt)
    if not report.ok:
        sys.exit(1)


@data_group.command("info")
@format_option
@click.pass_obj
@handle_errors
def info_command(obj: Context, fmt: str) -> None:
    """Show what is loaded: rows per table, load id and as-of (end) date."""
    from workbench.data.checker import table_row_counts
    from workbench.data.loader import read_load_info

    path = obj.settings().duckdb_path
    load = read_load_info(path)
    counts = table_row_counts(path)
    if fmt == "json":
        echo_json({"path": str(path), "load": load.to_dict() if load else None, "rows": counts})
        return
    click.echo(f"Warehouse: {path}")
    if load is None:
        click.echo("Load: (no load record; the data was not written by 'workbench data generate')")
    else:
        click.echo(f"Load id: {load.load_id}")
        click.echo(
            f"Scale: {load.scale}  Seed: {load.seed}  As of (end date): {load.end_date}  Generated at: {load.generated_at} UTC"
        )
    output_frame(pd.DataFrame({"table": list(counts), "rows": list(counts.values())}), fmt)


@data_group.command("export")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["parquet"]),
    default="parquet",
    show_default=True,
)
@click.argument("directory", type=click.Path(file_okay=False))
@click.pass_obj
@handle_errors
def export_command(obj: Context, export_format: str, directory: str) -> None:
    """Export every data table to DIRECTORY/<table>/data.parquet."""
    from workbench.data.loader import export_parquet

    written = export_parquet(obj.settings().duckdb_path, directory)
    for table, file in written.items():
        click.echo(f"{table}: {file}")
