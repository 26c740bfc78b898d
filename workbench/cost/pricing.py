"""Turn what an answer consumed (:class:`Usage`) into money by service (:class:`Cost`).

Prices come from ``settings.cost`` (USD) and, for Bedrock, from the shipped price table
below (configuration overrides it). Every usage item is priced twice:

* ``actual`` — only items that ran on a billed AWS service (backend names in
  ``actual_backends``: redshift, athena, bedrock, lambda). A local run (DuckDB, the offline
  planner, the local invoker) costs $0 and leaves ``actual`` empty.
* ``aws_equivalent`` — every item as if it had run on the configured AWS setup: a DuckDB
  query is priced on ``cost.reference_warehouse`` (Redshift Serverless by default), a local
  tool call as a Lambda invocation, recorded LLM tokens at the Bedrock model's price.

Rules per service (the AWS billing units):

* Bedrock: input and output tokens per 1,000, per model. The model id is reduced to its
  model (an inference profile ``us.``/``eu.``/``apac.``/``global.``… or an ARN names the
  model it routes to) and matched by family (``anthropic.claude-3-5-haiku`` matches every
  dated version); configuration entries win over the shipped table; a model found in
  neither is priced at ``default`` and logged once as a warning.
* Redshift Serverless: the workgroup is billed for its *active periods*, per second, at
  least ``redshift_min_seconds`` (60 s) each: a query that starts while the workgroup is
  already billed (inside another query, or inside the minute a previous query paid for)
  adds only the seconds it runs past that period. :func:`redshift_billed_seconds` computes
  this for any set of query windows, using the server-side duration. One query on its own
  is one period (``max(duration, 60 s)``); the ledger merges the windows of all answers
  per workgroup and charges each answer what it added (see ``workbench.cost.ledger``).
* Athena: bytes scanned rounded up to a whole MB, at least 10 MB, / 1 TB (2**40 bytes) ×
  price per TB. A DuckDB query priced as Athena uses the bytes it reports, else the 10 MB
  minimum.
* Lambda: every request sent (retries included) costs the per-request price plus
  GB-seconds: memory MB / 1024 × Lambda's own billed duration (read from the response's
  log tail; the client's wall time, an upper bound, when it is not available). A request
  throttled before the function ran is not billed.
* SageMaker notebook instance: billed per instance hour whatever the queries do, plus its
  ML storage volume per GB-month, so it is a fixed overhead and never part of one answer's
  cost: see :func:`notebook_instance_daily_cost` and :func:`notebook_volume_daily_cost`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from workbench.core.config import CostSettings
from workbench.core.logs import log_event
from workbench.cost.usage import Cost, InvocationUsage, LlmUsage, Usage, WarehouseUsage

log = logging.getLogger(__name__)

BEDROCK = "bedrock"
REDSHIFT = "redshift_serverless"
ATHENA = "athena"
LAMBDA = "lambda"
SAGEMAKER_NOTEBOOK = "sagemaker_notebook"
#: Every service name that can appear in a Cost, in display order.
SERVICES: tuple[str, ...] = (BEDROCK, REDSHIFT, ATHENA, LAMBDA, SAGEMAKER_NOTEBOOK)

#: Backend names (WarehouseUsage.backend, LlmUsage.backend, InvocationUsage.invoker) AWS bills.
AWS_BACKENDS: frozenset[str] = frozenset({"redshift", "athena", "bedrock", "lambda"})

_MB = 1024**2
_TB = 1024**4
#: Hours in an average month (AWS's 730-hour month).
HOURS_PER_MONTH = 730.0
_DAYS_PER_MONTH = 365.0 / 12


def _round(value: float) -> float:
    return round(value, 12)


# -- Bedrock -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelPrice:
    """On-demand price of one model family in USD per 1,000 tokens."""

    family: str
    name: str
    input_per_1k: float
    output_per_1k: float
    #: Extra share charged off the global endpoint (geo profiles ``us.``/``eu.``… and in-Region
    #: ids) — 10 % for the Claude 4.5 generation, whose list price is the ``global.`` one.
    regional_premium: float = 0.0


#: Bedrock on-demand prices (USD per 1,000 tokens, us-east-1 list prices), by model family.
#: A family matches every dated version of it (``anthropic.claude-3-5-sonnet-20241022-v2:0``);
#: the longest matching family wins (``claude-opus-4-5`` before ``claude-opus-4``).
BEDROCK_PRICES: tuple[ModelPrice, ...] = (
    ModelPrice("anthropic.claude-3-sonnet", "Claude 3 Sonnet", 0.003, 0.015),
    ModelPrice("anthropic.claude-3-5-sonnet", "Claude 3.5 Sonnet", 0.003, 0.015),
    ModelPrice("anthropic.claude-3-7-sonnet", "Claude 3.7 Sonnet", 0.003, 0.015),
    ModelPrice("anthropic.claude-sonnet-4", "Claude Sonnet 4", 0.003, 0.015),
    ModelPrice("anthropic.claude-sonnet-4-5", "Claude Sonnet 4.5", 0.003, 0.015, 0.10),
    ModelPrice("anthropic.claude-3-haiku", "Claude 3 Haiku", 0.00025, 0.00125),
    ModelPrice("anthropic.claude-3-5-haiku", "Claude 3.5 Haiku", 0.0008, 0.004),
    ModelPrice("anthropic.claude-haiku-4-5", "Claude Haiku 4.5", 0.001, 0.005, 0.10),
    ModelPrice("anthropic.claude-3-opus", "Claude 3 Opus", 0.015, 0.075),
    ModelPrice("anthropic.claude-opus-4", "Claude Opus 4 / 4.1", 0.015, 0.075),
    ModelPrice("anthropic.claude-opus-4-5", "Claude Opus 4.5", 0.005, 0.025, 0.10),
    ModelPrice("amazon.nova-micro", "Amazon Nova Micro", 0.000035, 0.00014),
    ModelPrice("amazon.nova-lite", "Amazon Nova Lite", 0.00006, 0.00024),
    ModelPrice("amazon.nova-pro", "Amazon Nova Pro", 0.0008, 0.0032),
)
_BY_FAMILY = {p.family: p for p in BEDROCK_PRICES}

#: Prefixes of cross-region inference profiles: ``us.anthropic.claude-3-5-haiku-…``.
_PROFILE_PREFIX = re.compile(r"^(?:us-gov|us|eu|apac|global|jp|au|ca)\.(?=[a-z0-9-]+\.)")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def bedrock_base_model(model_id: str) -> str:
    """The model an id, an inference profile id or an ARN invokes.

    ``us.anthropic.claude-3-5-haiku-20241022-v1:0`` and
    ``arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-haiku-20241022-v1:0``
    both name ``anthropic.claude-3-5-haiku-20241022-v1:0``.
    """
    text = model_id.strip()
    if text.startswith("arn:"):
        text = text.rsplit("/", 1)[-1]
    return _PROFILE_PREFIX.sub("", text)


def _family_of(base: str) -> ModelPrice | None:
    matches = [
        entry
        for family, entry in _BY_FAMILY.items()
        if base == family or (base.startswith(family) and base[len(family)] in "-:")
    ]
    return max(matches, key=lambda e: len(e.family), default=None)


@dataclass(frozen=True)
class BedrockRate:
    """The price used for one model id, and where it came from (``configuration``, ``shipped``, ``default``)."""

    model_id: str
    base_model: str
    input_per_1k: float
    output_per_1k: float
    source: str
    name: str = ""


def bedrock_rate(model_id: str, cost: CostSettings) -> BedrockRate:
    """Price per 1,000 tokens for ``model_id``: configuration, then the shipped table, then ``default``.

    A model priced at ``default`` is logged once per process as ``bedrock_price_fallback``
    (WARNING): its figures are a guess until its price is added to ``cost.bedrock_*``.
    """
    base = bedrock_base_model(model_id)
    ins, outs = cost.bedrock_input_per_1k_tokens, cost.bedrock_output_per_1k_tokens
    for key in (model_id, base):
        if key in ins and key in outs:
            return BedrockRate(model_id, base, ins[key], outs[key], "configuration")
    shipped = _family_of(base)
    if shipped is not None:
        on_global = model_id.strip().rsplit("/", 1)[-1].startswith("global.")
        factor = 1.0 if on_global else 1.0 + shipped.regional_premium
        return BedrockRate(
            model_id,
            base,
            round(shipped.input_per_1k * factor, 9),
            round(shipped.output_per_1k * factor, 9),
            "shipped",
            shipped.name,
        )
    with _warned_lock:
        first = model_id not in _warned
        _warned.add(model_id)
    if first:
        log_event(
            log,
            "bedrock_price_fallback",
            f"No Bedrock price is known for {model_id}: priced at cost.bedrock_*_per_1k_tokens.default",
            level=logging.WARNING,
            model_id=model_id,
            base_model=base,
            input_per_1k=ins.get("default", 0.0),
            output_per_1k=outs.get("default", 0.0),
            hint="add the model's prices to cost.bedrock_input_per_1k_tokens / cost.bedrock_output_per_1k_tokens",
        )
    return BedrockRate(model_id, base, ins.get("default", 0.0), outs.get("default", 0.0), "default")


def bedrock_cost(model_id: str, input_tokens: int, output_tokens: int, cost: CostSettings) -> float:
    """Token price of one call (see :func:`bedrock_rate` for which price applies)."""
    rate = bedrock_rate(model_id, cost)
    return input_tokens / 1000 * rate.input_per_1k + output_tokens / 1000 * rate.output_per_1k


# -- Redshift Serverless -----------------------------------------------------------------------
def redshift_billed_seconds(
    windows: Iterable[tuple[float, float]], min_seconds: float = 60.0
) -> float:
    """Billed seconds of one workgroup for query windows ``(start, end)`` in seconds.

    The workgroup is active from a query's start; an active period lasts until its last
    query ends, and at least ``min_seconds`` from its start. A query starting inside a
    period joins it. Each period is billed ``max(its length, min_seconds)``.
    """
    total = 0.0
    period_start: float | None = None
    period_end = 0.0
    for start, end in sorted((float(s), max(float(s), float(e))) for s, e in windows):
        if period_start is not None and start <= period_end:
            period_end = max(period_end, end)
            continue
        if period_start is not None:
            total += period_end - period_start
        period_start, period_end = start, max(end, start + min_seconds)
    if period_start is not None:
        total += period_end - period_start
    return total


def redshift_seconds_cost(seconds: float, cost: CostSettings) -> float:
    """What ``seconds`` of active workgroup time cost at the base RPUs."""
    return cost.redshift_base_rpus * seconds / 3600.0 * cost.redshift_rpu_hour


def redshift_cost(duration_ms: float, cost: CostSettings) -> float:
    """One query alone on the workgroup: one active period, ``max(duration, minimum)``."""
    seconds = max(duration_ms / 1000.0, cost.redshift_min_seconds)
    return redshift_seconds_cost(seconds, cost)


# -- Athena ------------------------------------------------------------------------------------
def athena_billed_bytes(bytes_scanned: int | None, cost: CostSettings) -> int:
    """Bytes Athena bills: rounded up to a MB, at least the per-query minimum (10 MB)."""
    scanned = max(int(bytes_scanned or 0), 0)
    return max(math.ceil(scanned / _MB) * _MB, cost.athena_min_bytes)


def athena_cost(bytes_scanned: int | None, cost: CostSettings) -> float:
    """Athena: bytes rounded up to a MB, at least the 10 MB minimum, at the price per TB."""
    return athena_billed_bytes(bytes_scanned, cost) / _TB * cost.athena_per_tb


# -- Lambda ------------------------------------------------------------------------------------
def lambda_cost(
    duration_ms: float, memory_mb: int, cost: CostSettings, *, billed: bool = True
) -> float:
    """One request: GB-seconds (duration rounded up to 1 ms) plus the per-request charge."""
    if not billed:
        return 0.0
    seconds = math.ceil(max(duration_ms, 0.0)) / 1000.0
    return memory_mb / 1024.0 * seconds * cost.lambda_gb_second + cost.lambda_per_request


_BILLED_DURATION = re.compile(r"Billed Duration:\s*([0-9.]+)\s*ms")


def lambda_billed_duration_ms(log_result: str | bytes | None) -> float | None:
    """Lambda's ``Billed Duration`` from the base64 log tail of an invoke response (``LogType=Tail``)."""
    if not log_result:
        return None
    import base64
    import binascii

    try:
        text = base64.b64decode(log_result).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None
    found = _BILLED_DURATION.findall(text)
    return float(found[-1]) if found else None


# -- SageMaker notebook instance ---------------------------------------------------------------
def notebook_hours_per_day(cost: CostSettings) -> float:
    """Instance hours per running day: 24 when always on, else ``sagemaker_hours_per_day``."""
    return 24.0 if cost.sagemaker_always_on else cost.sagemaker_hours_per_day


def notebook_instance_daily_cost(cost: CostSettings) -> float:
    """Instance hours of one day it runs (every day when always on, else the working days)."""
    return notebook_hours_per_day(cost) * cost.sagemaker_instance_hour


def notebook_volume_daily_cost(cost: CostSettings) -> float:
    """The notebook's ML storage volume for one calendar day (billed whether it runs or not)."""
    return cost.sagemaker_volume_gb * cost.sagemaker_volume_gb_month / _DAYS_PER_MONTH


def notebook_daily_cost(cost: CostSettings) -> float:
    """What the notebook instance costs for one day it runs: instance hours plus its volume."""
    return notebook_instance_daily_cost(cost) + notebook_volume_daily_cost(cost)


def notebook_monthly_cost(cost: CostSettings, working_days: float) -> tuple[float, float]:
    """(instance, volume) USD for one month: 730 h when always on, else hours × working days."""
    hours = (
        HOURS_PER_MONTH if cost.sagemaker_always_on else cost.sagemaker_hours_per_day * working_days
    )
    return (
        hours * cost.sagemaker_instance_hour,
        cost.sagemaker_volume_gb * cost.sagemaker_volume_gb_month,
    )


# -- one answer --------------------------------------------------------------------------------
def priced_warehouse(item: WarehouseUsage, cost: CostSettings) -> str:
    """The warehouse a query is billed on: its own when AWS, else ``reference_warehouse``."""
    return item.backend if item.backend in ("redshift", "athena") else cost.reference_warehouse


def _warehouse_line(item: WarehouseUsage, backend: str, cost: CostSettings) -> tuple[str, float]:
    if backend == "athena":
        return ATHENA, athena_cost(item.bytes_scanned, cost)
    return REDSHIFT, redshift_cost(item.billed_duration_ms, cost)


def _add(target: dict[str, float], service: str, amount: float) -> None:
    target[service] = target.get(service, 0.0) + amount


def price(
    usage: Usage, cost: CostSettings, *, actual_backends: Collection[str] = AWS_BACKENDS
) -> Cost:
    """Price every usage item: ``actual`` for billed AWS backends, ``aws_equivalent`` for all.

    Redshift queries are priced here as if each were alone on the workgroup (an upper
    bound); :meth:`~workbench.cost.ledger.CostLedger.record` replaces that line with what
    the query added to the workgroup's merged active periods.
    """
    actual: dict[str, float] = {}
    equivalent: dict[str, float] = {}
    for wh in usage.warehouse:
        billed = wh.backend in actual_backends
        service, amount = _warehouse_line(wh, priced_warehouse(wh, cost), cost)
        _add(equivalent, service, amount)
        if billed:
            _add(actual, service, amount)
    for llm in usage.llm:
        amount = _llm_amount(llm, cost)
        if amount == 0.0:
            continue
        _add(equivalent, BEDROCK, amount)
        if llm.backend in actual_backends:
            _add(actual, BEDROCK, amount)
    for inv in usage.invocations:
        amount = _invocation_amount(inv, cost)
        _add(equivalent, LAMBDA, amount)
        if inv.invoker in actual_backends:
            _add(actual, LAMBDA, amount)
    return Cost(
        {k: _round(v) for k, v in actual.items()}, {k: _round(v) for k, v in equivalent.items()}
    )


def _llm_amount(llm: LlmUsage, cost: CostSettings) -> float:
    if not llm.input_tokens and not llm.output_tokens:
        return 0.0
    return bedrock_cost(llm.model_id, llm.input_tokens, llm.output_tokens, cost)


def _invocation_amount(inv: InvocationUsage, cost: CostSettings) -> float:
    duration = inv.billed_duration_ms if inv.billed_duration_ms is not None else inv.duration_ms
    return lambda_cost(duration, inv.memory_mb, cost, billed=inv.billed)
