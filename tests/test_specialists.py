"""Specialist agents on the sample data: tool choice, answers, persona scoping, follow-ups, Lambda parity."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import Any

import boto3
import pandas as pd
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from tests.conftest import AS_OF
from workbench.agents.answer import Answer, Intent
from workbench.agents.base import Agent, AgentRequest
from workbench.agents.specialists import (
    SPECIALIST_FOR_PERSONA,
    SPECIALISTS,
    InventorySpecialist,
    LogisticsSpecialist,
    SupplierSpecialist,
    can_handle,
    create_specialist,
    specialist_for,
    understand,
)
from workbench.app import Workbench
from workbench.core.config import load_settings
from workbench.core.errors import NotUnderstoodError, PermissionDeniedError
from workbench.cost.usage import Usage
from workbench.data.schema import Persona
from workbench.invokers import LambdaInvoker, LocalInvoker
from workbench.invokers.lambda_runtime import make_handler
from workbench.semantic.entities import EntityIndex
from workbench.tools import registry

WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST
A = AS_OF.isoformat()


class RecordingInvoker:
    """A real LocalInvoker that also remembers each call (a fake around the real thing, not a mock)."""

    name = "local"

    def __init__(self, inner: LocalInvoker) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(
        self, tool_name: str, arguments: Mapping[str, Any], *, usage: Usage | None = None
    ) -> dict[str, Any]:
        self.calls.append((tool_name, dict(arguments)))
        return self.inner.invoke(tool_name, arguments, usage=usage)


@pytest.fixture(scope="module")
def entities(workbench: Workbench) -> EntityIndex:
    return EntityIndex.from_warehouse(workbench.warehouse)


@pytest.fixture
def invoker(workbench: Workbench) -> RecordingInvoker:
    return RecordingInvoker(LocalInvoker(workbench.warehouse))


def ask(
    workbench: Workbench,
    invoker: Any,
    entities: EntityIndex,
    name: str,
    question: str,
    persona: Persona,
    **kw: Any,
) -> Answer:
    agent = SPECIALISTS[name](workbench.warehouse, invoker, entities)
    return agent.answer(AgentRequest(question, persona, AS_OF, **kw))


# -- tool and argument choice -----------------------------------------------------------------------

CASES: list[tuple[str, str, Persona, str, dict[str, Any]]] = [
    (
        "logistics",
        "optimize today's delivery route from the East warehouse",
        FE,
        "optimize_delivery_route",
        {"warehouse_id": "WH-EAST", "as_of": A},
    ),
    (
        "inventory",
        "what's the safety stock for Cordless Drill 18V at WH-WEST at 99% service level",
        WM,
        "safety_stock",
        {"warehouse_id": "WH-WEST", "product_ids": ["P0020"], "as_of": A, "service_level": 0.99},
    ),
    (
        "inventory",
        "EOQ for P0003",
        WM,
        "economic_order_quantity",
        {"product_ids": ["P0003"], "as_of": A},
    ),
    (
        "inventory",
        "forecast demand for the next 14 days for plumbing products in the central warehouse",
        WM,
        "forecast_demand",
        {"warehouse_id": "WH-CENTRAL", "category": "Plumbing", "as_of": A, "horizon_days": 14},
    ),
    ("supplier", "rank suppliers by score", PS, "analyze_supplier_performance", {"as_of": A}),
    (
        "supplier",
        "which supplier is cheapest for P0010",
        PS,
        "compare_supplier_costs",
        {"as_of": A, "product_ids": ["P0010"]},
    ),
    (
        "supplier",
        "where can we save money on purchasing",
        PS,
        "identify_cost_savings",
        {"as_of": A},
    ),
    ("supplier", "spend trend by supplier", PS, "analyze_purchase_trends", {"as_of": A}),
    ("logistics", "warehouse capacity utilization", FE, "calculate_warehouse_capacity", {}),
    ("logistics", "which orders are delayed", FE, "identify_delayed_orders", {"as_of": A}),
    (
        "logistics",
        "which shipments are late at WH-WEST?",
        FE,
        "identify_delayed_orders",
        {"as_of": A, "warehouse_id": "WH-WEST", "shipped_only": True},
    ),
    (
        "logistics",
        "fulfilment status this month",
        FE,
        "check_fulfillment_status",
        {"as_of": A, "start_date": "2026-06-01", "end_date": A},
    ),
    (
        "logistics",
        "plan tomorrow's delivery route from WH-CENTRAL with 3 vans of 250 units each",
        FE,
        "optimize_delivery_route",
        {
            "warehouse_id": "WH-CENTRAL",
            "as_of": "2026-07-01",
            "vehicles": 3,
            "vehicle_capacity": 250,
        },
    ),
    (
        "inventory",
        "calculate the reorder point for P0003 at the East warehouse",
        WM,
        "reorder_point",
        {"warehouse_id": "WH-EAST", "product_ids": ["P0003"], "as_of": A},
    ),
    (
        "inventory",
        "which products will run out before replenishment at WH-EAST?",
        WM,
        "identify_stockout_risk",
        {"warehouse_id": "WH-EAST", "as_of": A},
    ),
    (
        "inventory",
        "what is running low in the west warehouse",
        WM,
        "identify_low_stock",
        {"warehouse_id": "WH-WEST"},
    ),
    (
        "inventory",
        "economic order quantity for P0010 with an order cost of $80 and holding rate 20%",
        WM,
        "economic_order_quantity",
        {"product_ids": ["P0010"], "as_of": A, "order_cost": 80.0, "holding_rate": 0.2},
    ),
    (
        "supplier",
        "how is Coastal Fasteners performing this year?",
        PS,
        "analyze_supplier_performance",
        {"as_of": A, "start_date": "2026-01-01", "end_date": A, "supplier_ids": ["S001"]},
    ),
    (
        "supplier",
        "savings if we only buy from suppliers with a score of at least 0.8",
        PS,
        "identify_cost_savings",
        {"as_of": A, "min_supplier_score": 0.8},
    ),
]


@pytest.mark.parametrize(
    ("name", "question", "persona", "tool", "arguments"), CASES, ids=[c[1][:40] for c in CASES]
)
def test_question_picks_the_tool_and_arguments(
    workbench: Workbench,
    invoker: RecordingInvoker,
    entities: EntityIndex,
    name: str,
    question: str,
    persona: Persona,
    tool: str,
    arguments: dict[str, Any],
) -> None:
    answer = ask(workbench, invoker, entities, name, question, persona)
    assert invoker.calls == [(tool, arguments)]
    assert answer.plan["tool"] == tool and answer.plan["arguments"] == arguments
    # The answer's shape: intent, agent, table, sentence with a recommendation, chart on real columns.
    assert (
        answer.intent is Intent.OPTIMIZATION and answer.agent == f"{name}_specialist" and answer.ok
    )
    assert not answer.frame.empty and answer.answer.endswith((".", ")"))
    assert (
        answer.details["tool"] == tool
        and answer.details["arguments"] == arguments
        and answer.details["summary"]
    )
    assert answer.details["recommendation"] and answer.details["recommendation"] in answer.answer
    assert answer.chart is not None
    if answer.chart.kind != "table_only":
        assert answer.chart.x in answer.frame.columns and set(answer.chart.y) <= set(
            answer.frame.columns
        )
    [inv] = answer.usage.invocations
    assert inv.function == tool and answer.usage.warehouse
    json.dumps(answer.to_dict(), allow_nan=False)


# -- answers agree with the tool's numbers ---------------------------------------------------------


def test_safety_stock_answer_states_the_tool_numbers(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "what's the safety stock for Cordless Drill 18V at WH-WEST at 99% service level",
        WM,
    )
    direct = registry.call(
        "safety_stock",
        {"as_of": A, "warehouse_id": "WH-WEST", "product_ids": ["P0020"], "service_level": 0.99},
        workbench.warehouse,
    ).frame.iloc[0]
    assert f"{direct['safety_stock']:.1f} units" in answer.answer
    assert "99% service level" in answer.answer and "Cordless Drill 18V" in answer.answer
    assert int(answer.frame.iloc[0]["recommended_safety_stock"]) == int(
        direct["recommended_safety_stock"]
    )


def test_route_answer_lists_the_stops_in_visiting_order(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(
        workbench,
        invoker,
        entities,
        "logistics",
        "optimize today's delivery route from the East warehouse",
        FE,
    )
    stops = answer.frame[answer.frame["stop_type"] == "delivery"]["order_id"].tolist()
    assert " → ".join(stops) in answer.answer
    total = answer.details["summary"]["total_km"]
    assert f"{total:,.1f} km" in answer.answer
    assert (
        answer.frame.iloc[0]["stop_type"] == "start"
        and answer.frame.iloc[-1]["stop_type"] == "return"
    )
    assert answer.chart is not None and answer.chart.kind == "route"
    summary = answer.details["summary"]
    assert f"{summary['nearest_neighbour_km']:,.1f} km" in answer.answer
    assert "great-circle" in answer.answer


def test_supplier_ranking_names_best_and_worst(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(workbench, invoker, entities, "supplier", "rank suppliers by score", PS)
    scores = answer.frame.sort_values("score", ascending=False)
    assert answer.answer.index(scores.iloc[0]["supplier_name"]) < answer.answer.index(
        scores.iloc[-1]["supplier_name"].rstrip(".")
    )
    assert list(answer.frame["rank"]) == list(range(1, len(answer.frame) + 1))


def test_single_product_forecast_shows_the_daily_series_and_backtest(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(
        workbench,
        invoker,
        entities,
        "inventory",
        "forecast demand for Cordless Drill 18V for the next 10 days",
        WM,
    )
    assert list(answer.frame.columns) == ["date", "forecast"] and len(answer.frame) == 10
    assert answer.chart is not None and answer.chart.kind == "line"
    assert re.search(r"backtest WMAPE \d+%|no backtest", answer.answer)
    assert answer.frame["date"].iloc[0] == "2026-07-01"


# -- persona scoping and understanding failures ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "question", "persona"),
    [
        ("supplier", "rank suppliers by score", WM),
        ("supplier", "which supplier is cheapest for P0010", FE),
        ("inventory", "EOQ for P0003", PS),
        ("logistics", "optimize today's delivery route from WH-EAST", PS),
    ],
)
def test_tools_outside_the_persona_tables_are_refused_before_any_call(
    workbench: Workbench,
    invoker: RecordingInvoker,
    entities: EntityIndex,
    name: str,
    question: str,
    persona: Persona,
) -> None:
    with pytest.raises(PermissionDeniedError, match=persona.label) as err:
        ask(workbench, invoker, entities, name, question, persona)
    assert invoker.calls == []
    assert err.value.hint and "Ask as" in err.value.hint


def test_procurement_may_still_use_stock_only_tools(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    answer = ask(workbench, invoker, entities, "logistics", "how full is each warehouse", PS)
    assert answer.plan["tool"] == "calculate_warehouse_capacity" and len(answer.frame) == 3


def test_unclear_questions_get_suggestions(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    with pytest.raises(NotUnderstoodError) as err:
        ask(workbench, invoker, entities, "inventory", "tell me a joke", WM)
    assert err.value.suggestions and "EOQ for P0003" in err.value.suggestions
    with pytest.raises(NotUnderstoodError, match="Which warehouse") as err:
        ask(workbench, invoker, entities, "logistics", "optimize today's delivery route", FE)
    assert any("East Distribution Center" in s for s in err.value.suggestions)
    assert invoker.calls == []


def test_follow_up_keeps_the_tool_and_changes_the_scope(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    first = ask(
        workbench,
        invoker,
        entities,
        "logistics",
        "optimize today's delivery route from the East warehouse",
        FE,
    )
    second = ask(
        workbench,
        invoker,
        entities,
        "logistics",
        "and from the west warehouse?",
        FE,
        previous=first,
    )
    assert second.plan["tool"] == "optimize_delivery_route"
    assert second.plan["arguments"] == {"warehouse_id": "WH-WEST", "as_of": A}
    third = ask(workbench, invoker, entities, "inventory", "safety stock for P0001 at WH-EAST", WM)
    fourth = ask(workbench, invoker, entities, "inventory", "and at 99%?", WM, previous=third)
    assert fourth.plan["arguments"]["service_level"] == 0.99 and fourth.plan["arguments"][
        "product_ids"
    ] == ["P0001"]


def test_orchestrator_hints_choose_the_tool(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    hints = {"tool": "calculate_warehouse_capacity", "arguments": {"warehouse_id": "WH-EAST"}}
    answer = ask(workbench, invoker, entities, "logistics", "anything", FE, hints=hints)
    assert invoker.calls == [("calculate_warehouse_capacity", {"warehouse_id": "WH-EAST"})]
    assert len(answer.frame) == 1


# -- classification helpers -----------------------------------------------------------------------


def test_persona_specialists_and_can_handle() -> None:
    assert specialist_for("warehouse_manager") is InventorySpecialist
    assert specialist_for(Persona.FIELD_ENGINEER) is LogisticsSpecialist
    assert specialist_for("Procurement Specialist") is SupplierSpecialist
    assert set(SPECIALIST_FOR_PERSONA) == set(Persona)
    expectations = {
        "what's the EOQ for P0003": "inventory",
        "forecast demand next week": "inventory",
        "optimize today's delivery route from WH-EAST": "logistics",
        "which orders are overdue": "logistics",
        "rank suppliers by score": "supplier",
        "where can we save money on purchasing": "supplier",
    }
    for question, best in expectations.items():
        scores = can_handle(question)
        assert max(scores, key=lambda k: scores[k]) == best and scores[best] >= 0.9, (
            question,
            scores,
        )
    assert max(can_handle("hello there").values()) == 0


def test_specialists_implement_the_agent_port(workbench: Workbench) -> None:
    local = LocalInvoker(workbench.warehouse)
    for name, cls in SPECIALISTS.items():
        agent = create_specialist(name, workbench.warehouse, local)
        assert (
            isinstance(agent, cls)
            and isinstance(agent, Agent)
            and agent.name == f"{name}_specialist"
        )
        assert set(agent.tools) == set(registry.names(name))
    with pytest.raises(ValueError):
        create_specialist("sales", workbench.warehouse, local)


def test_understand_reads_levels_horizons_fleets_and_ignores_measure_words(
    entities: EntityIndex,
) -> None:
    ctx = understand(
        "safety stock at 97.5% service level for the Plumbing category", AS_OF, entities
    )
    assert ctx.service_level == 0.975 and ctx.category == "Plumbing"
    assert (
        understand("safety stock for P0001", AS_OF, entities).category is None
    )  # not the Safety category
    assert understand("forecast the next 3 weeks", AS_OF, entities).horizon_days == 21
    assert understand("forecast next month", AS_OF, entities).horizon_days == 30
    fleet = understand("route with two trucks carrying 120 units", AS_OF, entities)
    assert (fleet.vehicles, fleet.vehicle_capacity) == (2, 120)
    assert understand("holding cost of 30%", AS_OF, entities).holding_rate == 0.3
    assert understand("20% of orders", AS_OF, entities).service_level is None


# -- the same answer over Lambda ------------------------------------------------------------------


def test_specialist_over_lambda_gives_the_same_answer(
    workbench: Workbench, entities: EntityIndex, tmp_path: Any
) -> None:
    settings = load_settings(
        {"aws": {"region": "us-east-1"}, "invoker": {"backend": "lambda"}}, home=tmp_path
    )
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    remote = LambdaInvoker(settings, boto3_session=session)
    question = "which supplier is cheapest for P0010"
    args = {"as_of": A, "product_ids": ["P0010"]}
    body = json.dumps(
        make_handler("supplier", warehouse_factory=lambda: workbench.warehouse)(
            {"tool": "compare_supplier_costs", "arguments": args}, None
        )
    ).encode()
    with Stubber(remote.client) as stubber:
        stubber.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))},
            {
                "FunctionName": "workbench-supplier-analyzer",
                "InvocationType": "RequestResponse",
                "LogType": "Tail",  # the log tail carries Lambda's billed duration
                "Payload": json.dumps(
                    {"tool": "compare_supplier_costs", "arguments": args}
                ).encode(),
            },
        )
        over_lambda = SupplierSpecialist(workbench.warehouse, remote, entities).answer(
            AgentRequest(question, PS, AS_OF)
        )
    local = SupplierSpecialist(
        workbench.warehouse, LocalInvoker(workbench.warehouse), entities
    ).answer(AgentRequest(question, PS, AS_OF))
    assert over_lambda.answer == local.answer
    pd.testing.assert_frame_equal(over_lambda.frame, local.frame)
    assert (
        over_lambda.usage.invocations[0].invoker == "lambda"
        and local.usage.invocations[0].invoker == "local"
    )


def test_supplier_scores_are_exact_and_cover_all_history(
    workbench: Workbench, invoker: RecordingInvoker, entities: EntityIndex
) -> None:
    """The answer frame holds the glossary's supplier score unrounded, over every PO up to as_of.

    The score is recomputed here from the raw tables with the DATA_MODEL formulas, so the
    specialist and the SQL agent (whose metric reads all POs) give the same numbers.
    """
    answer = ask(workbench, invoker, entities, "supplier", "rank suppliers by score", PS)
    heads = workbench.sql(
        "SELECT po_id, supplier_id, order_date, expected_date, received_date, status "
        f"FROM purchase_order_header WHERE status <> 'CANCELLED' AND order_date <= DATE '{A}'"
    )
    lines = workbench.sql(
        "SELECT l.po_id, l.quantity_ordered, l.quantity_received, l.unit_cost, p.unit_cost AS std "
        "FROM purchase_order_line l JOIN product p USING (product_id)"
    ).merge(heads, on="po_id")
    done = heads[heads["received_date"].notna()]
    on_time = (
        (pd.to_datetime(done["received_date"]) <= pd.to_datetime(done["expected_date"]))
        .groupby(done["supplier_id"])
        .mean()
    )
    filled = lines[lines["received_date"].notna()].groupby("supplier_id")
    fill = filled["quantity_received"].sum() / filled["quantity_ordered"].sum()
    lines["weighted"] = (
        (lines["unit_cost"] - lines["std"]) / lines["std"] * lines["quantity_ordered"]
    )
    by = lines.groupby("supplier_id")
    variance = by["weighted"].sum() / by["quantity_ordered"].sum()
    price = (1 - variance.clip(lower=0) / 0.2).clip(lower=0)
    expected = (0.4 * on_time + 0.3 * fill + 0.3 * price).dropna()

    got = answer.frame.set_index("supplier_id")["score"].dropna()
    assert sorted(got.index) == sorted(expected.index)
    for supplier, score in expected.items():
        assert got[supplier] == pytest.approx(score, abs=1e-9), supplier
    assert answer.details["summary"]["period_start"] == str(
        pd.to_datetime(heads["order_date"]).min().date()
    )
