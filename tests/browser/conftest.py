"""A real Voila server over a copy of the small sample home, and headless Debian Chromium.

The server is started once per session on a free 127.0.0.1 port with preheated kernels,
exactly as ``workbench serve`` starts it, and stopped at the end. Test users are created
through the auth API. Every request the browser makes is recorded so tests can prove that
nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from workbench.core.config import load_settings
from workbench.ui.serve import POOL_FILLED_MESSAGE, VoilaServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "browser-test-pass-1"
#: Generous: the machine has 2 cores shared with other test workers.
WAIT_MS = 60_000
USERS = {
    # Only two personas: the picker must not offer the third.
    "picker": ["warehouse_manager", "procurement_specialist"],
    "analyst": ["warehouse_manager", "field_engineer", "procurement_specialist"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    server: VoilaServer
    process: subprocess.Popen[bytes]
    log_path: Path
    home: Path

    @property
    def url(self) -> str:
        return self.server.url

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_pool_filled(self, timeout: float = 90.0) -> None:
        """Wait until Voila reports its preheated kernel pool full (page loads are then fast)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if POOL_FILLED_MESSAGE in self.log():
                return
            time.sleep(0.25)
        raise AssertionError(
            f"Preheated kernel pool not ready in {timeout:.0f} s:\n{self.log()[-3000:]}"
        )


def prepare_home(source: Path, target: Path) -> Path:
    """A writable copy of the sample home with fast password hashing and the test users."""
    from workbench.auth import UserStore

    shutil.copytree(source, target)
    config = target / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "auth:\n  bcrypt_rounds: 4\n", encoding="utf-8"
    )
    settings = load_settings(home=target)
    store = UserStore(settings)
    for username, personas in USERS.items():
        store.add_user(username, PASSWORD, personas=personas)
    return target


def start_server(home: Path, *, log_path: Path, preheat: int = 1) -> RunningServer:
    settings = load_settings(home=home)
    server = VoilaServer.from_settings(settings, port=free_port())
    server = dataclasses.replace(server, preheat_kernels=preheat)
    log_file = log_path.open("wb")
    process = server.start(stdout=log_file, stderr=subprocess.STDOUT)
    running = RunningServer(server, process, log_path, home)
    try:
        server.wait_ready(process, timeout=90)
    except Exception:
        stop_server(running)
        raise AssertionError(f"Voila did not start:\n{running.log()[-3000:]}") from None
    return running


def stop_server(running: RunningServer) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="session")
def voila_server(
    sample_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (make test installs it via scripts/install-system-deps.sh)"
        )
    home = prepare_home(sample_home, tmp_path_factory.mktemp("browser") / "home")
    running = start_server(home, log_path=home / "voila.log")
    try:
        running.wait_pool_filled()
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (make test installs it via scripts/install-system-deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class RequestLog:
    urls: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests that left 127.0.0.1 (data: URIs and blobs stay in the page)."""
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in {"data", "blob", "about"}:
                continue
            if parsed.hostname not in {"127.0.0.1", "localhost"}:
                out.append(url)
        return out


@pytest.fixture
def page(browser: object, voila_server: RunningServer) -> Iterator[tuple[object, RequestLog]]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    requests = RequestLog()
    context.on("request", lambda request: requests.urls.append(request.url))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        yield page, requests
    finally:
        context.close()
