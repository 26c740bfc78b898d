"""Serve the dashboards with Voila: the command line, its environment, and the first-run setup.

Every Voila behaviour we rely on is an explicit option here (Voila 0.5 names, checked with
``voila --help-all``): bound to loopback, sources stripped, a pool of preheated kernels
per notebook, idle kernels culled, tracebacks hidden, and our ``workbench`` template,
which drops the CDN links of Voila's lab template so nothing is fetched from the internet.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core import present
from workbench.core.config import Settings
from workbench.core.errors import ConfigError, WorkbenchError

#: Where the ``workbench`` Voila template lives (added to ``JUPYTER_PATH`` for the server).
TEMPLATE_ROOT = Path(__file__).parent / "voila_share"
TEMPLATE_NAME = "workbench"
#: A static file Voila serves once it is up.
READY_PATH = "voila/static/materialcolors.css"
#: What Voila logs when a notebook's pool of preheated kernels is full.
POOL_FILLED_MESSAGE = "Kernel pool of"
#: Seconds between two checks for idle kernels.
CULL_INTERVAL_SECONDS = 60


def project_notebooks_dir() -> Path:
    """``notebooks/`` of the source checkout (the app and the per-persona dashboards)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


@dataclass(frozen=True)
class VoilaServer:
    """How to start Voila for one notebook; :meth:`argv` and :meth:`env` are pure."""

    notebook: Path
    host: str = "127.0.0.1"
    port: int = 8866
    preheat_kernels: int = 3
    cull_idle_seconds: int = 1800
    home: Path | None = None
    config_path: Path | None = None
    extra_args: tuple[str, ...] = field(default=())

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        notebook: str | os.PathLike[str] | None = None,
        port: int | None = None,
        config_path: str | os.PathLike[str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> VoilaServer:
        path = Path(notebook) if notebook else project_notebooks_dir() / "app.ipynb"
        if not path.is_file():
            raise ConfigError(f"Notebook {path} does not exist.", key="notebook")
        return cls(
            notebook=path.resolve(),
            host=settings.serve.host,
            port=port or settings.serve.port,
            preheat_kernels=settings.serve.preheat_kernels,
            cull_idle_seconds=settings.serve.cull_idle_seconds,
            home=Path(settings.home),
            config_path=Path(config_path).resolve() if config_path else None,
            extra_args=tuple(extra_args),
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def argv(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "voila",
            str(self.notebook),
            "--no-browser",
            f"--Voila.ip={self.host}",
            f"--Voila.port={self.port}",
            "--Voila.port_retries=0",
            "--VoilaConfiguration.strip_sources=True",
            "--VoilaConfiguration.show_tracebacks=False",
            f"--VoilaConfiguration.template={TEMPLATE_NAME}",
            f"--Voila.root_dir={self.notebook.parent}",
        ]
        if self.preheat_kernels > 0:
            args += [
                "--VoilaConfiguration.preheat_kernel=True",
                f"--VoilaConfiguration.default_pool_size={self.preheat_kernels}",
            ]
        else:
            args += ["--VoilaConfiguration.preheat_kernel=False"]
        if self.cull_idle_seconds > 0:
            # A dashboard tab left open keeps its websocket; cull_connected lets an idle one go
            # too (its login session expires after the same kind of idle period anyway).
            args += [
                f"--MappingKernelManager.cull_idle_timeout={self.cull_idle_seconds}",
                f"--MappingKernelManager.cull_interval={min(CULL_INTERVAL_SECONDS, self.cull_idle_seconds)}",
                "--MappingKernelManager.cull_connected=True",
            ]
        return args + list(self.extra_args)

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        paths = [
            str(TEMPLATE_ROOT),
            *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p],
        ]
        env["JUPYTER_PATH"] = os.pathsep.join(paths)
        if self.home is not None:
            env["WORKBENCH_HOME"] = str(self.home)
        if self.config_path is not None:
            env["WORKBENCH_CONFIG"] = str(self.config_path)
        # Kernels must never reach for a display or the network.
        env.setdefault("MPLBACKEND", "Agg")
        return env

    def start(
        self, *, stdout: int | None = None, stderr: int | None = None
    ) -> subprocess.Popen[bytes]:
        """Start Voila in the background (the caller stops it with ``terminate()``)."""
        return subprocess.Popen(
            self.argv(), env=self.env(), stdout=stdout, stderr=stderr, start_new_session=True
        )

    def wait_ready(
        self, process: subprocess.Popen[bytes] | None = None, *, timeout: float = 60.0
    ) -> None:
        """Block until the server answers, or raise with what went wrong."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise WorkbenchError(
                    "The dashboard server stopped while starting.",
                    detail=f"exit code {process.returncode}",
                )
            try:
                # A static file: asking for the page itself would use up a preheated kernel.
                with urllib.request.urlopen(self.url + READY_PATH, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = exc
            time.sleep(0.2)
        raise WorkbenchError(
            f"The dashboard server did not answer at {self.url} within {present.number(round(timeout))} s.",
            detail=repr(last),
        )


def ensure_admin_password(settings: Settings) -> str | None:
    """Create the admin user on first run; the generated one-time password, or None."""
    from workbench.auth import ensure_admin

    password: str | None = ensure_admin(settings)
    return password


def login_instructions(
    server: VoilaServer, settings: Settings, one_time_password: str | None
) -> str:
    """What ``workbench run`` prints so a first-time user can log in."""
    user = settings.auth.admin_username
    lines = [f"Open the dashboards:  {server.url}", f"Log in as:            {user}"]
    if one_time_password:
        lines += [
            f"One-time password:    {one_time_password}",
            "(shown only now; the dashboard asks you to choose a new one at the first login)",
        ]
    elif os.environ.get("WORKBENCH_ADMIN_PASSWORD"):
        lines.append("Password:             the one in $WORKBENCH_ADMIN_PASSWORD")
    else:
        lines.append(
            "Password:             the one printed on the first run "
            f"(forgotten? `workbench users passwd {user}`)"
        )
    lines.append("More users:           `workbench users add NAME --persona PERSONA`")
    return "\n".join(lines)


__all__ = [
    "POOL_FILLED_MESSAGE",
    "READY_PATH",
    "TEMPLATE_NAME",
    "TEMPLATE_ROOT",
    "VoilaServer",
    "ensure_admin_password",
    "login_instructions",
    "project_notebooks_dir",
]
