"""Pricing: each service's billing rule, actual vs AWS-equivalent cost."""

from __future__ import annotations

import pytest

from workbench.core.config import CostSettings, load_settings
from workbench.cost.pricing import (
    ATHENA,
    BEDROCK,
    LAMBDA,
    REDSHIFT,
    athena_cost,
    bedrock_cost,
    lambda_cost,
    notebook_daily_cost,
    price,
    redshift_cost,
)
from workbench.cost.usage import InvocationUsage, LlmUsage, Usage, WarehouseUsage

COST = CostSettings()
MB, TB = 1024**2, 1024**4


def test_redshift_has_a_sixty_second_minimum() -> None:
    assert redshift_cost(150.0, COST) == pytest.approx(8 * 60 / 3600 * 0.375)  # $0.05
    assert redshift_cost(120_000.0, COST) == pytest.approx(0.1)


def test_athena_rounds_up_to_a_megabyte_with_a_ten_megabyte_minimum() -> None:
    minimum = 10 * MB / TB * 5.0
    assert athena_cost(None, COST) == pytest.approx(minimum)
    assert athena_cost(1_500_000, COST) == pytest.approx(minimum)
    assert athena_cost(int(20.5 * MB), COST) == pytest.approx(21 * MB / TB * 5.0)
    assert athena_cost(1024**3, COST) == pytest.approx(5.0 / 1024)


def test_lambda_gb_seconds_rounded_to_a_millisecond_plus_requests() -> None:
    assert lambda_cost(1500.2, 1024, COST) == pytest.approx(1.501 * 0.0000166667 + 0.0000002)
    assert lambda_cost(100.0, 512, COST) == pytest.approx(0.5 * 0.1 * 0.0000166667 + 0.0000002)


def test_bedrock_per_model_with_default_fallback() -> None:
    cost = CostSettings(
        bedrock_input_per_1k_tokens={
            "default": 0.003,
            "anthropic.claude-3-haiku-20240307-v1:0": 0.00025,
        },
        bedrock_output_per_1k_tokens={
            "default": 0.015,
            "anthropic.claude-3-haiku-20240307-v1:0": 0.00125,
        },
    )
    assert bedrock_cost("some-other-model", 1000, 500, cost) == pytest.approx(0.003 + 0.0075)
    assert bedrock_cost(
        "anthropic.claude-3-haiku-20240307-v1:0", 2000, 1000, cost
    ) == pytest.approx(0.0005 + 0.00125)


def test_local_run_costs_nothing_but_records_the_aws_equivalent() -> None:
    usage = Usage(
        warehouse=[WarehouseUsage("duckdb", 35.0, None, 10)],
        llm=[LlmUsage("offline", "offline", 0, 0)],
        invocations=[InvocationUsage("local", "inventory", 250.0, 1024)],
    )
    cost = price(usage, COST)
    assert cost.actual == {} and cost.total == 0
    assert set(cost.aws_equivalent) == {
        REDSHIFT,
        LAMBDA,
    }  # zero-token offline planning adds no Bedrock line
    assert cost.aws_equivalent[REDSHIFT] == pytest.approx(0.05)
    assert cost.aws_equivalent[LAMBDA] == pytest.approx(0.25 * 0.0000166667 + 0.0000002)


def test_reference_warehouse_athena_prices_local_queries_by_bytes() -> None:
    athena_ref = CostSettings(reference_warehouse="athena")
    cost = price(Usage(warehouse=[WarehouseUsage("duckdb", 35.0, 50 * MB, 10)]), athena_ref)
    assert cost.aws_equivalent == {ATHENA: pytest.approx(50 * MB / TB * 5.0)}


def test_aws_backends_are_actual_cost() -> None:
    usage = Usage(
        warehouse=[
            WarehouseUsage("redshift", 2000.0),
            WarehouseUsage("athena", 900.0, 2 * 1024**3),
        ],
        llm=[LlmUsage("bedrock", "m", 1200, 300), LlmUsage("bedrock", "m", 800, 200)],
        invocations=[InvocationUsage("lambda", "route", 800.0, 2048)],
    )
    cost = price(usage, COST)
    assert cost.actual == cost.aws_equivalent
    assert cost.actual[BEDROCK] == pytest.approx(2.0 * 0.003 + 0.5 * 0.015)
    assert cost.actual[REDSHIFT] == pytest.approx(0.05)
    assert cost.actual[ATHENA] == pytest.approx(10.0 / 1024)
    assert cost.actual[LAMBDA] == pytest.approx(2 * 0.8 * 0.0000166667 + 0.0000002)
    assert cost.total == pytest.approx(sum(cost.actual.values()))
    # The caller decides which backends bill for real.
    assert price(usage, COST, actual_backends=frozenset()).actual == {}


def test_offline_tokens_are_priced_as_bedrock_equivalent() -> None:
    cost = price(Usage(llm=[LlmUsage("offline", "offline", 1000, 1000)]), COST)
    assert cost.actual == {} and cost.aws_equivalent[BEDROCK] == pytest.approx(0.018)


def test_notebook_is_a_daily_overhead_from_configuration() -> None:
    volume_day = 5 * 0.14 * 12 / 365  # 5 GB at $0.14 per GB-month, one day of it
    assert notebook_daily_cost(COST) == pytest.approx(8 * 0.05 + volume_day)
    settings = load_settings(
        {
            "cost": {
                "sagemaker_hours_per_day": 24,
                "sagemaker_instance_hour": 0.1,
                "sagemaker_volume_gb": 0,
            }
        }
    )
    assert notebook_daily_cost(settings.cost) == pytest.approx(2.4)
