"""lifecycle/on-create.sh and on-start.sh in a sandbox laid out like a SageMaker notebook instance.

``WB_ROOT`` puts ``/home/ec2-user/...`` under a temporary directory; stand-ins for ``sudo``,
``systemctl``, ``conda``, ``pip``, ``aws``, ``crontab`` and ``chown`` on ``PATH`` record every
call (and do the little a later step reads: ``conda create`` makes an environment whose
``workbench`` is the real CLI, ``aws s3 cp`` copies the source bundle, ``crontab`` keeps a
file). The scripts run exactly as rendered by the stack (settings block + body). A second
run must change nothing; a simulated stop/start (everything outside ~/SageMaker gone) must
restore the kernel, Voila and the crontab without rebuilding the environment.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra"))
from workbench_infra import lifecycle  # noqa: E402

SOURCE_HASH = "0123abcd" * 8
SETTINGS = {
    "WB_SOURCE_URI": "s3://cdk-assets-123456789012-us-east-1/source.zip",
    "WB_SOURCE_HASH": SOURCE_HASH,
    "WB_REGION": "us-east-1",
    "WB_WAREHOUSE_BACKEND": "redshift",
    "WB_REDSHIFT_WORKGROUP": "workbench-wg",
    "WB_REDSHIFT_DATABASE": "dev",
    "WB_GLUE_DATABASE": "workbench",
    "WB_ATHENA_WORKGROUP": "workbench-athena",
    "WB_BUCKET": "workbench-123456789012-us-east-1",
    "WB_INVENTORY_FUNCTION": "workbench-inventory-optimizer",
    "WB_LOGISTICS_FUNCTION": "workbench-logistics-optimizer",
    "WB_SUPPLIER_FUNCTION": "workbench-supplier-analyzer",
    "WB_COPY_ROLE_ARN": "arn:aws:iam::123456789012:role/workbench-redshift-copy-us-east-1",
    "WB_PLANNER_MODE": "auto",
    "WB_IDLE_STOP_MINUTES": "60",
    "WB_INVOKER_TIMEOUT": "60",
    "WB_LAMBDA_MEMORY_MB": "1024",
}

STANDINS = {
    # sudo -u USER -- CMD...: run CMD as ourselves.
    "sudo": """#!/bin/bash
echo "sudo $*" >>"$WB_CALLS"
while [ $# -gt 0 ]; do case "$1" in -u) shift 2;; --) shift; break;; -*) shift;; *) break;; esac; done
exec "$@"
""",
    "systemctl": '#!/bin/bash\necho "systemctl $*" >>"$WB_CALLS"\n',
    "chown": '#!/bin/bash\necho "chown $*" >>"$WB_CALLS"\n',
    "conda": """#!/bin/bash
echo "conda $*" >>"$WB_CALLS"
prefix=""; while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix="$2"; shift; done
mkdir -p "$prefix/bin"
ln -sf "$WB_REAL_PYTHON" "$prefix/bin/python"
ln -sf "$WB_REAL_WORKBENCH" "$prefix/bin/workbench"
ln -sf "$WB_STANDIN_DIR/pip" "$prefix/bin/pip"
""",
    # pip: records installs; `show voila` answers from what was installed in this prefix.
    "pip": """#!/bin/bash
state="$(dirname "$0")/../.pip-installed"
echo "pip($(cd "$(dirname "$0")/.." && pwd)) $*" >>"$WB_CALLS"
if [ "$1" = show ]; then
  v="$(sed -n "s/^$2==//p" "$state" 2>/dev/null | tail -1)"
  [ -n "$v" ] || exit 1
  printf 'Name: %s\\nVersion: %s\\n' "$2" "$v"; exit 0
fi
if [ "$1" = install ]; then for a in "$@"; do case "$a" in *==*) echo "$a" >>"$state";; esac; done; fi
""",
    "aws": """#!/bin/bash
echo "aws $*" >>"$WB_CALLS"
[ "$1 $2" = "s3 cp" ] || exit 2
cp "$WB_SOURCE_ZIP" "${@: -1}"
""",
    "crontab": """#!/bin/bash
f="$WB_CRONTAB"
if [ "$1" = -l ]; then [ -f "$f" ] || { echo "no crontab for $USER" >&2; exit 1; }; cat "$f"; exit 0; fi
echo "crontab $*" >>"$WB_CALLS"
[ "$1" = - ] && cat >"$f"
""",
}


class Sandbox:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "root"
        self.bin = base / "bin"
        self.calls = base / "calls.log"
        self.crontab = base / "crontab"
        self.sm = self.root / "home/ec2-user/SageMaker"
        self.jse = self.root / "home/ec2-user/anaconda3/envs/JupyterSystemEnv"
        self.bin.mkdir(parents=True)
        for name, text in STANDINS.items():
            path = self.bin / name
            path.write_text(text)
            path.chmod(0o755)
        self.lay_out_instance()
        self.source_zip = base / "source.zip"
        with zipfile.ZipFile(self.source_zip, "w") as zf:
            for rel in ("pyproject.toml", "lifecycle/idle_stop.py", "requirements/run.lock"):
                zf.write(ROOT / rel, rel)

    def lay_out_instance(self) -> None:
        """What a fresh boot has outside ~/SageMaker: JupyterSystemEnv with its pip."""
        (self.jse / "bin").mkdir(parents=True, exist_ok=True)
        pip = self.jse / "bin/pip"
        if not pip.exists():
            pip.symlink_to(self.bin / "pip")
        self.sm.mkdir(parents=True, exist_ok=True)

    def stop_and_start(self) -> None:
        """A stop wipes everything but ~/SageMaker (and the crontab)."""
        for path in self.root.iterdir():
            if path.name != "home":
                shutil.rmtree(path)
        home = self.root / "home/ec2-user"
        for path in home.iterdir():
            if path.name != "SageMaker":
                shutil.rmtree(path)
        self.crontab.unlink(missing_ok=True)
        self.lay_out_instance()

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        text = lifecycle.render(lifecycle.read_script(ROOT, f"{script}.sh"), SETTINGS)
        path = self.base / f"{script}.rendered.sh"
        path.write_text(text)
        env = {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "HOME": str(self.base),
            "WB_ROOT": str(self.root),
            "WB_CALLS": str(self.calls),
            "WB_CRONTAB": str(self.crontab),
            "WB_SOURCE_ZIP": str(self.source_zip),
            "WB_STANDIN_DIR": str(self.bin),
            "WB_REAL_PYTHON": sys.executable,
            "WB_REAL_WORKBENCH": str(Path(sys.executable).with_name("workbench")),
        }
        result = subprocess.run(
            ["bash", str(path)], env=env, capture_output=True, text=True, timeout=240, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def wait_for_setup(self, timeout: float = 180) -> None:
        done = self.sm / ".workbench/setup.done"
        deadline = time.monotonic() + timeout
        while not done.exists():
            log = self.sm / ".workbench/logs/setup.log"
            assert time.monotonic() < deadline, log.read_text() if log.exists() else "no log"
            time.sleep(0.2)
        time.sleep(0.2)  # the background shell exits right after touching the marker

    def call_lines(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def snapshot(self) -> dict[str, str]:
        out = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(self.root))] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
        if self.crontab.exists():
            out["<crontab>"] = hashlib.sha256(self.crontab.read_bytes()).hexdigest()
        return out


CHANGING = ("aws s3 cp", "conda create", " install", "crontab -", "systemctl")


def _changing(lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if any(word in line for word in CHANGING) and not line.startswith("sudo")
    ]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    if shutil.which("unzip") is None:
        pytest.fail("unzip is missing: run scripts/install-system-deps.sh")
    box = Sandbox(tmp_path_factory.mktemp("sagemaker"))
    box.run("on-create")
    started = box.run("on-start")
    assert "building the environment in the background" in started.stdout
    box.wait_for_setup()
    return box


def test_first_boot_lays_out_the_persistent_environment(sandbox: Sandbox) -> None:
    sm = sandbox.sm
    assert (sm / "workbench/lifecycle/idle_stop.py").is_file()
    assert (sm / ".workbench/source.hash").read_text().strip() == SOURCE_HASH
    assert (sm / ".workbench/env.hash").read_text().strip() == SOURCE_HASH
    calls = sandbox.call_lines()
    env = sm / "envs/workbench"
    assert [c for c in calls if c.startswith("conda create")] == [
        f"conda create --quiet --yes --prefix {env} python=3.11"
    ]
    installs = [c for c in calls if c.startswith(f"pip({env})") and " install " in c]
    assert installs == [
        f"pip({env}) install --quiet --require-hashes -r {sm}/workbench/requirements/run.lock",
        f"pip({env}) install --quiet --no-deps -e {sm}/workbench",
    ]
    assert [c for c in calls if c.startswith("aws ")] == [
        f"aws s3 cp --quiet {SETTINGS['WB_SOURCE_URI']} " + c.split()[-1]
        for c in calls
        if c.startswith("aws ")
    ] and len([c for c in calls if c.startswith("aws ")]) == 1


def test_config_yaml_is_a_valid_workbench_configuration(sandbox: Sandbox) -> None:
    from workbench.core.config import load_settings

    settings = load_settings(sandbox.sm / ".workbench/config.yaml")
    assert settings.warehouse.backend == "redshift"
    assert settings.warehouse.redshift.workgroup == "workbench-wg"
    assert settings.warehouse.redshift.iam_role_arn == SETTINGS["WB_COPY_ROLE_ARN"]
    assert settings.warehouse.athena.s3_data == "s3://workbench-123456789012-us-east-1/data"
    assert settings.invoker.backend == "lambda"
    assert settings.invoker.lambda_.supplier_function == "workbench-supplier-analyzer"
    assert settings.planner.mode == "auto" and settings.aws.region == "us-east-1"


def test_kernel_voila_crontab_and_restart(sandbox: Sandbox) -> None:
    import json

    kernel = json.loads(
        (
            sandbox.root / "home/ec2-user/.local/share/jupyter/kernels/python3/kernel.json"
        ).read_text()
    )
    assert kernel["argv"][0] == str(sandbox.sm / "envs/workbench/bin/python")
    assert kernel["env"]["WORKBENCH_HOME"] == str(sandbox.sm / ".workbench")
    extension = json.loads(
        (sandbox.jse / "etc/jupyter/jupyter_server_config.d/voila.json").read_text()
    )
    assert extension == {"ServerApp": {"jpserver_extensions": {"voila": True}}}
    calls = sandbox.call_lines()
    assert f"pip({sandbox.jse}) install --quiet voila==0.5.13" in calls
    cron = sandbox.crontab.read_text()
    assert "# >>> workbench reports" in cron and "report run inventory_health" in cron
    assert "lifecycle/idle_stop.py --minutes 60" in cron
    assert calls.count("systemctl --no-block restart jupyter-server") == 1


def test_second_run_changes_nothing(sandbox: Sandbox) -> None:
    before, calls_before = sandbox.snapshot(), len(sandbox.call_lines())
    sandbox.run("on-create")
    result = sandbox.run("on-start")
    new_calls = sandbox.call_lines()[calls_before:]
    assert sandbox.snapshot() == before
    assert _changing(new_calls) == [], new_calls
    assert "restarted" not in result.stdout


def test_stop_and_start_restores_what_a_stop_wipes_without_rebuilding(sandbox: Sandbox) -> None:
    sandbox.stop_and_start()
    calls_before = len(sandbox.call_lines())
    sandbox.run("on-start")
    new_calls = sandbox.call_lines()[calls_before:]
    assert (
        sandbox.root / "home/ec2-user/.local/share/jupyter/kernels/python3/kernel.json"
    ).is_file()
    assert (sandbox.jse / "etc/jupyter/jupyter_server_config.d/voila.json").is_file()
    assert "idle_stop.py" in sandbox.crontab.read_text()
    changing = _changing(new_calls)
    rebuilt = [c for c in changing if c.startswith(("conda ", "aws ")) or "--require-hashes" in c]
    assert not rebuilt, changing
    assert f"pip({sandbox.jse}) install --quiet voila==0.5.13" in changing
    assert changing.count("systemctl --no-block restart jupyter-server") == 1
    # ... and that state is stable again.
    before, calls_before = sandbox.snapshot(), len(sandbox.call_lines())
    sandbox.run("on-start")
    assert sandbox.snapshot() == before and _changing(sandbox.call_lines()[calls_before:]) == []


def test_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is missing: run scripts/install-system-deps.sh")
    scripts = [
        ROOT / "lifecycle/on-create.sh",
        ROOT / "lifecycle/on-start.sh",
        ROOT / "scripts/install-system-deps.sh",
    ]
    result = subprocess.run(
        [shellcheck, *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_rendered_scripts_are_shellcheck_clean(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is missing: run scripts/install-system-deps.sh")
    for name in ("on-create", "on-start"):
        path = tmp_path / f"{name}.sh"
        path.write_text(lifecycle.render(lifecycle.read_script(ROOT, f"{name}.sh"), SETTINGS))
        result = subprocess.run(
            [shellcheck, str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout


def test_render_refuses_quotes_and_bad_names() -> None:
    with pytest.raises(ValueError, match="quote"):
        lifecycle.render("#!/bin/bash\n", {"WB_X": "a'b"})
    with pytest.raises(ValueError, match="WB_"):
        lifecycle.render("#!/bin/bash\n", {"X": "a"})
