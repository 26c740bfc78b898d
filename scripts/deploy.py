"""Deploy the workbench to AWS, step by step, or print every step and AWS call (``--dry-run``).

    python scripts/deploy.py check                 # prerequisites (offline)
    python scripts/deploy.py all --dry-run         # the whole plan, nothing run
    python scripts/deploy.py all                   # prereqs, CLI, deploy, limit, data, admin
    python scripts/deploy.py teardown              # destroy the stack (the bucket is kept)
    python scripts/deploy.py costs                 # USD a month, idle and at the reference load

Steps (``all`` runs them in this order):

- ``check``: Python 3.11+, Node 20+, Docker (builds the Lambda image), the AWS CLI, unzip;
- ``cli``: ``npm ci --prefix infra`` installs the CDK CLI pinned in ``infra/package-lock.json``;
- ``bootstrap`` / ``deploy``: ``cdk bootstrap`` once per account and region, then ``cdk deploy``,
  which builds and pushes the image asset (``lambdas/Dockerfile``) and the source bundle and
  writes the stack outputs to ``infra/outputs.json``;
- ``usage-limit``: the monthly Redshift Serverless RPU-hour limit (CloudFormation has no resource
  for it) from ``cost.redshift_max_rpu_hours_per_month`` when set;
- ``load``: ``workbench data load --target redshift`` (or ``athena``) with ``--grant-to`` the
  notebook's and the functions' Data API users (``IAMR:<role name>``);
- ``admin``: the first dashboard administrator (``workbench users add --admin``; the password
  from ``$WORKBENCH_ADMIN_PASSWORD``, read on stdin);
- ``teardown``: ``cdk destroy``; the data bucket and its logs are retained (delete them by hand).

Settings: ``--config`` (the workbench config.yaml the stack is built from), ``--account``,
``--region``, ``--prefix``. Every step but ``check`` needs an AWS account and credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
CDK = INFRA / "node_modules" / ".bin" / "cdk"
OUTPUTS = INFRA / "outputs.json"
STEPS = ("check", "cli", "bootstrap", "deploy", "usage-limit", "load", "admin")


@dataclass(frozen=True)
class Call:
    """One command; ``aws`` says whether it reaches an AWS account."""

    argv: tuple[str, ...]
    aws: bool
    cwd: Path = ROOT
    stdin_env: str | None = None  # environment variable whose value goes to stdin

    def shell(self) -> str:
        text = shlex.join(self.argv)
        if self.cwd != ROOT:
            text = f"(cd {self.cwd.relative_to(ROOT)} && {text})"
        if self.stdin_env:
            text = f'printf %s "${self.stdin_env}" | {text}'
        return text


@dataclass
class Plan:
    args: argparse.Namespace
    steps: list[tuple[str, str, list[Call]]] = field(default_factory=list)

    def add(self, name: str, what: str, calls: list[Call]) -> None:
        self.steps.append((name, what, calls))


def _context(args: argparse.Namespace) -> list[str]:
    out = []
    for key in ("config", "account", "region", "prefix"):
        value = getattr(args, key)
        if value:
            out += ["-c", f"{key}={Path(value).resolve() if key == 'config' else value}"]
    return out


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(INFRA))
    from workbench_infra.settings import DeploySettings

    ctx = {k: getattr(args, k) for k in ("account", "region", "prefix") if getattr(args, k)}
    if args.config:
        ctx["config"] = str(Path(args.config).resolve())
    return DeploySettings.resolve(ctx)


def _workbench(args: argparse.Namespace, *rest: str) -> tuple[str, ...]:
    exe = str(Path(sys.executable).with_name("workbench"))
    return (exe, *(("--config", str(Path(args.config).resolve())) if args.config else ()), *rest)


def build_plan(args: argparse.Namespace, steps: Sequence[str]) -> Plan:
    """Every step's commands, from the same settings the stack is synthesized from."""
    s = _settings(args)
    plan = Plan(args)
    cdk = (str(CDK),)
    env = f"aws://{s.account}/{s.region}"
    for step in steps:
        if step == "check":
            plan.add(step, "prerequisites: python, node, docker, aws CLI, unzip", [])
        elif step == "cli":
            plan.add(
                step,
                "install the pinned CDK CLI",
                [Call(("npm", "ci", "--prefix", str(INFRA), "--no-audit", "--no-fund"), False)],
            )
        elif step == "bootstrap":
            plan.add(
                step,
                f"CDK bootstrap of {env} (once per account and region)",
                [Call((*cdk, "bootstrap", env, *_context(args)), True, INFRA)],
            )
        elif step == "deploy":
            plan.add(
                step,
                "build and push the Lambda image and the source bundle, create or update the stack",
                [
                    Call(
                        (
                            *cdk,
                            "deploy",
                            "--require-approval",
                            "never",
                            "--outputs-file",
                            str(OUTPUTS),
                            *_context(args),
                        ),
                        True,
                        INFRA,
                    )
                ],
            )
        elif step == "usage-limit":
            calls = []
            if s.redshift_max_rpu_hours_per_month:
                calls.append(
                    Call(
                        ("aws", "redshift-serverless", "create-usage-limit", "--region", s.region,
                         "--resource-arn", f"<workgroup ARN of {s.workgroup}>", "--usage-type", "serverless-compute",
                         "--amount", str(int(s.redshift_max_rpu_hours_per_month)), "--period", "monthly",
                         "--breach-action", "deactivate"),
                        True,
                    )
                )  # fmt: skip
            plan.add(
                step,
                "monthly Redshift Serverless RPU-hour limit (cost.redshift_max_rpu_hours_per_month)",
                calls,
            )
        elif step == "load":
            target = s.warehouse_backend
            load = [
                "data",
                "load",
                "--target",
                target,
                "--bucket",
                s.bucket_name,
                "--prefix",
                "data",
            ]
            if target == "redshift":
                load += [
                    "--iam-role",
                    f"arn:aws:iam::{s.account}:role/{s.role_name('redshift-copy')}",
                ]
                for path in ("notebook", "tools"):
                    load += ["--grant-to", f"IAMR:{s.role_name(path)}"]
            plan.add(
                step,
                f"generate the sample data and load it into {target}"
                + (" with GRANTs for the notebook and tool roles" if target == "redshift" else ""),
                [
                    Call(_workbench(args, "data", "generate"), False),
                    Call(_workbench(args, *load), True),
                ],
            )
        elif step == "admin":
            plan.add(
                step,
                f"first dashboard administrator '{args.admin}' (password from $WORKBENCH_ADMIN_PASSWORD)",
                [
                    Call(
                        _workbench(args, "users", "add", args.admin, "--admin", "--password-stdin"),
                        False,
                        stdin_env="WORKBENCH_ADMIN_PASSWORD",
                    )
                ],
            )
        elif step == "teardown":
            plan.add(
                step,
                "destroy the stack (the data bucket and its access logs are retained)",
                [Call((*cdk, "destroy", "--force", *_context(args)), True, INFRA)],
            )
        else:
            raise SystemExit(
                f"unknown step {step!r}; choose from {', '.join((*STEPS, 'teardown', 'all'))}"
            )
    return plan


def prerequisites() -> list[str]:
    """What is missing for a deployment (empty when everything is there)."""
    missing = []
    for tool, why in (
        ("node", "Node.js 20+ (the CDK CLI and jsii)"),
        ("docker", "Docker (builds the Lambda image)"),
        ("aws", "the AWS CLI v2"),
        ("unzip", "unzip"),
    ):
        if shutil.which(tool) is None:
            missing.append(f"{tool}: {why}")
    if shutil.which("node"):
        version = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        major = int(version.lstrip("v").split(".")[0] or 0) if version else 0
        if major < 20:
            missing.append(f"node: version 20 or newer (found {version or 'none'})")
    return missing


def print_plan(plan: Plan, out: Callable[[str], None] = print) -> None:
    for number, (name, what, calls) in enumerate(plan.steps, 1):
        out(f"[{number}] {name}: {what}")
        for call in calls:
            out(f"    {'AWS ' if call.aws else '    '}$ {call.shell()}")
        if not calls and name != "check":
            out("    (nothing to do with these settings)")


def run_plan(plan: Plan) -> int:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name, what, calls in plan.steps:
        print(f"==> {name}: {what}", flush=True)
        if name == "check":
            missing = prerequisites()
            for item in missing:
                print(f"    missing: {item}")
            if missing:
                return 2
            continue
        for call in calls:
            argv = list(call.argv)
            if name == "usage-limit":
                argv[argv.index("--resource-arn") + 1] = _workgroup_arn(plan)
            stdin = os.environ.get(call.stdin_env, "") if call.stdin_env else None
            done = subprocess.run(argv, cwd=call.cwd, env=env, input=stdin, text=True, check=False)
            if done.returncode != 0:
                print(f"    failed ({done.returncode}): {call.shell()}")
                return done.returncode
    return 0


def _workgroup_arn(plan: Plan) -> str:
    s = _settings(plan.args)
    out = subprocess.run(
        ["aws", "redshift-serverless", "get-workgroup", "--region", s.region, "--workgroup-name", s.workgroup],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return str(json.loads(out.stdout)["workgroup"]["workgroupArn"])


def monthly_costs(config: str | None = None) -> dict[str, dict[str, float]]:
    """USD a month per service, idle and at the reference workload (3 personas x 50 questions a
    day, 22 working days), from the same estimate as ``workbench cost estimate`` (the ledger's
    pricing: merged Redshift windows, Athena's 10 MB minimum, Bedrock by model, notebook uptime).
    Settings: ``config`` when given, else the AWS configuration template the stack deploys."""
    from workbench.core.config import load_settings
    from workbench.cost.estimate import Workload, aws_default_settings, estimate

    settings = load_settings(Path(config)) if config else aws_default_settings()
    idle = estimate(settings, Workload(questions_per_day=0), backend="athena").by_service
    return {
        "idle": {k: v for k, v in idle.items() if v},
        "reference_redshift": estimate(settings, Workload(), backend="redshift").by_service,
        "reference_athena": estimate(settings, Workload(), backend="athena").by_service,
    }


def print_costs(config: str | None) -> None:
    for scenario, lines in monthly_costs(config).items():
        parts = ", ".join(f"{k} ${v:,.2f}" for k, v in lines.items())
        print(f"{scenario}: ${sum(lines.values()):,.2f} a month ({parts})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("step", choices=[*STEPS, "teardown", "all", "costs"])
    parser.add_argument(
        "--dry-run", action="store_true", help="print every step and AWS call; run nothing"
    )
    parser.add_argument("--config", help="the workbench config.yaml the stack is built from")
    parser.add_argument("--account", help="AWS account id (12 digits)")
    parser.add_argument("--region", help="AWS region, e.g. us-east-1")
    parser.add_argument("--prefix", help="resource name prefix (default: workbench)")
    parser.add_argument("--admin", default="admin", help="first administrator's user name")
    args = parser.parse_args(argv)
    if args.step == "costs":
        print_costs(args.config)
        return 0
    steps = list(STEPS) if args.step == "all" else [args.step]
    plan = build_plan(args, steps)
    if args.dry_run:
        print_plan(plan)
        return 0
    return run_plan(plan)


if __name__ == "__main__":
    sys.exit(main())
