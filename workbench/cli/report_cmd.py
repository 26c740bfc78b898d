"""``workbench report``: list, run and schedule the papermill reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.cli.common import Context, cli, echo_json, handle_errors


@cli.group("report")
def report_group() -> None:
    """Scheduled reports: parameterized notebooks executed to HTML."""


@report_group.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def list_command(fmt: str) -> None:
    """The reports, their audience, schedule and parameters."""
    from workbench.reports.spec import REPORTS

    if fmt == "json":
        echo_json(
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "persona": s.persona,
                    "schedule": s.schedule,
                    "description": s.description,
                    "parameters": [
                        {"name": p.name, "type": p.type, "default": p.default, "help": p.help}
                        for p in s.parameters
                    ],
                }
                for s in REPORTS.values()
            ]
        )
        return
    for spec in REPORTS.values():
        click.echo(f"{spec.name}  ({spec.title}, for {spec.persona}; cron '{spec.schedule}')")
        click.echo(f"    {spec.description}")
        for param in spec.parameters:
            click.echo(f"    -p {param.describe()}")
        click.echo("")


@report_group.command("run")
@click.argument("name")
@click.option(
    "-p",
    "--parameter",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A report parameter (repeatable).",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM-DD",
    help="The date 'today' means for the report.",
)
@click.option("--output", "output", type=click.Path(file_okay=False), default=None,
              help="Output folder (default reports.output_dir or <home>/reports).")  # fmt: skip
@click.option("--s3", "s3", default=None, metavar="s3://bucket/prefix", help="Also upload to S3.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
@handle_errors
def run_command(
    obj: Context, name: str, params: tuple[str, ...], as_of: str | None, output: str | None,
    s3: str | None, fmt: str,
) -> None:  # fmt: skip
    """Execute report NAME with papermill and export HTML without code.

    Bad parameters exit 2 before anything runs; a failing cell exits 1 naming the cell.
    """
    from workbench.reports.runner import run_report
    from workbench.reports.spec import ReportParameterError, parse_assignments

    settings = obj.settings()
    try:
        values = parse_assignments(params)
        if as_of is not None and "as_of" in values:
            raise ReportParameterError("Give the as-of date once: --as-of or -p as_of=, not both.")
        run = run_report(
            name, values, settings=settings, as_of=as_of, output_dir=output, s3_destination=s3
        )
    except ReportParameterError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        echo_json(run.to_dict())
        return
    click.echo(f"Report {run.report} done in {run.duration_s:.1f} s")
    click.echo(f"  notebook: {run.notebook}")
    if run.html:
        click.echo(f"  html:     {run.html}")
    for uri in run.s3_uris:
        click.echo(f"  s3:       {uri}")


@report_group.command("schedule")
@click.option(
    "--install", is_flag=True, help="Install the entries into your crontab (replacing ours only)."
)
@click.option(
    "--write",
    "write",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the entries to this file.",
)
@click.option(
    "--output",
    "output",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the runs write reports.",
)
@click.option("--only", "only", multiple=True, help="Schedule only these reports (repeatable).")
@click.option(
    "--cron", "cron", multiple=True, metavar="NAME=EXPR", help="Override a report's schedule."
)
@click.option("-p", "--parameter", "params", multiple=True, metavar="NAME.KEY=VALUE",
              help="A parameter for one report's runs, e.g. inventory_health.warehouse=WH-EAST.")  # fmt: skip
@click.pass_obj
@handle_errors
def schedule_command(
    obj: Context, install: bool, write: str | None, output: str | None, only: tuple[str, ...],
    cron: tuple[str, ...], params: tuple[str, ...],
) -> None:  # fmt: skip
    """Print (or --install, or --write) crontab entries running the reports, with log files."""
    from workbench.reports.runner import default_output_dir
    from workbench.reports.schedule import crontab_block, install_crontab
    from workbench.reports.spec import REPORTS, ReportParameterError, get_report, parse_assignments

    settings = obj.settings()
    try:
        specs = [get_report(n) for n in only] if only else list(REPORTS.values())
        schedules = parse_assignments(cron)
        per_report: dict[str, dict[str, str]] = {}
        for key, value in parse_assignments(params).items():
            report, dot, param = key.partition(".")
            if not dot:
                raise ReportParameterError(f"'{key}' must name its report: REPORT.KEY=VALUE.")
            get_report(report)
            per_report.setdefault(report, {})[param] = value
        for report in schedules:
            get_report(report)
        block = crontab_block(
            home=settings.home,
            output_dir=Path(output).expanduser().resolve()
            if output
            else default_output_dir(settings),
            log_dir=settings.log_dir,
            reports=specs,
            schedules=schedules,
            parameters=per_report,
            config=Path(obj.config_path).resolve() if obj.config_path else None,
        )
    except ReportParameterError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if write:
        Path(write).write_text(block, encoding="utf-8")
        click.echo(f"Wrote {len(specs)} entries to {write}", err=True)
    if install:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        install_crontab(block)
        click.echo(f"Installed {len(specs)} report entries in your crontab.", err=True)
    if not write and not install:
        click.echo(block, nl=False)
