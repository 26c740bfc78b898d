"""``workbench cost``: what the questions cost (per day, per service, month-end projection);
``workbench cost estimate``: what a workload will cost per month on AWS, before deploying;
``workbench cost reconcile``: the ledger against what AWS reports."""

from __future__ import annotations

import dataclasses
from typing import Any

import click
import pandas as pd

from workbench.cli.common import Context, cli, echo_json, handle_errors, output_frame


@cli.group("cost", invoke_without_command=True)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="Days to report, ending today.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--queries",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Most recent per-question rows to list.",
)
@click.pass_context
def cost_command(ctx: click.Context, days: int, fmt: str, queries: int) -> None:
    """Cost of answered questions: actual spend and the AWS-equivalent of local runs."""
    if ctx.invoked_subcommand is None:
        _report(ctx.obj, days, fmt, queries)


@handle_errors
def _report(obj: Context, days: int, fmt: str, queries: int) -> None:
    from workbench.cost.ledger import CostLedger

    settings = obj.settings()
    ledger = CostLedger(settings.ledger_db_path, cost_settings=settings.cost)
    daily = ledger.daily_totals(days)
    services = ledger.by_service(days)
    projection = ledger.month_end_projection()
    recent = ledger.rows(days, limit=queries) if queries else ledger.rows(days, limit=0)
    if fmt == "json":
        echo_json(
            {
                "days": days,
                "questions": int(daily["questions"].sum()),
                "actual_usd": round(float(daily["actual_usd"].sum()), 6),
                "aws_equivalent_usd": round(float(daily["aws_equivalent_usd"].sum()), 6),
                "daily": daily.to_dict(orient="records"),
                "by_service": services.to_dict(orient="records"),
                "projection": projection.to_dict(),
                "recent": [_recent_record(r) for r in recent.to_dict(orient="records")],
            }
        )
        return
    click.echo(f"Cost of the last {days} day(s) — {int(daily['questions'].sum())} question(s)")
    click.echo(
        f"Actual: ${daily['actual_usd'].sum():.4f}   AWS-equivalent: ${daily['aws_equivalent_usd'].sum():.4f}\n"
    )
    click.echo("By day:")
    output_frame(daily, "table")
    click.echo("\nBy service:")
    output_frame(services, "table")
    click.echo(
        f"\nMonth-end projection ({projection.month_start:%B %Y}, {projection.days_remaining} day(s) left, "
        f"last-{projection.window_days}-day average):"
    )
    click.echo(
        f"  actual: ${projection.month_to_date_actual:.4f} so far -> ${projection.projected_actual:.4f}\n"
        f"  AWS-equivalent: ${projection.month_to_date_aws_equivalent:.4f} so far -> ${projection.projected_aws_equivalent:.4f}"
    )
    if queries:
        click.echo(f"\nLatest {min(queries, len(recent))} question(s):")
        shown = pd.DataFrame(
            {
                "ts": recent["ts"].str.slice(0, 19),
                "persona": recent["persona"],
                "intent": recent["intent"],
                "agent": recent["agent"],
                "rows": recent["rows"],
                "ms": recent["duration_ms"].round(1),
                "cached": recent["cached"],
                "actual_usd": recent["actual_total"].round(6),
                "aws_usd": recent["aws_equivalent_total"].round(6),
                "question": recent["question"].str.slice(0, 60),
            }
        )
        output_frame(shown, "table")


def _recent_record(record: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in record.items() if k != "process_id"}


_SERVICE_LABELS = {
    "athena": "Athena",
    "redshift_serverless": "Redshift Serverless",
    "bedrock": "Bedrock",
    "lambda": "Lambda",
    "sagemaker_notebook": "SageMaker notebook",
}


@cost_command.command("estimate")
@click.option(
    "--settings",
    "source",
    type=click.Choice(["aws-default", "current"]),
    default="aws-default",
    show_default=True,
    help="Price with the AWS configuration template's defaults, or with the current configuration.",
)
@click.option("--personas", type=click.IntRange(min=0), default=3, show_default=True)
@click.option(
    "--questions-per-day",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Questions a day per persona.",
)
@click.option("--working-days", type=click.IntRange(min=0, max=31), default=22, show_default=True)
@click.option(
    "--cache-rate",
    type=click.FloatRange(0, 1),
    default=0.30,
    show_default=True,
    help="Share of questions answered from the cache.",
)
@click.option(
    "--tool-rate",
    type=click.FloatRange(0, 1),
    default=0.20,
    show_default=True,
    help="Share of questions that need an optimization tool (Lambda).",
)
@click.option(
    "--backend",
    type=click.Choice(["athena", "redshift"]),
    default=None,
    help="Backend of the total line; default: the configured one.",
)
@click.option(
    "--llm-share",
    type=click.FloatRange(0, 1),
    default=None,
    help="Share of cache misses that reach the LLM; default: from planner.mode (auto: 0.25).",
)
@click.option("--model", "model_id", default=None, help="Bedrock model or inference profile id.")
@click.option(
    "--notebook-hours",
    type=click.FloatRange(0, 24),
    default=None,
    help="Hours a working day the notebook instance runs (cost.sagemaker_hours_per_day).",
)
@click.option(
    "--always-on/--no-always-on",
    default=None,
    help="The notebook instance runs around the clock (cost.sagemaker_always_on).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@handle_errors
def estimate_command(
    obj: Context,
    source: str,
    personas: int,
    questions_per_day: int,
    working_days: int,
    cache_rate: float,
    tool_rate: float,
    backend: str | None,
    llm_share: float | None,
    model_id: str | None,
    notebook_hours: float | None,
    always_on: bool | None,
    fmt: str,
) -> None:
    """Monthly AWS bill of a workload, per service and per question, for both backends.

    With no options: the reference workload (3 personas x 50 questions a day, 22 working
    days, 30% cache hits, 20% needing a tool) on the AWS configuration template.
    """
    from workbench.cost.estimate import Workload, aws_default_settings, compare, estimate

    settings = aws_default_settings(obj.home) if source == "aws-default" else obj.settings()
    overrides: dict[str, object] = {}
    if notebook_hours is not None:
        overrides["sagemaker_hours_per_day"] = notebook_hours
    if always_on is not None:
        overrides["sagemaker_always_on"] = always_on
    if overrides:
        settings = settings.model_copy(update={"cost": settings.cost.model_copy(update=overrides)})
    workload = Workload(
        personas=personas,
        questions_per_day=questions_per_day,
        working_days=working_days,
        cache_hit_rate=cache_rate,
        tool_rate=tool_rate,
        llm_share=llm_share,
        model_id=model_id,
    )
    result = compare(settings, workload)
    chosen = (
        estimate(settings, workload, backend=backend)  # type: ignore[arg-type]
        if backend
        else result["configured"]
    )
    backends = result["backends"]
    if fmt == "json":
        echo_json(
            {
                "workload": dataclasses.asdict(workload),
                "backends": {b: e.to_dict() for b, e in backends.items()},
                "llm_options": result["llm_options"],
                "total": chosen.to_dict(),
                "total_per_month": round(chosen.total, 2),
            }
        )
        return
    model = model_id or settings.planner.bedrock.model_id
    click.echo(
        f"Monthly estimate: {workload.personas} persona(s) x {workload.questions_per_day} questions a day, "
        f"{workload.working_days} working days ({workload.questions_per_month:,} questions), "
        f"{workload.cache_hit_rate:.0%} cache hits, {workload.tool_rate:.0%} needing a tool"
    )
    click.echo(
        f"Settings: {'AWS configuration template' if source == 'aws-default' else 'current configuration'}; "
        f"planner {settings.planner.mode}, model {model}; Redshift at {settings.cost.redshift_base_rpus} RPU; "
        f"notebook {'always on' if settings.cost.sagemaker_always_on else f'{settings.cost.sagemaker_hours_per_day:g} h a working day'}\n"
    )
    from workbench.cost.pricing import SERVICES

    found = {s for e in backends.values() for s in e.by_service}
    order = ("athena", "redshift_serverless", *SERVICES)
    services = [s for s in dict.fromkeys(order) if s in found]
    rows = [
        {
            "service": _SERVICE_LABELS.get(s, s),
            **{f"{b} (USD)": round(e.by_service.get(s, 0.0), 2) for b, e in backends.items()},
        }
        for s in services
    ]
    rows.append(
        {"service": "total", **{f"{b} (USD)": round(e.total, 2) for b, e in backends.items()}}
    )
    rows.append(
        {
            "service": "per question",
            **{f"{b} (USD)": round(e.per_question, 4) for b, e in backends.items()},
        }
    )
    output_frame(pd.DataFrame(rows), "table")
    redshift = backends.get("redshift")
    if redshift is not None:
        click.echo(f"\nRedshift Serverless: {redshift.redshift_rpu_hours:,.1f} RPU-hours a month.")
    click.echo("\nLLM options (total per month, USD):")
    output_frame(
        pd.DataFrame(
            [
                {
                    "option": r["option"],
                    "model": r["model_id"] if r["share"] else "-",
                    **{b: round(float(r[b]), 2) for b in backends},
                }
                for r in result["llm_options"]
            ]
        ),
        "table",
    )
    for note in {n for e in [*backends.values(), chosen] for n in e.notes}:
        click.echo(f"\nNote: {note}")
    click.echo(f"\nConfigured backend: {chosen.backend}")
    click.echo(f"total per month: ${chosen.total:.2f}")


@cost_command.command("reconcile")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="Days to compare, ending today.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@handle_errors
def reconcile_command(obj: Context, days: int, fmt: str) -> None:
    """Compare the ledger with what AWS reports (Redshift charged seconds, Athena bytes scanned)."""
    from workbench.cost.ledger import CostLedger
    from workbench.cost.reconcile import reconcile

    settings = obj.settings()
    ledger = CostLedger(settings.ledger_db_path, cost_settings=settings.cost)
    lines = reconcile(ledger, settings, days=days)
    if fmt == "json":
        echo_json({"days": days, "services": [line.to_dict() for line in lines]})
        return
    click.echo(f"Ledger against AWS, last {days} day(s) (difference = AWS - ledger):")
    if days > 7 and any(line.service == "redshift_serverless" for line in lines):
        click.echo(
            "Note: SYS_SERVERLESS_USAGE keeps 7 days; older Redshift usage shows as a difference."
        )
    output_frame(
        pd.DataFrame(
            [
                {
                    "service": line.service,
                    "unit": line.unit,
                    "ledger": round(line.ledger_units, 1),
                    "aws": round(line.aws_units, 1),
                    "difference": round(line.difference_units, 1),
                    "ledger_usd": round(line.ledger_usd, 6),
                    "aws_usd": round(line.aws_usd, 6),
                    "difference_usd": round(line.difference_usd, 6),
                    "items": line.items,
                    "missing": line.missing,
                }
                for line in lines
            ]
        ),
        "table",
    )
    for line in lines:
        verdict = "matches" if abs(line.difference_usd) < 1e-6 else "differs by"
        amount = (
            ""
            if verdict == "matches"
            else f" ${line.difference_usd:+.6f} ({line.difference_units:+,.1f} {line.unit})"
        )
        click.echo(f"{line.service}: the ledger {verdict} AWS{amount}")
