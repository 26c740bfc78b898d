"""The AWS clients against a scripted endpoint on 127.0.0.1 (``aws.endpoint_url``).

Unlike botocore's Stubber, these requests go through botocore's real HTTP path, so its
retries and read timeouts count: how many times a Lambda call is *sent* is what is billed
(and how often the tool runs). Bedrock's Converse answers are scripted the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.loopback import Reply, Seen, aws_error, loopback_aws
from tests.conftest import AS_OF, copy_sample_home
from workbench.app import Workbench
from workbench.core.config import load_settings
from workbench.core.errors import ConfigError, ThrottledError, ToolError
from workbench.invokers.aws_lambda import LambdaInvoker

CALL = ("identify_delayed_orders", {"as_of": AS_OF.isoformat(), "warehouse_id": "WH-WEST"})
MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"


def _lambda_settings(home: Path, endpoint: str, timeout: float = 30.0) -> Any:
    return load_settings(
        {
            # botocore's default for every other client: 5 attempts. The Lambda client must not use it.
            "aws": {"region": "us-east-1", "endpoint_url": endpoint, "max_attempts": 5},
            "invoker": {"backend": "lambda", "lambda": {"timeout_seconds": timeout}},
        },
        home=home,
    )


def _invocations(requests: list[Seen]) -> list[Seen]:
    return [r for r in requests if r.path.endswith("/invocations")]


def test_a_timed_out_lambda_call_is_sent_once(aws_env: None, tmp_path: Path) -> None:
    with loopback_aws(
        lambda _r: Reply(200, {"statusCode": 200, "body": {}}, delay_seconds=3)
    ) as fake:
        invoker = LambdaInvoker(
            _lambda_settings(tmp_path, fake.url, timeout=0.5), sleep=lambda _s: None
        )
        with pytest.raises(ToolError, match=r"did not answer within 0\.5 seconds") as caught:
            invoker.invoke(*CALL)
        sent = _invocations(fake.requests)
    assert len(sent) == 1, [r.path for r in sent]
    assert caught.value.fields["resent"] is False
    assert json.loads(sent[0].body) == {"tool": CALL[0], "arguments": CALL[1]}


def test_a_throttled_lambda_call_is_sent_at_most_four_times(aws_env: None, tmp_path: Path) -> None:
    sleeps: list[float] = []
    reply = aws_error(429, "TooManyRequestsException", "Rate exceeded")
    with loopback_aws(lambda _r: reply) as fake:
        invoker = LambdaInvoker(_lambda_settings(tmp_path, fake.url), sleep=sleeps.append)
        with pytest.raises(ThrottledError):
            invoker.invoke(*CALL)
        sent = _invocations(fake.requests)
    assert len(sent) == 4
    assert len(sleeps) == 3  # backoff between sends, from one retry layer


def test_a_throttled_call_that_recovers_answers(aws_env: None, tmp_path: Path) -> None:
    def route(request: Seen) -> Reply:
        if len(fake.requests) < 3:
            return aws_error(429, "TooManyRequestsException", "Rate exceeded")
        return Reply(200, {"statusCode": 200, "body": {"rows": [], "summary": "ok"}})

    with loopback_aws(route) as fake:
        invoker = LambdaInvoker(_lambda_settings(tmp_path, fake.url), sleep=lambda _s: None)
        assert invoker.invoke(*CALL) == {"rows": [], "summary": "ok"}
        assert len(_invocations(fake.requests)) == 3


# -- Bedrock ----------------------------------------------------------------------------------
def _converse_reply(content: list[dict[str, Any]], stop: str, tokens: tuple[int, int]) -> Reply:
    return Reply(
        200,
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": {
                "inputTokens": tokens[0],
                "outputTokens": tokens[1],
                "totalTokens": sum(tokens),
            },
            "metrics": {"latencyMs": 100},
        },
    )


def _tool_names(request: Seen) -> list[str]:
    tools = request.json().get("toolConfig", {}).get("tools", [])
    return [t["toolSpec"]["name"] for t in tools]


def _bedrock_workbench(home: Path, endpoint: str) -> Workbench:
    return Workbench(
        home=home,
        config={
            "as_of": AS_OF.isoformat(),
            "planner": {
                "mode": "bedrock",
                "bedrock": {"model_id": MODEL_ID, "retry_base_seconds": 0.01},
            },
            "aws": {"region": "us-east-1", "endpoint_url": endpoint},
            "cache": {"enabled": False},
        },
    )


@pytest.fixture
def bedrock_home(sample_home: Path, tmp_path: Path) -> Path:
    return copy_sample_home(sample_home, tmp_path / "home")


def test_a_plan_with_json_string_arrays_is_answered_and_billed(
    aws_env: None, bedrock_home: Path
) -> None:
    plan = {
        "kind": "metrics",
        # What models send: arrays and objects as JSON text.
        "metrics": json.dumps(["revenue"]),
        "dimensions": '["warehouse"]',
        "time_window": json.dumps({"expression": "last month"}),
        "order_by": json.dumps([{"field": "revenue", "descending": True}]),
    }

    def route(request: Seen) -> Reply:
        names = _tool_names(request)
        if names == ["classify_intent"]:
            use = {
                "toolUseId": "t0",
                "name": "classify_intent",
                "input": {"intent": "sql_query", "confidence": 0.9},
            }
            return _converse_reply([{"toolUse": use}], "tool_use", (300, 20))
        use = {"toolUseId": "t1", "name": "plan_query", "input": plan}
        return _converse_reply([{"toolUse": use}], "tool_use", (1500, 90))

    with loopback_aws(route) as fake, _bedrock_workbench(bedrock_home, fake.url) as wb:
        answer = wb.ask(
            "Which warehouse sold the most last month, in revenue?", "warehouse_manager"
        )
        paths = [r.path for r in fake.requests]
    assert answer.ok, answer.error
    assert answer.details["planner"] == "bedrock"
    assert "revenue" in answer.frame.columns and answer.plan is not None
    assert answer.plan.metrics == ("revenue",) and answer.plan.dimensions == ("warehouse",)
    assert len(answer.frame) == 3
    assert answer.usage.output_tokens >= 90 and answer.usage.input_tokens >= 1500
    assert all(p.endswith("/converse") for p in paths)
    entry = wb.orchestrator.ledger.entries()[-1].to_dict()
    assert entry["input_tokens"] == answer.usage.input_tokens


def test_an_unusable_plan_is_a_clear_answer_with_its_tokens_recorded(
    aws_env: None, bedrock_home: Path
) -> None:
    def route(request: Seen) -> Reply:
        if _tool_names(request) == ["classify_intent"]:
            use = {
                "toolUseId": "t0",
                "name": "classify_intent",
                "input": {"intent": "sql_query", "confidence": 0.9},
            }
            return _converse_reply([{"toolUse": use}], "tool_use", (300, 20))
        # Not a list, not JSON: never usable, whatever the round.
        use = {
            "toolUseId": "t1",
            "name": "plan_query",
            "input": {"kind": "metrics", "metrics": "revenue, please"},
        }
        return _converse_reply([{"toolUse": use}], "tool_use", (1000, 50))

    with loopback_aws(route) as fake, _bedrock_workbench(bedrock_home, fake.url) as wb:
        answer = wb.ask(
            "Which warehouse sold the most last month, in revenue?", "warehouse_manager"
        )
        plan_calls = [r for r in fake.requests if "plan_query" in _tool_names(r)]
    assert not answer.ok and "schema" in answer.error
    assert len(plan_calls) == 2  # the first try and one correction round (max_corrections: 1)
    assert answer.usage.input_tokens >= 2000
    entry = wb.orchestrator.ledger.entries()[-1].to_dict()
    assert entry["input_tokens"] == answer.usage.input_tokens


def test_a_validation_exception_reaches_the_user_with_its_hint(
    aws_env: None, bedrock_home: Path
) -> None:
    reply = aws_error(
        400,
        "ValidationException",
        "Invocation of model ID anthropic.claude-3-5-sonnet-20240620-v1:0 with on-demand "
        "throughput isn't supported. Retry your request with the ID or ARN of an inference "
        "profile that contains this model.",
    )
    with loopback_aws(lambda _r: reply) as fake, _bedrock_workbench(bedrock_home, fake.url) as wb:
        answer = wb.ask(
            "Which warehouse sold the most last month, in revenue?", "warehouse_manager"
        )
        sent = len(fake.requests)
    assert not answer.ok
    assert "inference profile" in answer.error and "planner.bedrock.model_id" in answer.error
    assert "returned an error" not in answer.error
    assert answer.details["code"] == ConfigError.code
    assert sent == 2  # intent + plan, each once: a ValidationException is not retried
