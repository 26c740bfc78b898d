"""scripts/deploy.py: the dry run prints every step and AWS call, from the stack's own settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "deploy.py"


def _dry(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Node 20 is end-of-life" not in done.stdout + done.stderr
    return done.stdout.splitlines()


def test_dry_run_prints_every_step_and_aws_call() -> None:
    lines = _dry("all", "--account", "111122223333", "--region", "eu-west-1")
    steps = [line.split(":")[0] for line in lines if line.startswith("[")]
    assert steps == [
        "[1] check", "[2] cli", "[3] bootstrap", "[4] deploy", "[5] usage-limit", "[6] load", "[7] admin",
    ]  # fmt: skip
    aws = [line for line in lines if line.strip().startswith("AWS $")]
    text = "\n".join(aws)
    assert "cdk bootstrap aws://111122223333/eu-west-1" in text
    assert "cdk deploy --require-approval never" in text and "-c region=eu-west-1" in text
    assert "create-usage-limit --region eu-west-1" in text and "--amount 300" in text
    assert "data load --target redshift --bucket workbench-111122223333-eu-west-1" in text
    assert (
        "--grant-to IAMR:workbench-notebook-eu-west-1 --grant-to IAMR:workbench-tools-eu-west-1"
        in text
    )
    assert "--iam-role arn:aws:iam::111122223333:role/workbench-redshift-copy-eu-west-1" in text
    local = [line for line in lines if line.strip().startswith("$")]
    assert any("npm ci --prefix" in line for line in local)
    assert any("users add admin --admin --password-stdin" in line for line in local)


def test_dry_run_teardown_and_athena_config(tmp_path: Path) -> None:
    assert any("cdk destroy --force" in line for line in _dry("teardown"))
    config = tmp_path / "config.yaml"
    config.write_text("cost:\n  redshift_base_rpus: 16\n", encoding="utf-8")
    lines = _dry("load", "--config", str(config))
    assert any("data load --target redshift" in line for line in lines)


def test_cdk_cli_is_pinned_in_the_repo() -> None:
    package = json.loads((ROOT / "infra" / "package.json").read_text())
    lock = json.loads((ROOT / "infra" / "package-lock.json").read_text())
    pinned = package["devDependencies"]["aws-cdk"]
    assert pinned[0].isdigit() and pinned.startswith("2.")  # exact, CDK v2 CLI
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == pinned
    assert lock["packages"]["node_modules/aws-cdk"]["integrity"].startswith("sha512-")


def test_bad_settings_stop_before_any_call() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "all", "--dry-run", "--account", "12345"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0 and "12-digit" in done.stderr


def test_costs_come_from_the_projects_pricing() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "costs"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = {line.split(":")[0]: line for line in done.stdout.splitlines()}
    assert set(lines) == {"idle", "reference_redshift", "reference_athena"}
    sys.path.insert(0, str(SCRIPT.parent))
    import deploy  # type: ignore[import-not-found]

    from workbench.cost.estimate import Workload, aws_default_settings, estimate

    costs = deploy.monthly_costs()
    settings = aws_default_settings()
    # The same figures as `workbench cost estimate` (one estimate, one pricing).
    assert costs["reference_athena"] == estimate(settings, Workload(), backend="athena").by_service
    redshift = estimate(settings, Workload(), backend="redshift").by_service
    assert costs["reference_redshift"] == redshift
    assert set(costs["idle"]) <= set(redshift) and sum(costs["idle"].values()) > 0
    assert f"${sum(costs['idle'].values()):,.2f} a month" in lines["idle"]


def test_check_lists_the_prerequisites() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    sys.path.insert(0, str(SCRIPT.parent))
    import deploy  # type: ignore[import-not-found]

    missing = deploy.prerequisites()
    assert done.returncode == (2 if missing else 0), done.stdout
    for item in missing:
        assert f"missing: {item}" in done.stdout


def test_single_steps_dry_run() -> None:
    lines = _dry("deploy")
    assert lines[0].startswith("[1] deploy:") and "cdk deploy" in lines[1]
