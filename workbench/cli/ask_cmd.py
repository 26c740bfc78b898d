"""``workbench ask``: a plain-English question answered as one persona."""

from __future__ import annotations

import sys

import click

from workbench.cli.common import Context, cli, echo_json, handle_errors, output_frame
from workbench.data.schema import Persona


@cli.command("ask")
@click.argument("question")
@click.option(
    "--persona",
    "-p",
    required=True,
    type=click.Choice([p.value for p in Persona]),
    help="Whose view of the data to use.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="The date 'today' means (YYYY-MM-DD); default: config as_of or the real date.",
)
@click.option(
    "--session",
    "session_id",
    default=None,
    metavar="ID",
    help="Conversation id, for follow-up questions in one process.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@handle_errors
def ask_command(
    obj: Context, question: str, persona: str, as_of: str | None, session_id: str | None, fmt: str
) -> None:
    """Answer QUESTION with a table and a short sentence (exit 1 when it cannot be answered)."""
    answer = obj.workbench().ask(question, persona, as_of=as_of, session_id=session_id)
    if fmt == "json":
        echo_json(answer.to_dict())
    elif answer.error:
        click.echo(f"Sorry: {answer.error}", err=True)
        if answer.suggestions:
            click.echo("You could ask:", err=True)
            for s in answer.suggestions:
                click.echo(f"  - {s}", err=True)
    else:
        if answer.interpretation is not None:
            click.echo(f"Read as: {answer.interpretation.text}")
        click.echo(answer.answer)
        click.echo("")
        output_frame(answer.frame, "table", decimals=2)
        for note in answer.details.get("notes", []):
            click.echo(f"Note: {note}")
    if answer.error:
        sys.exit(1)
