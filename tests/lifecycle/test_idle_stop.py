"""lifecycle/idle_stop.py: when the notebook instance stops itself."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def idle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("idle_stop", ROOT / "lifecycle" / "idle_stop.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _api(last: str, kernels: list[dict[str, Any]]) -> Any:
    return lambda path: {"/api/status": {"last_activity": last}, "/api/kernels": kernels}[path]


def _run(
    idle: ModuleType, tmp_path: Path, minutes: str, last: str, kernels: list[dict[str, Any]]
) -> list[str]:
    meta = tmp_path / "resource-metadata.json"
    meta.write_text(json.dumps({"ResourceName": "workbench-notebook"}))
    stopped: list[str] = []
    assert (
        idle.main(
            ["--minutes", minutes],
            get=_api(last, kernels),
            stop=stopped.append,
            now=NOW,
            metadata=str(meta),
        )
        == 0
    )
    return stopped


def test_stops_after_the_idle_minutes(idle: ModuleType, tmp_path: Path) -> None:
    assert _run(idle, tmp_path, "60", "2026-06-30T10:59:00Z", []) == ["workbench-notebook"]


def test_keeps_running_when_recently_active(idle: ModuleType, tmp_path: Path) -> None:
    kernels = [{"execution_state": "idle", "last_activity": "2026-06-30T11:30:00Z"}]
    assert _run(idle, tmp_path, "60", "2026-06-30T09:00:00Z", kernels) == []


def test_a_busy_kernel_is_never_idle(idle: ModuleType, tmp_path: Path) -> None:
    kernels = [{"execution_state": "busy", "last_activity": "2026-06-30T01:00:00Z"}]
    assert _run(idle, tmp_path, "60", "2026-06-30T01:00:00Z", kernels) == []


def test_zero_minutes_never_stops(idle: ModuleType, tmp_path: Path) -> None:
    assert _run(idle, tmp_path, "0", "2026-06-01T00:00:00Z", []) == []
