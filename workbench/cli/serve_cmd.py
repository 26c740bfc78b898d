"""``workbench serve`` (Voila over the dashboards) and ``workbench run`` (first-run setup, then serve)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

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
    from workbench.ui.serve import VoilaServer

    settings = ctx.settings()
    server = VoilaServer.from_settings(
        settings, notebook=notebook, port=port, config_path=ctx.config_path
    )
    if announce:
        _serve_quietly(server, settings, one_time_password)
        return
    click.echo(f"Starting Voila on {server.url} (Ctrl-C to stop)…", nl=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Voila: Ctrl-C, SIGTERM from a supervisor and the exit code go straight to it,
    # and no orphaned server can outlive this command.
    argv = server.argv()
    os.execve(argv[0], argv, server.env())


def _with_progress(label: str, work: Callable[[], Any]) -> Any:
    """Run ``work`` while one line shows what is happening and for how long (a TTY redraws it)."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    tty = sys.stdout.isatty()
    if not tty:
        click.echo(f"{label}…")
    while thread.is_alive():
        thread.join(0.5)
        if tty:
            click.echo(f"\r{label}… {time.monotonic() - started:4.0f} s", nl=False)
    if tty:
        click.echo("")
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _serve_quietly(server: Any, settings: Any, one_time_password: str | None) -> None:
    """Voila in a child whose log goes to a file; the login block is printed once it answers."""
    from workbench.ui.serve import login_instructions

    log_path = settings.log_dir / "voila.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        process = server.start(stdout=log_file, stderr=subprocess.STDOUT)

        def stop(signum: int, _frame: object) -> None:
            process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            _with_progress(
                "Starting the dashboard server", lambda: server.wait_ready(process, timeout=120)
            )
            block = login_instructions(server, settings, one_time_password)
            rule = "=" * 72
            click.echo(
                f"\n{rule}\n{block}\nServer log: {log_path}\nCtrl-C stops the server.\n{rule}"
            )
            process.wait()
        except KeyboardInterrupt:
            click.echo("\nStopping…")
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    if process.returncode not in (0, -signal.SIGTERM, None):
        raise click.ClickException(
            f"The dashboard server stopped (exit code {process.returncode}); see {log_path}."
        )


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
    if not settings.duckdb_path.is_file():
        d = settings.data
        _with_progress(
            f"Generating sample data (scale {d.scale}, seed {d.seed}) into {settings.duckdb_path}",
            lambda: ensure_sample_data(settings),
        )
    one_time_password = ensure_admin_password(settings)
    _serve(ctx, port, notebook, one_time_password, announce=True)
