"""Packaging: the console script exists and works, the public API imports, imports stay lazy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Heavy or optional libraries that must load only when a feature needs them.
HEAVY = ("boto3", "botocore", "awswrangler", "ortools", "statsmodels", "matplotlib", "moto")


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_HOME"] = str(tmp_path / "home")
    return env


def test_console_script_lists_the_commands(tmp_path: Path) -> None:
    script = BIN / "workbench"
    assert script.is_file(), f"console script missing at {script}; run `make install`"
    assert ROOT / ".venv" in script.parents or os.environ.get("VIRTUAL_ENV"), script
    result = subprocess.run(
        [str(script), "--help"],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    commands = result.stdout.split("Commands:", 1)[1]
    listed = {line.split()[0] for line in commands.splitlines() if line.strip()}
    assert {"config", "sql", "data"} <= listed, listed
    assert "Traceback" not in result.stderr


def test_console_script_version_and_usage_error(tmp_path: Path) -> None:
    script = str(BIN / "workbench")
    version = subprocess.run(
        [script, "--version"], capture_output=True, text=True, env=_clean_env(tmp_path), timeout=120
    )
    assert version.returncode == 0 and "0.1.0" in version.stdout
    bad = subprocess.run(
        [script, "no-such-command"],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path),
        timeout=120,
    )
    assert bad.returncode == 2 and "No such command" in bad.stderr


def _modules_after(code: str, tmp_path: Path) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path),
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_public_api_imports(tmp_path: Path) -> None:
    code = (
        "from workbench import Workbench, WorkbenchError\n"
        "import workbench\n"
        "assert workbench.__all__ == ['Workbench', 'WorkbenchError']\n"
        "wb = Workbench(home=r'%s')\n"
        "assert wb.settings.warehouse.backend == 'duckdb'\n" % (tmp_path / "h")
    )
    assert _modules_after(code, tmp_path) == []


@pytest.mark.parametrize(
    "code",
    [
        "import workbench",
        "import workbench.core, workbench.warehouse, workbench.data.schema",
        "from workbench.warehouse import available_warehouses; available_warehouses()",
        "import workbench.cli; workbench.cli._register()",
    ],
)
def test_imports_stay_lazy(tmp_path: Path, code: str) -> None:
    loaded = _modules_after(code, tmp_path)
    assert loaded == [], (
        f"`{code}` imported {loaded}; import them inside the function that needs them"
    )


def test_every_package_names_its_public_surface() -> None:
    missing = []
    for init in (ROOT / "workbench").rglob("__init__.py"):
        text = init.read_text(encoding="utf-8")
        if "__all__" not in text:
            missing.append(str(init.relative_to(ROOT)))
    assert not missing, f"__init__.py without __all__: {missing}"
