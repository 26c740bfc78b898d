"""The Voila command: real option names, loopback only, offline template, first-run login text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.core.config import load_settings
from workbench.ui.serve import (
    TEMPLATE_NAME,
    TEMPLATE_ROOT,
    VoilaServer,
    ensure_admin_password,
    login_instructions,
    project_notebooks_dir,
)

NOTEBOOKS = project_notebooks_dir()


@pytest.fixture
def server(tmp_path: Path) -> VoilaServer:
    (tmp_path / "config.yaml").write_text(
        "serve:\n  port: 9123\n  preheat_kernels: 2\n  cull_idle_seconds: 600\n", encoding="utf-8"
    )
    return VoilaServer.from_settings(load_settings(home=tmp_path))


def test_argv_binds_loopback_preheats_culls_and_strips_sources(server: VoilaServer) -> None:
    argv = server.argv()
    assert argv[:4] == [sys.executable, "-m", "voila", str(NOTEBOOKS / "app.ipynb")]
    for option in (
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--Voila.port=9123",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=2",
        "--MappingKernelManager.cull_idle_timeout=600",
        f"--VoilaConfiguration.template={TEMPLATE_NAME}",
        "--VoilaConfiguration.show_tracebacks=False",
    ):
        assert option in argv
    assert server.url == "http://127.0.0.1:9123/"
    env = server.env({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(":") == [str(TEMPLATE_ROOT), "/elsewhere"]
    assert env["WORKBENCH_HOME"] == str(server.home)


def test_every_option_is_a_real_voila_option(server: VoilaServer) -> None:
    """Guards against typos: a misspelt traitlets option is silently ignored by Voila."""
    help_text = subprocess.run(
        [sys.executable, "-m", "voila", "--help-all"], capture_output=True, text=True, check=True
    ).stdout
    for option in server.argv()[4:]:
        name = option.split("=", 1)[0]
        if name.startswith("--MappingKernelManager."):
            continue  # jupyter_server's kernel manager, configured through Voila's config loader
        assert re.search(re.escape(name) + r"\b", help_text), name


def test_preheat_and_culling_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "serve:\n  preheat_kernels: 0\n  cull_idle_seconds: 0\n", encoding="utf-8"
    )
    argv = VoilaServer.from_settings(load_settings(home=tmp_path)).argv()
    assert "--VoilaConfiguration.preheat_kernel=False" in argv
    assert not any("cull" in a for a in argv)


def test_template_has_no_internet_asset() -> None:
    template_dir = TEMPLATE_ROOT / "voila" / "templates" / TEMPLATE_NAME
    assert json.loads((template_dir / "conf.json").read_text())["base_template"] == "lab"
    text = (template_dir / "index.html.j2").read_text()
    assert "http://" not in text and "https://" not in text


def test_notebooks_are_thin_shells_without_outputs() -> None:
    import nbformat

    paths = [NOTEBOOKS / "app.ipynb", *sorted((NOTEBOOKS / "dashboards").glob("*.ipynb"))]
    assert [p.stem for p in paths[1:]] == [
        "field_engineer",
        "procurement_specialist",
        "warehouse_manager",
    ]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", [])
        assert sum(len(c.source.splitlines()) for c in code) <= 10
        assert all(not c.outputs and c.execution_count is None for c in code)
        assert "voila/render" not in "".join(c.source for c in code)  # no URL prefix assumed


def test_first_run_creates_admin_and_says_how_to_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_ADMIN_PASSWORD", raising=False)
    (tmp_path / "config.yaml").write_text("auth:\n  bcrypt_rounds: 4\n", encoding="utf-8")
    settings = load_settings(home=tmp_path)
    server = VoilaServer.from_settings(settings)
    password = ensure_admin_password(settings)
    assert password
    text = login_instructions(server, settings, password)
    assert "admin" in text and password in text and server.url in text
    assert ensure_admin_password(settings) is None  # only once
    assert password not in login_instructions(server, settings, None)


def test_serve_and_run_commands_are_registered() -> None:
    from workbench.cli import _register, cli

    _register()
    runner = CliRunner()
    for command in ("serve", "run"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "--port" in result.output


@pytest.mark.slow
def test_workbench_run_makes_data_creates_admin_prints_login_and_serves(tmp_path: Path) -> None:
    """``workbench run`` end to end, as ``make run`` calls it (tiny data to stay fast)."""
    import os
    import socket
    import time
    import urllib.request

    from workbench.ui.serve import READY_PATH

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "config.yaml").write_text(
        "data:\n  scale: tiny\nauth:\n  bcrypt_rounds: 4\nserve:\n  preheat_kernels: 0\n",
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"WORKBENCH_ADMIN_PASSWORD", "WORKBENCH_CONFIG"}
    }
    env["WORKBENCH_HOME"] = str(tmp_path)
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from workbench.cli import main; main()",
                "run",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and process.poll() is None and not ready:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/{READY_PATH}", timeout=2
                ) as response:
                    ready = response.status == 200
            except OSError:
                time.sleep(0.3)
        # The login block follows the server being ready.
        while time.monotonic() < deadline and "Ctrl-C stops" not in log_path.read_text():
            time.sleep(0.2)
        output = log_path.read_text()
        assert ready, output
        assert (tmp_path / "data" / "warehouse.duckdb").is_file()
        assert "Generating sample data (scale tiny" in output
        assert f"Open the dashboards:  http://127.0.0.1:{port}/" in output, output
        assert re.search(r"Log in as: +admin", output), output
        # Quiet: Voila's own log goes to a file, not the terminal.
        assert "[Voila]" not in output and (tmp_path / "logs" / "voila.log").is_file()
        password = re.search(r"One-time password: +(\S+)", output)
        assert password is not None, output
        from workbench.auth import AuthService

        session = AuthService(load_settings(home=tmp_path)).login("admin", password.group(1))
        assert session.is_admin and session.must_change_password
    finally:
        process.terminate()
        process.wait(timeout=30)
