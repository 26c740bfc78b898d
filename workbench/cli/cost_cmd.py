"""``workbench cost``: what the questions cost, per day and per service, and the month-end projection."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from workbench.cli.common import Context, cli, echo_json, handle_errors, output_frame


@cli.command("cost")
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
@click.pass_obj
@handle_errors
def cost_command(obj: Context, days: int, fmt: str, queries: int) -> None:
    """Cost of answered questions: actual spend and the AWS-equivalent of local runs."""
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
