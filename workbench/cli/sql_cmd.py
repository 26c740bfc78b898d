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
    """Run one read-only SELECT over the data tables."""
    frame = obj.workbench().sql(query)
    output_frame(frame, fmt)
