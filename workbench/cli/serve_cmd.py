"""``workbench serve`` (Voila over the dashboards) and ``workbench run`` (first-run setup, then serve)."""

from __future__ import annotations

import os
import sys

import click

from workbench.cli.common import Context, cli, handle_errors


def _serve(
    ctx: Context,
    port: int | None,
    notebook: str | None,
    one_time_password: str | None,
    *,
    announce: bool,
) -> None:
    from workbench.ui.serve import VoilaServer, login_instructions

    settings = ctx.settings()
    server = VoilaServer.from_settings(
        settings, notebook=notebook, port=port, config_path=ctx.config_path
    )
    if announce:
        click.echo(login_instructions(server, settings, one_time_password))
    click.echo(f"Starting Voila on {server.url} (Ctrl-C to stop)…", nl=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Voila: Ctrl-C, SIGTERM from a supervisor and the exit code go straight to it,
    # and no orphaned server can outlive this command.
    argv = server.argv()
    os.execve(argv[0], argv, server.env())


_port = click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port on 127.0.0.1 (default: serve.port, 8866).",
)
_notebook = click.option(
    "--notebook",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Notebook to serve (default: notebooks/app.ipynb).",
)


@cli.command("serve")
@_port
@_notebook
@click.pass_obj
@handle_errors
def serve(ctx: Context, port: int | None, notebook: str | None) -> None:
    """Serve the dashboards with Voila on 127.0.0.1 (preheated kernels, sources stripped, offline)."""
    _serve(ctx, port, notebook, None, announce=False)


@cli.command("run")
@_port
@_notebook
@click.pass_obj
@handle_errors
def run(ctx: Context, port: int | None, notebook: str | None) -> None:
    """Make sample data if missing, create the admin user on first run, print how to log in, serve."""
    from workbench.data.generator import ensure_sample_data
    from workbench.ui.serve import ensure_admin_password

    settings = ctx.settings()
    click.echo(f"Workbench home: {settings.home}")
    ensure_sample_data(settings)
    one_time_password = ensure_admin_password(settings)
    _serve(ctx, port, notebook, one_time_password, announce=True)
