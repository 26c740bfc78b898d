"""Invokers: the local default and the Lambda adapter (botocore Stubber), held to one contract."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.core.config import Settings, load_settings
from workbench.core.errors import ThrottledError, ToolArgumentError, ToolError
from workbench.core.retry import RetryPolicy
from workbench.cost.usage import Usage
from workbench.invokers import (
    Invoker,
    LambdaInvoker,
    LocalInvoker,
    available_invokers,
    create_invoker,
    function_name_for,
)
from workbench.invokers.lambda_runtime import make_handler
from workbench.tools import registry

CALL = ("identify_delayed_orders", {"as_of": AS_OF.isoformat(), "warehouse_id": "WH-WEST"})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "aws": {"region": "us-east-1"},
            "invoker": {
                "backend": "lambda",
                "lambda": {
                    "timeout_seconds": 12,
                    "memory_mb": 2048,
                    "inventory_function": "inv-fn",
                },
            },
        },
        home=tmp_path,
    )


@pytest.fixture
def session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def lambda_invoker(
    settings: Settings, session: boto3.session.Session
) -> Iterator[tuple[LambdaInvoker, Stubber, Sleeps]]:
    sleeps = Sleeps()
    invoker = LambdaInvoker(
        settings,
        boto3_session=session,
        sleep=sleeps,
        retry_policy=RetryPolicy(attempts=3, base_delay=0.01),
    )
    with Stubber(invoker.client) as stubber:
        yield invoker, stubber, sleeps
        stubber.assert_no_pending_responses()


def _payload(obj: Any) -> StreamingBody:
    data = json.dumps(obj).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def _expected(tool: str, args: dict[str, Any], function: str) -> dict[str, Any]:
    return {
        "FunctionName": function,
        "InvocationType": "RequestResponse",
        "LogType": "Tail",
        "Payload": json.dumps({"tool": tool, "arguments": args}).encode(),
    }


def _remote(workbench: Workbench, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """What the deployed function answers: the real handler over the sample warehouse."""
    agent = registry.get(tool).agent
    return make_handler(agent, warehouse_factory=lambda: workbench.warehouse)(
        {"tool": tool, "arguments": args}, None
    )


# -- LocalInvoker -----------------------------------------------------------------------------


def test_local_invoker_runs_the_tool_and_records_usage(workbench: Workbench) -> None:
    invoker = LocalInvoker(workbench.warehouse, memory_mb=512)
    usage = Usage()
    result = invoker.invoke(*CALL, usage=usage)
    assert result == registry.call(*CALL, workbench.warehouse).to_dict()
    assert json.loads(json.dumps(result)) == result
    [inv] = usage.invocations
    assert (
        inv.invoker == "local"
        and inv.function == "identify_delayed_orders"
        and inv.memory_mb == 512
        and inv.duration_ms > 0
    )
    assert usage.warehouse and all(w.backend == "duckdb" for w in usage.warehouse)
    with pytest.raises(ToolArgumentError):
        invoker.invoke("identify_delayed_orders", {"as_of": "yesterday"}, usage=usage)
    assert len(usage.invocations) == 2  # failed calls still cost time


def test_registry_chooses_the_invoker_from_settings(
    workbench: Workbench, settings: Settings, session: boto3.session.Session
) -> None:
    assert available_invokers() == ["lambda", "local"]
    local = create_invoker(workbench.settings, warehouse=workbench.warehouse)
    assert isinstance(local, LocalInvoker) and isinstance(local, Invoker)
    remote = create_invoker(settings, boto3_session=session)
    assert isinstance(remote, LambdaInvoker) and isinstance(remote, Invoker)
    assert remote.client.meta.config.read_timeout == 12
    assert (
        remote.function_for("forecast_demand")
        == "inv-fn"
        == function_name_for("inventory", settings)
    )
    assert remote.function_for("identify_cost_savings") == "workbench-supplier-analyzer"
    assert remote.function_for("calculate_warehouse_capacity") == "workbench-logistics-optimizer"


# -- LambdaInvoker with Stubber -------------------------------------------------------------------


def test_lambda_success_equals_the_local_answer(
    workbench: Workbench, lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps]
) -> None:
    invoker, stubber, sleeps = lambda_invoker
    tool, args = CALL
    stubber.add_response(
        "invoke",
        {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": _payload(_remote(workbench, tool, args)),
        },
        _expected(tool, args, "workbench-logistics-optimizer"),
    )
    usage = Usage()
    result = invoker.invoke(tool, args, usage=usage)
    assert result == LocalInvoker(workbench.warehouse).invoke(tool, args)
    [inv] = usage.invocations
    assert (
        inv.invoker == "lambda"
        and inv.function == "workbench-logistics-optimizer"
        and inv.memory_mb == 2048
    )
    assert (
        usage.warehouse and usage.warehouse[0].backend == "duckdb"
    )  # the remote queries, reported back
    assert sleeps.calls == []


def test_lambda_function_error_carries_the_remote_message(
    lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps],
) -> None:
    invoker, stubber, _ = lambda_invoker
    stubber.add_response(
        "invoke",
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "Payload": _payload(
                {
                    "errorMessage": "Runtime exited with error: signal: killed",
                    "errorType": "Runtime.ExitError",
                }
            ),
        },
    )
    with pytest.raises(ToolError, match="signal: killed") as err:
        invoker.invoke(*CALL)
    assert err.value.fields["function"] == "workbench-logistics-optimizer"
    assert err.value.fields["error_type"] == "Runtime.ExitError"


def test_lambda_throttling_is_retried_then_succeeds(
    workbench: Workbench, lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps]
) -> None:
    invoker, stubber, sleeps = lambda_invoker
    tool, args = "calculate_warehouse_capacity", {}
    stubber.add_client_error(
        "invoke",
        service_error_code="TooManyRequestsException",
        service_message="Rate exceeded",
        http_status_code=429,
    )
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": _payload(_remote(workbench, tool, args))},
        _expected(tool, args, "workbench-logistics-optimizer"),
    )
    usage = Usage()
    result = invoker.invoke(tool, args, usage=usage)
    assert result["tool"] == tool and len(result["rows"]) == 3
    # Every request sent is recorded; the throttled one is not billed by AWS.
    assert len(sleeps.calls) == 1 and [i.billed for i in usage.invocations] == [False, True]


def test_lambda_throttling_exhausted_raises_throttled(
    lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps],
) -> None:
    invoker, stubber, sleeps = lambda_invoker
    for _ in range(3):
        stubber.add_client_error(
            "invoke",
            service_error_code="TooManyRequestsException",
            service_message="Rate exceeded",
            http_status_code=429,
        )
    with pytest.raises(ThrottledError) as err:
        invoker.invoke(*CALL)
    assert err.value.retryable and len(sleeps.calls) == 2


def test_lambda_remote_400_and_local_validation(
    workbench: Workbench, lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps]
) -> None:
    invoker, stubber, _ = lambda_invoker
    # Invalid arguments never reach Lambda (Stubber would fail on an unexpected call).
    with pytest.raises(ToolArgumentError, match="vehicles"):
        invoker.invoke(
            "optimize_delivery_route",
            {"warehouse_id": "WH-EAST", "as_of": "2026-06-30", "vehicles": -1},
        )
    # Valid by schema but unknown to the data: the function answers 400 and we raise the same error type.
    args = {"as_of": "2026-06-30", "warehouse_id": "WH-NOWHERE"}
    stubber.add_response(
        "invoke",
        {
            "StatusCode": 200,
            "Payload": _payload(_remote(workbench, "identify_delayed_orders", args)),
        },
    )
    with pytest.raises(ToolArgumentError, match="no warehouse 'WH-NOWHERE'") as err:
        invoker.invoke("identify_delayed_orders", args)
    assert err.value.fields["status"] == 400
    # A tool that cannot answer (422) becomes a ToolError with the remote message.
    args = {"category": "Bakery"}
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": _payload(_remote(workbench, "identify_low_stock", args))},
    )
    with pytest.raises(ToolError, match="No inventory positions") as err2:
        invoker.invoke("identify_low_stock", args)
    assert err2.value.fields["status"] == 422


def test_lambda_access_denied_is_not_retried(
    lambda_invoker: tuple[LambdaInvoker, Stubber, Sleeps],
) -> None:
    invoker, stubber, sleeps = lambda_invoker
    stubber.add_client_error(
        "invoke",
        service_error_code="AccessDeniedException",
        service_message="not allowed",
        http_status_code=403,
    )
    with pytest.raises(Exception, match="may not call lambda") as err:
        invoker.invoke(*CALL)
    assert not getattr(err.value, "retryable", True) and sleeps.calls == []


def test_lambda_read_timeout_is_reported_not_retried(settings: Settings) -> None:
    class TimingOut:
        calls = 0

        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            TimingOut.calls += 1
            raise ReadTimeoutError(endpoint_url="https://lambda.us-east-1.amazonaws.com")

    invoker = LambdaInvoker(settings, client=TimingOut(), sleep=Sleeps())
    with pytest.raises(ToolError, match="did not answer within 12 seconds"):
        invoker.invoke(*CALL)
    assert TimingOut.calls == 1
