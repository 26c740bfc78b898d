"""Turn what an answer consumed (:class:`Usage`) into money by service (:class:`Cost`).

Prices come from ``settings.cost`` (USD). Every usage item is priced twice:

* ``actual`` — only items that ran on a billed AWS service (backend names in
  ``actual_backends``: redshift, athena, bedrock, lambda). A local run (DuckDB, the offline
  planner, the local invoker) costs $0 and leaves ``actual`` empty.
* ``aws_equivalent`` — every item as if it had run on the configured AWS setup: a DuckDB
  query is priced on ``cost.reference_warehouse`` (Redshift Serverless by default), a local
  tool call as a Lambda invocation, recorded LLM tokens at the Bedrock model's price.

Rules per service (the AWS billing units):

* Bedrock: input and output tokens per 1,000, per model id, falling back to ``"default"``.
* Redshift Serverless: base RPUs × max(duration, 60 s) / 3600 × price per RPU-hour. The
  60-second minimum is per query here — an upper bound, since AWS bills the workgroup's
  active seconds and concurrent queries share them.
* Athena: bytes scanned rounded up to a whole MB, at least 10 MB, / 1 TB (2**40 bytes) ×
  price per TB. A DuckDB query priced as Athena uses the bytes it reports, else the 10 MB
  minimum (DuckDB does not report bytes scanned; our tables are small, so the minimum is
  what Athena would charge for most of them).
* Lambda: GB-seconds (memory MB / 1024 × duration rounded up to 1 ms) × price, plus the
  per-request price.
* SageMaker notebook instance: billed per instance hour whatever the queries do, so it is
  a fixed overhead and never part of one answer's cost. The ledger adds it as its own
  service line (``sagemaker_notebook``) to daily totals and the month-end projection: see
  :func:`notebook_daily_cost`.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from workbench.core.config import CostSettings
from workbench.cost.usage import Cost, InvocationUsage, LlmUsage, Usage, WarehouseUsage

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


def _round(value: float) -> float:
    return round(value, 12)


def bedrock_cost(model_id: str, input_tokens: int, output_tokens: int, cost: CostSettings) -> float:
    """Token price for one model (per 1,000 tokens, ``"default"`` when the model is not listed)."""
    in_prices, out_prices = cost.bedrock_input_per_1k_tokens, cost.bedrock_output_per_1k_tokens
    in_price = in_prices.get(model_id, in_prices.get("default", 0.0))
    out_price = out_prices.get(model_id, out_prices.get("default", 0.0))
    return input_tokens / 1000 * in_price + output_tokens / 1000 * out_price


def redshift_cost(duration_ms: float, cost: CostSettings) -> float:
    """Redshift Serverless: base RPUs for max(duration, minimum) seconds at the RPU-hour price."""
    seconds = max(duration_ms / 1000.0, cost.redshift_min_seconds)
    return cost.redshift_base_rpus * seconds / 3600.0 * cost.redshift_rpu_hour


def athena_cost(bytes_scanned: int | None, cost: CostSettings) -> float:
    """Athena: bytes rounded up to a MB, at least the 10 MB minimum, at the price per TB."""
    scanned = max(int(bytes_scanned or 0), 0)
    billed = max(math.ceil(scanned / _MB) * _MB, cost.athena_min_bytes)
    return billed / _TB * cost.athena_per_tb


def lambda_cost(duration_ms: float, memory_mb: int, cost: CostSettings) -> float:
    """Lambda: GB-seconds (duration rounded up to 1 ms) plus the per-request charge."""
    seconds = math.ceil(max(duration_ms, 0.0)) / 1000.0
    return memory_mb / 1024.0 * seconds * cost.lambda_gb_second + cost.lambda_per_request


def notebook_daily_cost(cost: CostSettings) -> float:
    """What the SageMaker notebook instance costs for one working day (``sagemaker_hours_per_day``)."""
    return cost.sagemaker_hours_per_day * cost.sagemaker_instance_hour


def _warehouse_line(item: WarehouseUsage, backend: str, cost: CostSettings) -> tuple[str, float]:
    if backend == "athena":
        return ATHENA, athena_cost(item.bytes_scanned, cost)
    return REDSHIFT, redshift_cost(item.duration_ms, cost)


def _add(target: dict[str, float], service: str, amount: float) -> None:
    target[service] = target.get(service, 0.0) + amount


def price(
    usage: Usage, cost: CostSettings, *, actual_backends: Collection[str] = AWS_BACKENDS
) -> Cost:
    """Price every usage item: ``actual`` for billed AWS backends, ``aws_equivalent`` for all."""
    actual: dict[str, float] = {}
    equivalent: dict[str, float] = {}
    for wh in usage.warehouse:
        billed = wh.backend in actual_backends
        backend = wh.backend if wh.backend in ("redshift", "athena") else cost.reference_warehouse
        service, amount = _warehouse_line(wh, backend, cost)
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
    return bedrock_cost(llm.model_id, llm.input_tokens, llm.output_tokens, cost)


def _invocation_amount(inv: InvocationUsage, cost: CostSettings) -> float:
    return lambda_cost(inv.duration_ms, inv.memory_mb, cost)
