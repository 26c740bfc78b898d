"""Bedrock Converse planning with botocore's Stubber (moto has no Bedrock runtime).

Stubber validates every ``converse`` request against the real service model, so the
request shapes (system prompt, tool specs with the QueryPlan schema, toolResult messages)
are the ones Bedrock accepts. Queries run on the sample DuckDB warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tests.conftest import AS_OF
from workbench.agents.base import AgentRequest
from workbench.agents.sql_agent import PersonaSqlAgent
from workbench.core.config import Settings, load_settings
from workbench.core.errors import NotUnderstoodError, PermissionDeniedError, ThrottledError
from workbench.cost.ledger import CostLedger
from workbench.cost.pricing import price
from workbench.data.schema import Persona
from workbench.llm.agent import PlanningSqlAgent, with_planner_mode
from workbench.llm.base import PlanRequest
from workbench.llm.bedrock import PLAN_TOOL, SQL_TOOL, BedrockLlm
from workbench.llm.intent import LlmIntentClassifier
from workbench.semantic.compiler import PlanCompiler
from workbench.semantic.plan import QueryPlan
from workbench.semantic.planner.offline import OfflinePlanner
from workbench.warehouse.duckdb import DuckDBWarehouse

MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
WM = Persona.WAREHOUSE_MANAGER


def settings_for(home: Path, mode: str = "bedrock") -> Settings:
    return load_settings(
        {
            "planner": {
                "mode": mode,
                "bedrock": {"model_id": MODEL_ID, "retry_base_seconds": 0.01},
            },
            "aws": {"region": "us-east-1"},
        },
        home=home,
    )


@pytest.fixture
def stub(aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(scope="module")
def warehouse(sample_home: Path) -> Iterator[DuckDBWarehouse]:
    wh = DuckDBWarehouse(sample_home / "data" / "warehouse.duckdb", row_limit=1000)
    yield wh
    wh.close()


def tool_use(
    name: str,
    payload: dict[str, Any],
    *,
    tool_id: str = "tooluse_1",
    text: str = "",
    tokens: tuple[int, int] = (1200, 80),
) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"text": text}] if text else []
    content.append({"toolUse": {"toolUseId": tool_id, "name": name, "input": payload}})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 420},
    }


def prose(text: str, tokens: tuple[int, int] = (900, 30)) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 300},
    }


def expected(messages: Any = ANY) -> dict[str, Any]:
    return {
        "modelId": MODEL_ID,
        "system": ANY,
        "messages": messages,
        "toolConfig": ANY,
        "inferenceConfig": {"maxTokens": 2048, "temperature": 0.0},
    }


def make_llm(home: Path, warehouse: DuckDBWarehouse, client: Any, **kwargs: Any) -> BedrockLlm:
    sleeps: list[float] = []
    llm = BedrockLlm(
        settings_for(home), warehouse=warehouse, client=client, sleep=sleeps.append, **kwargs
    )
    llm.sleeps = sleeps  # type: ignore[attr-defined]
    return llm


def request(question: str, persona: Persona = WM) -> PlanRequest:
    return PlanRequest(question, persona, AS_OF)


# -- prompt and tools ------------------------------------------------------------------------
def test_prompt_is_small_and_only_the_personas_tables(
    sample_home: Path, warehouse: DuckDBWarehouse
) -> None:
    llm = BedrockLlm(settings_for(sample_home), warehouse=warehouse, client=object())
    prompt = llm.system_prompt(request("anything"))
    assert len(prompt) < 8000
    assert "sales_order_header" in prompt and "2026-06-30" in prompt
    assert "purchase_order_line" not in prompt and "supplier_name" not in prompt
    procurement = llm.system_prompt(request("anything", Persona.PROCUREMENT_SPECIALIST))
    assert "purchase_order_line" in procurement and "sales_order_line" not in procurement
    tools = {t["toolSpec"]["name"]: t["toolSpec"] for t in llm.tool_config(WM)["tools"]}
    assert tools[PLAN_TOOL]["inputSchema"]["json"] == QueryPlan.json_schema(
        llm.model, persona=WM.value
    )
    assert (
        "spend"
        not in tools[PLAN_TOOL]["inputSchema"]["json"]["properties"]["metrics"]["items"]["enum"]
    )
    assert SQL_TOOL in tools and len(tools) > 2  # plus the persona's calculation tools


# -- plan via tool use -----------------------------------------------------------------------
def test_plan_via_tool_use_is_compiled_and_run(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    question = "Which warehouse sold the most last month, in revenue?"
    plan_input = {
        "kind": "metrics",
        "metrics": ["revenue"],
        "dimensions": ["warehouse"],
        "time_window": {"expression": "last month"},
        "order_by": [{"field": "revenue", "descending": True}],
    }
    stubber.add_response(
        "converse",
        tool_use(PLAN_TOOL, plan_input, text="I'll plan it."),
        expected([{"role": "user", "content": [{"text": question}]}]),
    )
    llm = make_llm(sample_home, warehouse, client)
    outcome = llm.plan(request(question))
    assert outcome.error is None and outcome.plan is not None and outcome.result is not None
    assert outcome.plan.metrics == ("revenue",) and outcome.plan.persona == WM.value
    assert (outcome.plan.time_window.start, outcome.plan.time_window.end) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
    )
    # Our compiler wrote the SQL: the same rows as compiling the plan directly.
    direct = warehouse.execute(PlanCompiler().compile(outcome.plan).ast).frame
    assert outcome.result.frame.equals(direct) and len(direct) == 3
    assert (outcome.rounds, outcome.corrections) == (1, 0)
    assert [(u.backend, u.model_id, u.input_tokens, u.output_tokens) for u in outcome.usage] == [
        ("bedrock", MODEL_ID, 1200, 80)
    ]


def test_invalid_plan_gets_one_correction_round(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    bad = {"kind": "metrics", "metrics": []}
    good = {"kind": "metrics", "metrics": ["open_orders"]}
    stubber.add_response("converse", tool_use(PLAN_TOOL, bad, tool_id="t1"), expected())
    stubber.add_response("converse", tool_use(PLAN_TOOL, good, tool_id="t2"), expected())
    outcome = make_llm(sample_home, warehouse, client).plan(
        request("how many orders are still open?")
    )
    assert (
        outcome.error is None
        and outcome.plan is not None
        and outcome.plan.metrics == ("open_orders",)
    )
    assert outcome.corrections == 1 and len(outcome.usage) == 2


# -- SQL fallback through the guard ----------------------------------------------------------
def test_sql_fallback_refused_by_the_guard_then_corrected(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    question = "How many orders were shipped after they were delivered?"
    bad_sql = "DELETE FROM sales_order_header WHERE ship_date > delivery_date"
    good_sql = "SELECT COUNT(*) AS orders FROM sales_order_header WHERE ship_date > delivery_date"
    first = tool_use(SQL_TOOL, {"sql": bad_sql}, tool_id="tooluse_sql1")
    stubber.add_response(
        "converse", first, expected([{"role": "user", "content": [{"text": question}]}])
    )
    correction_messages = [
        {"role": "user", "content": [{"text": question}]},
        first["output"]["message"],
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "tooluse_sql1",
                        "content": [{"text": ANY}],
                        "status": "error",
                    }
                }
            ],
        },
    ]
    stubber.add_response(
        "converse",
        tool_use(SQL_TOOL, {"sql": good_sql}, tool_id="tooluse_sql2", tokens=(1500, 60)),
        expected(correction_messages),
    )
    llm = make_llm(sample_home, warehouse, client)
    outcome = llm.plan(request(question))
    assert outcome.error is None and outcome.plan is None
    assert outcome.checked_sql is not None and "LIMIT" in outcome.checked_sql.sql.upper()
    assert outcome.result is not None and list(outcome.result.frame.columns) == ["orders"]
    expected_count = warehouse.execute(good_sql).frame["orders"].iloc[0]
    assert outcome.result.frame["orders"].iloc[0] == expected_count
    assert outcome.corrections == 1
    assert sum(u.input_tokens for u in outcome.usage) == 2700


def test_sql_refused_twice_ends_with_the_refusal(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    # The warehouse manager may not read supplier data, however the model phrases it.
    stubber.add_response(
        "converse", tool_use(SQL_TOOL, {"sql": "SELECT * FROM supplier"}, tool_id="a"), expected()
    )
    stubber.add_response(
        "converse",
        tool_use(SQL_TOOL, {"sql": "SELECT supplier_name FROM supplier"}, tool_id="b"),
        expected(),
    )
    outcome = make_llm(sample_home, warehouse, client).plan(request("list our suppliers"))
    assert isinstance(outcome.error, PermissionDeniedError)
    assert outcome.result is None and outcome.corrections == 1 and len(outcome.usage) == 2


def test_warehouse_rejection_is_sent_back_with_the_server_message(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    stubber.add_response(
        "converse",
        tool_use(SQL_TOOL, {"sql": "SELECT no_such_column FROM product"}, tool_id="x"),
        expected(),
    )
    stubber.add_response(
        "converse",
        tool_use(SQL_TOOL, {"sql": "SELECT COUNT(*) AS n FROM product"}, tool_id="y"),
        expected(),
    )
    llm = make_llm(sample_home, warehouse, client)
    sent: list[Any] = []
    original = llm._converse
    llm._converse = lambda system, messages, tools: (
        sent.append([dict(m) for m in messages]),
        original(system, messages, tools),
    )[1]  # type: ignore[method-assign]
    outcome = llm.plan(request("how many products do we have?"))
    assert (
        outcome.error is None
        and outcome.result is not None
        and outcome.result.frame["n"].iloc[0] == 240
    )
    tool_result = sent[1][-1]["content"][0]["toolResult"]
    assert (
        tool_result["status"] == "error" and "no_such_column" in tool_result["content"][0]["text"]
    )


def test_question_screening_happens_before_any_call(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, _ = stub  # no responses queued: any call would fail the test
    llm = make_llm(sample_home, warehouse, client)
    with pytest.raises(NotUnderstoodError):
        llm.plan(request("SELECT * FROM supplier; DROP TABLE product"))


# -- throttling, prose, tool calls -------------------------------------------------------------
def test_throttling_is_retried_with_backoff(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    for _ in range(2):
        stubber.add_client_error(
            "converse",
            service_error_code="ThrottlingException",
            service_message="Too many requests",
            http_status_code=429,
            expected_params=expected(),
        )
    stubber.add_response(
        "converse", tool_use(PLAN_TOOL, {"kind": "metrics", "metrics": ["order_count"]}), expected()
    )
    llm = make_llm(sample_home, warehouse, client)
    outcome = llm.plan(request("how many orders did we get?"))
    assert outcome.error is None and outcome.plan is not None
    assert len(llm.sleeps) == 2 and all(0 <= s <= 8.0 for s in llm.sleeps)  # type: ignore[attr-defined]
    assert len(outcome.usage) == 1  # throttled calls are not billed


def test_throttling_past_the_retries_is_reported(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    for _ in range(4):
        stubber.add_client_error(
            "converse",
            service_error_code="ThrottlingException",
            service_message="Too many requests",
            http_status_code=429,
            expected_params=expected(),
        )
    outcome = make_llm(sample_home, warehouse, client).plan(request("how many orders did we get?"))
    assert isinstance(outcome.error, ThrottledError) and outcome.usage == []


def test_prose_instead_of_a_tool_is_not_understood_but_billed(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    stubber.add_response("converse", prose("These tables do not hold weather data."), expected())
    outcome = make_llm(sample_home, warehouse, client).plan(
        request("will it rain at the East warehouse tomorrow?")
    )
    assert isinstance(outcome.error, NotUnderstoodError)
    assert "weather" in (outcome.error.detail or "")
    assert outcome.usage[0].input_tokens == 900


def test_calculation_tools_are_handed_back(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    llm = make_llm(sample_home, warehouse, client)
    tools = [
        t["toolSpec"]["name"]
        for t in llm.tool_config(WM)["tools"]
        if t["toolSpec"]["name"] not in (PLAN_TOOL, SQL_TOOL)
    ]
    stubber.add_response("converse", tool_use(tools[0], {"product_id": "P0001"}), expected())
    outcome = llm.plan(request("what should I order for P0001?"))
    assert outcome.tool_call is not None and outcome.tool_call.name == tools[0]
    assert outcome.tool_call.arguments == {"product_id": "P0001"}


# -- planner modes and token costs in the ledger --------------------------------------------
def test_bedrock_mode_answer_carries_tokens_into_the_ledger(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber], tmp_path: Path
) -> None:
    client, stubber = stub
    settings = settings_for(sample_home)
    stubber.add_response(
        "converse",
        tool_use(
            PLAN_TOOL,
            {
                "kind": "metrics",
                "metrics": ["units_sold"],
                "time_window": {"expression": "last 30 days"},
            },
            tokens=(2000, 100),
        ),
        expected(),
    )
    inner = PersonaSqlAgent(warehouse, WM, row_limit=1000)
    llm = BedrockLlm(
        settings, warehouse=warehouse, client=client, model=inner.model, sleep=lambda _s: None
    )
    agent = with_planner_mode(settings, inner, llm=llm)
    assert isinstance(agent, PlanningSqlAgent)
    answer = agent.answer(AgentRequest("units shipped out the door in the last 30 days", WM, AS_OF))
    assert answer.ok and answer.details["planner"] == "bedrock"
    assert answer.usage.input_tokens == 2000 and answer.usage.output_tokens == 100
    assert answer.usage.warehouse[0].backend == "duckdb"
    cost = price(answer.usage, settings.cost)
    assert cost.aws_equivalent["bedrock"] == pytest.approx(2000 / 1000 * 0.003 + 100 / 1000 * 0.015)
    assert "bedrock" not in cost.actual or cost.actual["bedrock"] > 0
    ledger = CostLedger(tmp_path / "ledger.sqlite3", cost_settings=settings.cost)
    ledger.record(answer.with_(cost=cost))
    entry = ledger.entries()[0].to_dict()
    assert (entry["input_tokens"], entry["output_tokens"]) == (2000, 100)
    assert entry["cost_aws_equivalent"]["bedrock"] == pytest.approx(cost.aws_equivalent["bedrock"])
    ledger.close()


def test_auto_mode_uses_bedrock_only_when_offline_does_not_understand(
    sample_home: Path, warehouse: DuckDBWarehouse, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    settings = settings_for(sample_home, mode="auto")
    offline = OfflinePlanner.for_warehouse(warehouse)
    puzzling = "what share of orders went out after the customer already had them?"

    class Planner:
        """The real offline planner, except that it does not understand ``puzzling``."""

        model, compiler = offline.model, offline.compiler

        def plan(self, question: str, **kwargs: Any) -> QueryPlan:
            if question == puzzling:
                raise NotUnderstoodError(
                    "I could not understand that question well enough to answer it reliably."
                )
            return offline.plan(question, **kwargs)

    inner = PersonaSqlAgent(warehouse, WM, row_limit=1000, planner=Planner())
    agent = with_planner_mode(
        settings,
        inner,
        llm=BedrockLlm(settings, warehouse=warehouse, client=client, model=inner.model),
    )
    understood = agent.answer(AgentRequest("revenue by warehouse last month", WM, AS_OF))
    assert understood.ok and understood.usage.llm == []  # no Bedrock call (none was stubbed)
    refused = agent.answer(AgentRequest("list our suppliers and their countries", WM, AS_OF))
    assert not refused.ok and refused.usage.llm == []  # other persona's data: never sent to the LLM
    sql = "SELECT COUNT(*) AS orders FROM sales_order_header WHERE ship_date > delivery_date"
    stubber.add_response("converse", tool_use(SQL_TOOL, {"sql": sql}), expected())
    fallback = agent.answer(AgentRequest(puzzling, WM, AS_OF))
    assert (
        fallback.ok
        and fallback.details["planner"] == "bedrock"
        and fallback.details["sql_source"] == "llm"
    )
    assert fallback.usage.input_tokens == 1200


def test_offline_mode_is_the_plain_agent(sample_home: Path, warehouse: DuckDBWarehouse) -> None:
    inner = PersonaSqlAgent(warehouse, WM, row_limit=1000)
    assert with_planner_mode(settings_for(sample_home, mode="offline"), inner) is inner


# -- the LLM intent classifier ----------------------------------------------------------------
def test_llm_intent_classifier_uses_a_forced_tool(
    sample_home: Path, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    params = {
        "modelId": MODEL_ID,
        "system": ANY,
        "messages": ANY,
        "toolConfig": {"tools": ANY, "toolChoice": {"tool": {"name": "classify_intent"}}},
        "inferenceConfig": ANY,
    }
    stubber.add_response(
        "converse",
        tool_use(
            "classify_intent",
            {
                "intent": "hybrid",
                "confidence": 0.8,
                "topics": ["inventory"],
                "reason": "listing plus order quantity",
            },
            tokens=(300, 20),
        ),
        params,
    )
    classifier = LlmIntentClassifier(
        settings_for(sample_home), client=client, sleep=lambda _s: None
    )
    result = classifier.classify(
        "which items are below reorder point at East and how much should I order?", WM
    )
    assert (
        result.intent.value == "hybrid"
        and result.topics == ("inventory",)
        and result.confidence == 0.8
    )
    assert result.usage[0].input_tokens == 300  # type: ignore[attr-defined]


def test_llm_intent_classifier_falls_back_to_rules(
    sample_home: Path, stub: tuple[Any, Stubber]
) -> None:
    client, stubber = stub
    stubber.add_client_error(
        "converse",
        service_error_code="AccessDeniedException",
        service_message="no model access",
        http_status_code=403,
    )
    classifier = LlmIntentClassifier(
        settings_for(sample_home), client=client, sleep=lambda _s: None
    )
    result = classifier.classify("calculate the economic order quantity for P0001", WM)
    assert result.intent.value == "optimization"
    assert any("rules used" in r for r in result.reasons)


def test_bedrock_mode_registers_the_llm_classifier(sample_home: Path) -> None:
    import workbench.llm.intent  # noqa: F401
    from workbench.orchestrator.intent import create_intent_classifier

    assert isinstance(
        create_intent_classifier(settings_for(sample_home, mode="bedrock")), LlmIntentClassifier
    )
    assert create_intent_classifier(settings_for(sample_home, mode="auto")).name == "rules"
