"""``workbench sql``: guarded analyst SQL."""

from __future__ import annotations

import click

from workbench.cli.common import Context, cli, format_option, handle_errors, output_frame


@cli.command("sql")
@click.argument("query")
@format_option
@click.pass_obj
@handle_errors
def sql_command(obj: Context, query: str, fmt: str) -> None:
    """Run one read-only SELECT over the data tables.

    QUERY is checked first (one read-only SELECT, data tables only, no files or settings);
    a refused query exits with status 1 and says why.
    """
    frame = obj.workbench().sql(query)
    output_frame(frame, fmt)
    if frame.attrs.get("truncated"):
        click.echo(
            f"(showing the first {len(frame):,} rows; the result was cut at warehouse.row_limit)",
            err=True,
        )
