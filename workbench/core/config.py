"""Configuration: one YAML file, validated as a whole, with ``${VAR}`` substitution.

Lookup order: an explicit path (``--config``), ``$WORKBENCH_CONFIG``,
``$WORKBENCH_HOME/config.yaml``, then the built-in defaults. Every key and its default
is documented in ``config.example.yaml`` at the project root; a test keeps the two equal.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.core.errors import ConfigError
from workbench.core.paths import workbench_home


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSettings(_Section):
    scale: Literal["tiny", "small", "medium", "large"] = "small"
    seed: int = 42
    #: Last day of generated history; None means today.
    end_date: dt.date | None = None


class DuckDBSettings(_Section):
    #: Database file; None means $WORKBENCH_HOME/data/warehouse.duckdb.
    path: str | None = None
    threads: int | None = Field(default=None, ge=1)
    memory_limit: str | None = None


class AnalystQuerySettings(_Section):
    """Limits for SQL a person or a model wrote (``Workbench.sql``, ``%%sql``, the LLM's run_sql).

    On DuckDB such SQL runs in a worker process whose address space is capped; our own compiled
    queries run in-process without these limits. Remote backends bound queries on the server.
    """

    #: Run it in the bounded worker process (DuckDB); false runs it in-process (no memory cap).
    isolate: bool = True
    #: Address-space cap of the worker (MiB); the worker is stopped with a clear error past it.
    memory_mb: int = Field(default=1536, ge=512)
    #: DuckDB's own memory_limit inside the worker (MiB); keep it well under ``memory_mb``.
    duckdb_memory_mb: int = Field(default=512, ge=64)
    #: DuckDB threads inside the worker.
    threads: int = Field(default=2, ge=1)
    #: Largest result (MiB in pandas) sent back from the worker.
    max_result_mb: int = Field(default=256, ge=1)


class RedshiftSettings(_Section):
    workgroup: str | None = None
    database: str = "dev"
    secret_arn: str | None = None
    db_user: str | None = None
    poll_initial_seconds: float = Field(default=0.25, gt=0)
    poll_max_seconds: float = Field(default=2.0, gt=0)
    #: Role Redshift assumes to COPY the sample data from S3 (``workbench data load --target redshift``).
    iam_role_arn: str | None = None
    #: S3 prefix (s3://bucket/prefix) where the loader stages Parquet for COPY; None: warehouse.athena.s3_data.
    s3_staging: str | None = None
    #: Seconds the data version (latest row of workbench_load) is cached; read on a cache miss only.
    version_cache_seconds: float = Field(default=30.0, ge=0)


class AthenaSettings(_Section):
    database: str = "workbench"
    workgroup: str = "primary"
    #: Where Athena writes query results (s3://...); None: the workgroup's setting.
    s3_output: str | None = None
    #: Where ``workbench data load --target athena`` writes the Parquet tables (s3://bucket/prefix).
    s3_data: str | None = None
    poll_initial_seconds: float = Field(default=0.25, gt=0)
    poll_max_seconds: float = Field(default=2.0, gt=0)
    #: Seconds table and column descriptions read from the Glue Data Catalog are cached.
    catalog_cache_seconds: float = Field(default=300.0, ge=0)
    #: Seconds the data version (Glue load id / update times) is cached; it is read for every cache key.
    version_cache_seconds: float = Field(default=30.0, ge=0)


class WarehouseSettings(_Section):
    backend: Literal["duckdb", "redshift", "athena"] = "duckdb"
    row_limit: int = Field(default=10_000, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)
    duckdb: DuckDBSettings = DuckDBSettings()
    analyst: AnalystQuerySettings = AnalystQuerySettings()
    redshift: RedshiftSettings = RedshiftSettings()
    athena: AthenaSettings = AthenaSettings()


class BedrockSettings(_Section):
    model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    max_tokens: int = Field(default=2048, ge=1)
    temperature: float = Field(default=0.0, ge=0, le=1)
    max_tool_rounds: int = Field(default=4, ge=1)
    #: Times the model may correct a plan or SQL the warehouse (or the safety check) rejected.
    max_corrections: int = Field(default=1, ge=0)
    #: Attempts per Converse call when Bedrock throttles, with exponential backoff and jitter.
    retry_attempts: int = Field(default=4, ge=1)
    retry_base_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=8.0, gt=0)
    #: Seconds to wait for one model response.
    read_timeout_seconds: float = Field(default=60.0, gt=0)


class PlannerSettings(_Section):
    #: offline: deterministic rules only; bedrock: always the LLM; auto: offline first, LLM when not understood.
    mode: Literal["offline", "bedrock", "auto"] = "offline"
    bedrock: BedrockSettings = BedrockSettings()


class LambdaSettings(_Section):
    inventory_function: str = "workbench-inventory-optimizer"
    logistics_function: str = "workbench-logistics-optimizer"
    supplier_function: str = "workbench-supplier-analyzer"
    timeout_seconds: float = Field(default=60.0, gt=0)
    memory_mb: int = Field(default=1024, ge=128)


class InvokerSettings(_Section):
    backend: Literal["local", "lambda"] = "local"
    # Named lambda_ in Python because lambda is a keyword; the YAML key is "lambda".
    lambda_: LambdaSettings = Field(default=LambdaSettings(), alias="lambda")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AwsSettings(_Section):
    region: str | None = None
    profile: str | None = None
    #: Endpoint override for every client (moto_server, LocalStack); None means real AWS.
    endpoint_url: str | None = None
    max_attempts: int = Field(default=5, ge=1)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)


class CacheSettings(_Section):
    enabled: bool = True
    max_entries: int = Field(default=512, ge=1)
    max_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    #: Seconds an answer stays fresh, per answer kind (intent).
    ttl_seconds: dict[str, float] = {"sql_query": 900.0, "optimization": 300.0, "hybrid": 300.0}


class MemorySettings(_Section):
    max_turns: int = Field(default=10, ge=1)


class CostSettings(_Section):
    #: Where AWS-equivalent costs are priced; prices in USD.
    bedrock_input_per_1k_tokens: dict[str, float] = {"default": 0.003}
    bedrock_output_per_1k_tokens: dict[str, float] = {"default": 0.015}
    redshift_rpu_hour: float = 0.375
    redshift_base_rpus: int = 8
    redshift_min_seconds: float = 60.0
    athena_per_tb: float = 5.0
    athena_min_bytes: int = 10 * 1024 * 1024
    lambda_gb_second: float = 0.0000166667
    lambda_per_request: float = 0.0000002
    sagemaker_instance_type: str = "ml.t3.medium"
    sagemaker_instance_hour: float = 0.05
    #: Hours a day the notebook instance runs; the ledger adds it per active day as a fixed overhead.
    sagemaker_hours_per_day: float = Field(default=8.0, ge=0, le=24)
    #: The notebook instance runs around the clock: 24 h on every calendar day, idle days included.
    sagemaker_always_on: bool = False
    #: The notebook's ML storage volume in GB and its USD per GB-month (billed every day, running or not).
    sagemaker_volume_gb: int = Field(default=5, ge=0)
    sagemaker_volume_gb_month: float = Field(default=0.14, ge=0)
    #: Minutes without kernel or terminal activity after which the idle-stop lifecycle step
    #: stops the notebook instance; 0 never stops it (read by lifecycle/, see docs/cost.md).
    sagemaker_idle_stop_minutes: int = Field(default=60, ge=0)
    #: Redshift Serverless usage limit in RPU-hours per month (deployment; None: no limit).
    redshift_max_rpu_hours_per_month: float | None = Field(default=300.0, gt=0)
    #: Athena workgroup per-query scan limit in bytes (deployment; None: no limit; at least 10 MB).
    athena_bytes_scanned_cutoff_per_query: int | None = Field(default=1024**3, ge=10 * 1024**2)
    #: Which AWS setup a local run is priced against: the warehouse it would use.
    reference_warehouse: Literal["redshift", "athena"] = "redshift"


class AuthSettings(_Section):
    bcrypt_rounds: int = Field(default=12, ge=4, le=31)
    min_password_length: int = Field(default=12, ge=8)
    session_idle_minutes: float = Field(default=30.0, gt=0)
    session_absolute_hours: float = Field(default=12.0, gt=0)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_window_minutes: float = Field(default=15.0, gt=0)
    #: Admin created on first serve; password from $WORKBENCH_ADMIN_PASSWORD or generated once.
    admin_username: str = "admin"


class ServeSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8866, ge=1, le=65535)
    preheat_kernels: int = Field(default=3, ge=0)
    cull_idle_seconds: int = Field(default=1800, ge=0)

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if value not in {"127.0.0.1", "localhost", "::1"} and not value.startswith("127."):
            raise ValueError(
                "must be a loopback address (127.0.0.1, localhost or ::1); put a reverse proxy in front to expose it"
            )
        return value


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    backup_count: int = Field(default=5, ge=0)


class ReportSettings(_Section):
    output_dir: str | None = None
    s3_destination: str | None = None
    #: "inprocess": cells run in the runner's own interpreter (no kernel start, imports shared);
    #: "kernel": each report in a fresh Jupyter kernel.
    engine: Literal["inprocess", "kernel"] = "inprocess"


class Settings(_Section):
    """The whole configuration. Sections mirror ``config.example.yaml``."""

    home: Path = Field(default_factory=workbench_home)
    #: Fixed "today" for reproducible answers; None means the real date.
    as_of: dt.date | None = None
    data: DataSettings = DataSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    planner: PlannerSettings = PlannerSettings()
    invoker: InvokerSettings = InvokerSettings()
    aws: AwsSettings = AwsSettings()
    cache: CacheSettings = CacheSettings()
    memory: MemorySettings = MemorySettings()
    cost: CostSettings = CostSettings()
    auth: AuthSettings = AuthSettings()
    serve: ServeSettings = ServeSettings()
    logging: LoggingSettings = LoggingSettings()
    reports: ReportSettings = ReportSettings()

    # Derived locations -------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def duckdb_path(self) -> Path:
        return (
            Path(self.warehouse.duckdb.path).expanduser()
            if self.warehouse.duckdb.path
            else self.data_dir / "warehouse.duckdb"
        )

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def auth_db_path(self) -> Path:
        """SQLite file for users, sessions and the audit log."""
        return self.home / "auth.sqlite3"

    @property
    def ledger_db_path(self) -> Path:
        """SQLite file for the cost ledger."""
        return self.home / "ledger.sqlite3"

    @property
    def effective_as_of(self) -> dt.date:
        """The configured as-of date, or today."""
        return self.as_of or dt.date.today()

    def replace(self, **changes: Any) -> Settings:
        """A copy with top-level sections replaced (validated)."""
        data = self.model_dump(by_alias=True)
        data.update(changes)
        return Settings.model_validate(data)


# ${NAME} or ${NAME:-default}; "$${" is an escaped, literal "${".
_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*?))?\}")


def substitute_env(value: Any, env: Mapping[str, str] | None = None, *, path: str = "") -> Any:
    """Replace ``${VAR}`` and ``${VAR:-default}`` in every string of a parsed YAML tree.

    Values stay strings: the settings model converts them to the type of their key, so
    ``port: ${PORT}`` gives an int and ``enabled: ${CACHE:-false}`` a bool, while a string key
    keeps "007" as "007". A value that is only a variable and comes out empty becomes null
    (the key's "not set" default). Every unset variable without a default is reported at once.
    """
    missing: list[str] = []
    result = _substitute(value, os.environ if env is None else env, path, missing)
    if missing:
        raise ConfigError(
            f"Configuration refers to {len(missing)} environment variable(s) that are not set.",
            issues=missing,
            key=missing[0].split(":", 1)[0],
        )
    return result


def _substitute(value: Any, env: Mapping[str, str], path: str, missing: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: _substitute(v, env, f"{path}.{k}" if path else str(k), missing)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_substitute(v, env, f"{path}[{i}]", missing) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name is None:  # "$${" escape
            return "${"
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append(
            f"{path or '(top level)'}: environment variable {name} is not set "
            f"(set it, or write ${{{name}:-default}} for a fallback)"
        )
        return ""

    replaced = _VAR.sub(repl, value)
    if replaced == "" and value != "" and _VAR.fullmatch(value):
        return None
    return replaced


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The settings section a validation error location points into (for unknown keys)."""
    model: type[BaseModel] = Settings
    for part in loc:
        field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _format_issue(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        if model is None:
            return f"{key}: unknown key"
        allowed = _allowed_keys(model)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"{key}: unknown key.{hint} Allowed keys here: {', '.join(allowed)}"
    value = err.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        msg = f"{msg}; got {value!r}"
    return f"{key}: {msg}"


def settings_from_mapping(
    raw: Mapping[str, Any] | None,
    *,
    home: str | os.PathLike[str] | None = None,
    source: str = "configuration",
) -> Settings:
    """Validate a mapping into :class:`Settings`, reporting every problem at once.

    ``home`` precedence: the ``home`` argument, then ``$WORKBENCH_HOME``, then the
    mapping's ``home`` key, then ``~/.workbench``.
    """
    missing: list[str] = []
    data = dict(_substitute(dict(raw or {}), os.environ, "", missing))
    if home is not None:
        data["home"] = workbench_home(home)
    elif os.environ.get("WORKBENCH_HOME"):
        data["home"] = workbench_home()
    elif data.get("home") is not None:
        data["home"] = Path(str(data["home"])).expanduser().resolve()
    else:
        data.pop("home", None)
    issues = list(missing)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        unset = {issue.split(":", 1)[0] for issue in missing}
        issues += [i for e in exc.errors() if (i := _format_issue(e)).split(":", 1)[0] not in unset]
    if issues:
        first = issues[0].split(":", 1)[0]
        raise ConfigError(
            f"Invalid {source}: {len(issues)} problem(s), first at '{first}'.",
            issues=issues,
            key=first,
        ) from None
    return settings


def find_config_file(
    path: str | os.PathLike[str] | None = None, home: str | os.PathLike[str] | None = None
) -> Path | None:
    """The config file to use, by the documented lookup order, or None for built-in defaults.

    Order: ``path`` (``--config``), ``$WORKBENCH_CONFIG``, ``<home>/config.yaml`` where home
    is the ``home`` argument, else ``$WORKBENCH_HOME``, else ``~/.workbench``.
    """
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ConfigError(
                f"Config file {p} does not exist.",
                hint="Check the --config path, or omit it to use the defaults.",
                key="--config",
            )
        return p
    env = os.environ.get("WORKBENCH_CONFIG")
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise ConfigError(
                f"WORKBENCH_CONFIG points to {p}, which does not exist.",
                hint="Fix or unset WORKBENCH_CONFIG.",
                key="WORKBENCH_CONFIG",
            )
        return p
    candidate = workbench_home(home) / "config.yaml"
    return candidate if candidate.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse one config file into a mapping (not yet validated)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"Config file {path} is not valid YAML.", detail=str(exc), key=str(path)
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"Config file {path} cannot be read.", detail=str(exc), key=str(path)
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"Config file {path} must hold a mapping of keys at the top level.", key=str(path)
        )
    return raw


def load_settings(
    config: str | os.PathLike[str] | Mapping[str, Any] | Settings | None = None,
    *,
    home: str | os.PathLike[str] | None = None,
) -> Settings:
    """Load settings from a path, a mapping, or the lookup order when None."""
    if isinstance(config, Settings):
        return config if home is None else config.replace(home=workbench_home(home))
    if isinstance(config, Mapping):
        return settings_from_mapping(config, home=home)
    path = find_config_file(config, home)
    if path is None:
        return settings_from_mapping({}, home=home)
    return settings_from_mapping(read_config_file(path), home=home, source=f"config file {path}")
