"""Every deployment setting in one place, with where its value comes from.

Two sources, no third:

1. **The workbench configuration** (``config.yaml``, see ``config.example.yaml``) for every
   value the package reads at run time too, so the stack and the code cannot disagree:
   function names, memory and the invoker's timeout (``invoker.lambda.*``), the warehouse
   timeout, the Redshift database and the Athena/Glue names (``warehouse.*``), the Bedrock
   model (``planner.bedrock.model_id``), and the cost settings the ledger prices from
   (``cost.redshift_base_rpus``, ``cost.sagemaker_instance_type``, ...). The Redshift base
   capacity in particular is ``cost.redshift_base_rpus``: AWS defaults to 128 RPU, the
   ledger prices 8, so a stack that left it unset would cost 16 times the ledger's figure.
2. **CDK context** (``cdk synth -c key=value`` or ``infra/cdk.json``) for what only the
   deployment knows: account, region, name prefix, the warehouse the instance uses,
   notebook volume size, idle-stop minutes, log retention. :data:`CONTEXT_KEYS` lists them.

:func:`DeploySettings.resolve` reads both and checks them all at once (one error naming
every bad value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

#: Redshift Serverless base capacity: 8 to 512 RPU in steps of 8 (cfn-lint does not check it).
RPU_MIN, RPU_MAX, RPU_STEP = 8, 512, 8
#: Seconds a cold container needs before the handler runs (image pull + imports), measured
#: generously: the function timeout is the warehouse timeout plus this.
COLD_START_SECONDS = 20
#: Geography prefixes of Bedrock cross-region inference profile ids ("us.anthropic...").
INFERENCE_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "ca.", "jp.", "au.", "global.")

_PREFIX = re.compile(r"^[a-z][a-z0-9-]{2,20}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


class DeploySettingsError(ValueError):
    """Bad deployment settings; ``problems`` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid deployment settings:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class DeploySettings:
    """The stack's inputs. Context keys are the field names (``-c notebook_volume_gb=10``)."""

    #: AWS account and region. Explicit, so ``cdk synth`` needs no credentials.
    account: str = "123456789012"
    region: str = "us-east-1"
    #: Prefix of every resource name (functions, roles, workgroup, notebook, bucket).
    prefix: str = "workbench"
    #: Warehouse the notebook instance and the functions use: redshift or athena.
    warehouse_backend: str = "redshift"
    #: planner.mode written to the instance's config.yaml (offline needs no Bedrock).
    planner_mode: str = "auto"
    #: Notebook ML storage volume (GB); holds the environment, data and reports.
    notebook_volume_gb: int = 20
    #: Minutes without kernel or terminal activity before the instance stops itself; 0: never.
    notebook_idle_stop_minutes: int = 60
    #: CloudWatch log retention of the functions (days).
    log_retention_days: int = 30
    # -- from the workbench configuration (see the module docstring) --
    inventory_function: str = "workbench-inventory-optimizer"
    logistics_function: str = "workbench-logistics-optimizer"
    supplier_function: str = "workbench-supplier-analyzer"
    lambda_memory_mb: int = 1024
    invoker_timeout_seconds: float = 60.0
    warehouse_timeout_seconds: float = 30.0
    redshift_database: str = "dev"
    redshift_base_rpus: int = 8
    redshift_max_rpu_hours_per_month: float | None = 300.0
    glue_database: str = "workbench"
    athena_bytes_scanned_cutoff: int | None = 1024**3
    bedrock_model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    notebook_instance_type: str = "ml.t3.medium"

    # -- derived ---------------------------------------------------------------------------
    @property
    def function_timeout_seconds(self) -> int:
        """Above the warehouse timeout plus a cold start; below the invoker's read timeout."""
        return int(self.warehouse_timeout_seconds + COLD_START_SECONDS)

    @property
    def functions(self) -> dict[str, str]:
        """Agent -> function name (the agents of :mod:`workbench.invokers`)."""
        return {
            "inventory": self.inventory_function,
            "logistics": self.logistics_function,
            "supplier": self.supplier_function,
        }

    @property
    def workgroup(self) -> str:
        return f"{self.prefix}-wg"

    @property
    def namespace(self) -> str:
        return f"{self.prefix}-ns"

    @property
    def athena_workgroup(self) -> str:
        return f"{self.prefix}-athena"

    @property
    def notebook_name(self) -> str:
        return f"{self.prefix}-notebook"

    @property
    def bucket_name(self) -> str:
        return f"{self.prefix}-{self.account}-{self.region}"

    def role_name(self, path: str) -> str:
        """IAM role name of a path; the Data API maps it to the database user ``IAMR:<name>``."""
        return f"{self.prefix}-{path}-{self.region}"

    @property
    def bedrock_base_model_id(self) -> str:
        """The foundation model behind ``bedrock_model_id`` (which may be an inference profile)."""
        for prefix in INFERENCE_PROFILE_PREFIXES:
            if self.bedrock_model_id.startswith(prefix):
                return self.bedrock_model_id[len(prefix) :]
        return self.bedrock_model_id

    @property
    def bedrock_inference_profile(self) -> str | None:
        return (
            None if self.bedrock_base_model_id == self.bedrock_model_id else self.bedrock_model_id
        )

    # -- building ----------------------------------------------------------------------------
    def problems(self) -> list[str]:
        out: list[str] = []
        if not _ACCOUNT.match(self.account):
            out.append(f"account: {self.account!r} is not a 12-digit AWS account id")
        if not _REGION.match(self.region):
            out.append(f"region: {self.region!r} is not an AWS region name (e.g. us-east-1)")
        if not _PREFIX.match(self.prefix):
            out.append(
                f"prefix: {self.prefix!r}: 3-21 lower-case letters, digits or '-', starting with a letter"
            )
        if self.warehouse_backend not in {"redshift", "athena"}:
            out.append(f"warehouse_backend: {self.warehouse_backend!r} is not redshift or athena")
        if self.planner_mode not in {"offline", "bedrock", "auto"}:
            out.append(f"planner_mode: {self.planner_mode!r} is not offline, bedrock or auto")
        rpus = self.redshift_base_rpus
        if not (RPU_MIN <= rpus <= RPU_MAX and rpus % RPU_STEP == 0):
            out.append(
                f"cost.redshift_base_rpus: {rpus} is not a Redshift Serverless base capacity "
                f"({RPU_MIN}-{RPU_MAX} in steps of {RPU_STEP})"
            )
        if self.function_timeout_seconds >= self.invoker_timeout_seconds:
            out.append(
                f"invoker.lambda.timeout_seconds ({self.invoker_timeout_seconds:g}) must exceed the "
                f"function timeout: warehouse.timeout_seconds ({self.warehouse_timeout_seconds:g}) "
                f"+ {COLD_START_SECONDS} s cold start"
            )
        if self.function_timeout_seconds > 900:
            out.append("warehouse.timeout_seconds: a Lambda function runs at most 900 s")
        if not 128 <= self.lambda_memory_mb <= 10240:
            out.append(
                f"invoker.lambda.memory_mb: {self.lambda_memory_mb} is outside Lambda's 128-10240 MB"
            )
        for key, name in (
            ("inventory_function", self.inventory_function),
            ("logistics_function", self.logistics_function),
            ("supplier_function", self.supplier_function),
        ):
            if not re.match(r"^[A-Za-z0-9_-]{1,64}$", name):
                out.append(f"invoker.lambda.{key}: {name!r} is not a Lambda function name")
        if not 5 <= self.notebook_volume_gb <= 16384:
            out.append(f"notebook_volume_gb: {self.notebook_volume_gb} is outside 5-16384")
        if self.notebook_idle_stop_minutes < 0:
            out.append("notebook_idle_stop_minutes: must be 0 (never) or more")
        if not self.notebook_instance_type.startswith("ml."):
            out.append(
                f"cost.sagemaker_instance_type: {self.notebook_instance_type!r} is not an ml.* type"
            )
        return out

    @classmethod
    def from_workbench(cls, config: Any, **context: Any) -> DeploySettings:
        """Settings from a workbench ``Settings`` plus context overrides."""
        lam = config.invoker.lambda_
        cost = config.cost
        base: dict[str, Any] = {
            "inventory_function": lam.inventory_function,
            "logistics_function": lam.logistics_function,
            "supplier_function": lam.supplier_function,
            "lambda_memory_mb": lam.memory_mb,
            "invoker_timeout_seconds": lam.timeout_seconds,
            "warehouse_timeout_seconds": config.warehouse.timeout_seconds,
            "redshift_database": config.warehouse.redshift.database,
            "redshift_base_rpus": cost.redshift_base_rpus,
            "glue_database": config.warehouse.athena.database,
            "bedrock_model_id": config.planner.bedrock.model_id,
            "notebook_instance_type": cost.sagemaker_instance_type,
        }
        # Cost settings that newer configurations carry (the ledger prices from them too).
        for key, attr in (
            ("notebook_idle_stop_minutes", "sagemaker_idle_stop_minutes"),
            ("notebook_volume_gb", "sagemaker_volume_gb"),
            ("redshift_max_rpu_hours_per_month", "redshift_max_rpu_hours_per_month"),
            ("athena_bytes_scanned_cutoff", "athena_bytes_scanned_cutoff_per_query"),
        ):
            if hasattr(cost, attr):
                value = getattr(cost, attr)
                # The volume must hold the environment: never below the stack's default.
                if key == "notebook_volume_gb" and value is not None:
                    value = max(int(value), cls.notebook_volume_gb)
                base[key] = value
        return cls._make({**base, **context})

    @classmethod
    def _make(cls, values: Mapping[str, Any]) -> DeploySettings:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise DeploySettingsError(
                [f"{k}: unknown setting (known: {', '.join(sorted(known))})" for k in unknown]
            )
        typed: dict[str, Any] = {}
        problems: list[str] = []
        for key, raw in values.items():
            default = known[key].default
            try:
                typed[key] = _coerce(raw, default)
            except ValueError:
                problems.append(f"{key}: {raw!r} is not a valid {type(default).__name__}")
        if problems:
            raise DeploySettingsError(problems)
        settings = cls(**typed)
        issues = settings.problems()
        if issues:
            raise DeploySettingsError(issues)
        return settings

    @classmethod
    def resolve(
        cls, context: Mapping[str, Any] | None = None, *, config_path: str | Path | None = None
    ) -> DeploySettings:
        """From the workbench configuration (``config`` context key or ``config_path``) and context."""
        from workbench.core.config import load_settings

        ctx = {k: v for k, v in dict(context or {}).items() if k in CONTEXT_KEYS and v is not None}
        path = ctx.pop("config", None) or config_path
        config = load_settings(Path(path) if path else {})
        return cls.from_workbench(config, **ctx)


def _coerce(raw: Any, default: Any) -> Any:
    if raw is None:
        return None
    if isinstance(default, bool):
        return str(raw).lower() in {"1", "true", "yes"}
    if isinstance(default, int) and not isinstance(raw, int):
        return int(str(raw))
    if isinstance(default, float) and not isinstance(raw, float):
        return float(str(raw))
    if isinstance(default, str):
        return str(raw)
    return raw


#: CDK context keys the app reads (``config``: path of the workbench config.yaml to build from).
CONTEXT_KEYS = frozenset(
    {
        "config",
        "account",
        "region",
        "prefix",
        "warehouse_backend",
        "planner_mode",
        "notebook_volume_gb",
        "notebook_idle_stop_minutes",
        "log_retention_days",
    }
)
