"""What a team's questions will cost per month on AWS, before it deploys.

:func:`estimate` replays a workload (questions per day and persona, arriving in small bursts
over the working hours) through the same pricing functions the ledger uses:

* Redshift Serverless: each question that misses the cache runs the data-version check and
  its query (a tool question one more, from the Lambda function); the arrival times are
  simulated (seeded, so the figure is repeatable) and every working day is billed with
  :func:`~workbench.cost.pricing.redshift_billed_seconds` — merged active periods with the
  60 s minimum, exactly as the ledger charges them. A cache hit runs nothing: the
  orchestrator looks the cache up with the version it already knows.
* Athena: each query at its bytes scanned, at least the 10 MB minimum
  (:func:`~workbench.cost.pricing.athena_cost`); the data version comes from Glue.
* Bedrock: the questions that reach the LLM (a share of the cache misses) × tokens per
  question at the model's price (:func:`~workbench.cost.pricing.bedrock_cost`).
* Lambda: one request per tool question at its billed duration and memory.
* The notebook instance: hours per working day (or always on) plus its volume.

The default workload is the reference one of issue 17: 3 personas × 50 questions a day,
22 working days, 8 working hours, 30 % cache hits, 20 % needing a tool.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from workbench.core.config import Settings, load_settings
from workbench.core.errors import ConfigError
from workbench.cost.pricing import (
    ATHENA,
    BEDROCK,
    LAMBDA,
    REDSHIFT,
    SAGEMAKER_NOTEBOOK,
    athena_cost,
    bedrock_cost,
    bedrock_rate,
    lambda_cost,
    notebook_monthly_cost,
    redshift_billed_seconds,
    redshift_seconds_cost,
)

#: The configuration template for AWS deployments (the cost-conscious defaults, docs/cost.md).
AWS_TEMPLATE = Path(__file__).with_name("aws_config.yaml")

Backend = Literal["athena", "redshift"]
BACKENDS: tuple[Backend, ...] = ("athena", "redshift")
#: Share of cache misses that reach the LLM, per planner mode, unless given.
LLM_SHARE_BY_MODE = {"offline": 0.0, "auto": 0.25, "bedrock": 1.0}


def aws_default_settings(home: str | Path | None = None) -> Settings:
    """The settings of the AWS configuration template (``workbench/cost/aws_config.yaml``)."""
    return load_settings(AWS_TEMPLATE, home=home)


@dataclass(frozen=True)
class Workload:
    """Who asks how much, and what each question needs."""

    personas: int = 3
    questions_per_day: int = 50  # per persona
    working_days: int = 22
    working_hours: float = 8.0
    cache_hit_rate: float = 0.30
    tool_rate: float = 0.20
    #: Share of cache misses that reach the LLM; None: from ``planner.mode``.
    llm_share: float | None = None
    #: Bedrock model; None: ``planner.bedrock.model_id``.
    model_id: str | None = None
    input_tokens: int = 1500  # per LLM question (system prompt with the schema, tool rounds)
    output_tokens: int = 200
    query_seconds: float = 1.5  # server-side duration of one answer query
    version_check_seconds: float = 0.1
    bytes_scanned: int = 1024**2  # per Athena query (below the 10 MB minimum)
    lambda_ms: float = 800.0  # billed duration of one tool request
    seed: int = 17

    def __post_init__(self) -> None:
        problems = []
        for name in ("personas", "questions_per_day", "working_days"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be at least 0")
        for name in ("cache_hit_rate", "tool_rate"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"{name} must be between 0 and 1")
        if self.llm_share is not None and not 0 <= self.llm_share <= 1:
            problems.append("llm_share must be between 0 and 1")
        if not 0 < self.working_hours <= 24:
            problems.append("working_hours must be more than 0 and at most 24")
        if problems:
            raise ConfigError(
                "The workload is not valid: " + "; ".join(problems) + ".", issues=problems
            )

    @property
    def questions_per_month(self) -> int:
        return self.personas * self.questions_per_day * self.working_days


@dataclass(frozen=True)
class Estimate:
    """The monthly bill of one backend, per service."""

    backend: Backend
    by_service: dict[str, float]
    questions: int
    llm_questions: float
    redshift_rpu_hours: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.by_service.values())

    @property
    def per_question(self) -> float:
        return self.total / self.questions if self.questions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "by_service": {k: round(v, 4) for k, v in self.by_service.items()},
            "total": round(self.total, 4),
            "per_question": round(self.per_question, 6),
            "questions": self.questions,
            "llm_questions": round(self.llm_questions, 1),
            "redshift_rpu_hours": round(self.redshift_rpu_hours, 2),
            "notes": list(self.notes),
        }


def _llm_share(workload: Workload, settings: Settings) -> float:
    if workload.llm_share is not None:
        return workload.llm_share
    return LLM_SHARE_BY_MODE.get(settings.planner.mode, 0.0)


def _redshift_month(workload: Workload, settings: Settings) -> float:
    """Billed workgroup seconds for the month: simulated arrivals, merged active periods."""
    rng = random.Random(workload.seed)
    cost = settings.cost
    version_cache = settings.warehouse.redshift.version_cache_seconds
    span = workload.working_hours * 3600
    total = 0.0
    for _day in range(workload.working_days):
        windows: list[tuple[float, float]] = []
        for _persona in range(workload.personas):
            # One kernel per persona: its own version cache.
            version_read = -1e18
            for t in _burst_times(rng, workload.questions_per_day, span):
                if rng.random() < workload.cache_hit_rate:
                    continue  # answered from the cache with the known version: nothing runs
                if t - version_read >= version_cache:
                    windows.append((t, t + workload.version_check_seconds))
                    version_read = t
                    t += workload.version_check_seconds + 0.2
                windows.append((t, t + workload.query_seconds))
                if rng.random() < workload.tool_rate:
                    start = t + workload.query_seconds + 0.5
                    windows.append((start, start + workload.query_seconds))
        total += redshift_billed_seconds(windows, cost.redshift_min_seconds)
    return total


def _burst_times(rng: random.Random, count: int, span: float) -> list[float]:
    """``count`` arrival times over ``span`` seconds in small bursts (2–5 questions, 20–90 s apart)."""
    times: list[float] = []
    while len(times) < count:
        size = min(rng.randint(2, 5), count - len(times))
        t = rng.uniform(0, max(span - 600, 1))
        for _ in range(size):
            times.append(t)
            t += rng.uniform(20, 90)
    return sorted(times)


def estimate(
    settings: Settings, workload: Workload = Workload(), *, backend: Backend | None = None
) -> Estimate:
    """The monthly bill of ``workload`` on ``backend`` (None: the configured one) with ``settings``."""
    cost = settings.cost
    chosen: Backend = backend or _configured_backend(settings)
    questions = workload.questions_per_month
    misses = questions * (1 - workload.cache_hit_rate)
    tools = misses * workload.tool_rate
    llm_questions = misses * _llm_share(workload, settings)
    model = workload.model_id or settings.planner.bedrock.model_id
    services: dict[str, float] = {}
    notes: list[str] = []
    rpu_hours = 0.0
    if chosen == "redshift":
        seconds = _redshift_month(workload, settings)
        services[REDSHIFT] = redshift_seconds_cost(seconds, cost)
        rpu_hours = seconds / 3600 * cost.redshift_base_rpus
        limit = cost.redshift_max_rpu_hours_per_month
        if limit is not None and rpu_hours > limit:
            notes.append(
                f"{rpu_hours:,.0f} RPU-hours a month exceed cost.redshift_max_rpu_hours_per_month "
                f"({limit:,.0f}): the usage limit would stop the workgroup before the month ends."
            )
    else:
        queries = misses + tools  # each miss one query, each tool question one more (remote)
        services[ATHENA] = queries * athena_cost(workload.bytes_scanned, cost)
    services[BEDROCK] = llm_questions * bedrock_cost(
        model, workload.input_tokens, workload.output_tokens, cost
    )
    services[LAMBDA] = tools * lambda_cost(
        workload.lambda_ms, settings.invoker.lambda_.memory_mb, cost
    )
    instance, volume = notebook_monthly_cost(cost, workload.working_days)
    services[SAGEMAKER_NOTEBOOK] = instance + volume
    if bedrock_rate(model, cost).source == "default":
        notes.append(
            f"No price is known for {model}: priced at cost.bedrock_*_per_1k_tokens.default."
        )
    return Estimate(chosen, services, questions, llm_questions, rpu_hours, notes)


def _configured_backend(settings: Settings) -> Backend:
    backend = settings.warehouse.backend
    if backend in ("athena", "redshift"):
        return backend
    return settings.cost.reference_warehouse


@dataclass(frozen=True)
class LlmOption:
    """One row of the LLM comparison: which share of the misses reaches which model."""

    label: str
    share: float
    model_id: str


#: Larger model a team may opt into for planning (docs/cost.md).
LARGER_MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
#: Cheapest models with tool use, for the every-question rows.
SMALL_MODELS = (
    "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    "us.amazon.nova-lite-v1:0",
)


def llm_options(settings: Settings, workload: Workload) -> list[LlmOption]:
    """The LLM setups compared side by side: none, the configured one, larger and cheaper ones."""
    configured = workload.model_id or settings.planner.bedrock.model_id
    share = _llm_share(workload, settings)
    options = [LlmOption("no LLM (offline planner)", 0.0, configured)]
    if share:
        options.append(LlmOption(f"configured: {share:.0%} of misses", share, configured))
    options.append(LlmOption("larger model (opt-in): 25% of misses", 0.25, LARGER_MODEL))
    for model in SMALL_MODELS:
        options.append(LlmOption("every uncached question", 1.0, model))
    return options


def compare(settings: Settings, workload: Workload = Workload()) -> dict[str, Any]:
    """Both backends with the configured LLM use, and the LLM options on each backend."""
    backends = {b: estimate(settings, workload, backend=b) for b in BACKENDS}
    rows: list[dict[str, Any]] = []
    for option in llm_options(settings, workload):
        varied = replace(workload, llm_share=option.share, model_id=option.model_id)
        row: dict[str, Any] = {
            "option": option.label,
            "model_id": option.model_id,
            "share": option.share,
        }
        for b in BACKENDS:
            row[b] = estimate(settings, varied, backend=b).total
        rows.append(row)
    return {
        "backends": backends,
        "llm_options": rows,
        "configured": estimate(settings, workload),
    }
