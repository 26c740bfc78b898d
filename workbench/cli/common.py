"""Shared CLI plumbing: the root group, global options and user-facing error output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import pandas as pd

from workbench.core.errors import ConfigError, WorkbenchError

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None, home: str | None) -> None:
        self.config_path = config
        self.home = home
        self._workbench: Any = None

    def settings(self) -> Any:
        from workbench.core.config import load_settings

        return load_settings(self.config_path, home=self.home)

    def workbench(self, **overrides: Any) -> Any:
        if self._workbench is None:
            from workbench.app import Workbench

            settings = self.settings()
            if overrides:
                settings = settings.replace(**overrides)
            self._workbench = Workbench(config=settings)
        return self._workbench


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: $WORKBENCH_CONFIG, then $WORKBENCH_HOME/config.yaml).",
)
@click.option(
    "--home",
    "home",
    type=click.Path(file_okay=False),
    default=None,
    envvar="WORKBENCH_HOME",
    help="Where local state lives (default: $WORKBENCH_HOME or ~/.workbench).",
)
@click.version_option(package_name="workbench")
@click.pass_context
def cli(ctx: click.Context, config: str | None, home: str | None) -> None:
    """Supply-chain analytics workbench."""
    ctx.obj = Context(config, home)


def handle_errors(fn: F) -> F:
    """Print a WorkbenchError as a short message (exit 1) instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except WorkbenchError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def output_frame(frame: pd.DataFrame, fmt: str, *, decimals: int | None = None) -> None:
    """Write a DataFrame to stdout as an aligned table, JSON records or CSV.

    ``decimals`` rounds float cells of the *table* only (with thousands separators): answer
    frames hold exact values, and JSON / CSV must keep them.
    """
    if fmt == "json":
        click.echo(frame.to_json(orient="records", date_format="iso", default_handler=str))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        if frame.empty:
            click.echo("(no rows)")
        else:
            with pd.option_context(
                "display.max_rows", 200, "display.max_columns", 50, "display.width", 200
            ):
                float_format = None if decimals is None else f"{{:,.{decimals}f}}".format
                click.echo(frame.to_string(index=False, float_format=float_format))


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, default=str))


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
