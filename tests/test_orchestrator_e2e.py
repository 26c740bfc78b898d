"""``Workbench.ask`` through the orchestrator with the real agents, tools and ledger.

Routing for every persona and intent, refusals across personas, cache hits and their
cost, invalidation when the data is regenerated into the same home, the ledger row and the
structured log line of every answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import AS_OF, SAMPLE_SCALE, copy_sample_home
from workbench.agents.answer import Intent
from workbench.app import Workbench
from workbench.core.config import load_settings
from workbench.data.schema import Persona

WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST


@pytest.fixture(scope="module")
def wb(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    base = load_settings(None, home=sample_home)
    settings = base.replace(
        home=tmp_path_factory.mktemp("e2e_home"),
        warehouse={**base.warehouse.model_dump(), "duckdb": {"path": str(base.duckdb_path)}},
    )
    bench = Workbench(config=settings)
    yield bench
    bench.close()


ROUTING = [
    (
        WM,
        "Which products are below their reorder point?",
        Intent.SQL_QUERY,
        "warehouse_manager_sql",
    ),
    (WM, "Calculate the EOQ for P0001 at WH-EAST", Intent.OPTIMIZATION, "inventory_specialist"),
    (
        WM,
        "Which items are below their reorder point at the East warehouse and how much should I order?",
        Intent.HYBRID,
        "warehouse_manager_sql+inventory_specialist",
    ),
    (FE, "Which orders are overdue?", Intent.SQL_QUERY, "field_engineer_sql"),
    (
        FE,
        "Plan the delivery route for today from WH-EAST",
        Intent.OPTIMIZATION,
        "logistics_specialist",
    ),
    (
        FE,
        "Which overdue orders should I deliver first and in what order?",
        Intent.HYBRID,
        "field_engineer_sql+logistics_specialist",
    ),
    (
        PS,
        "What is the total spend by supplier this year?",
        Intent.SQL_QUERY,
        "procurement_specialist_sql",
    ),
    (PS, "Rank suppliers by supplier score", Intent.OPTIMIZATION, "supplier_specialist"),
    (
        PS,
        "Which items are out of stock and which supplier should I order them from?",
        Intent.HYBRID,
        "procurement_specialist_sql+supplier_specialist",
    ),
]


@pytest.mark.parametrize(
    ("persona", "question", "intent", "agent"),
    ROUTING,
    ids=[f"{p.value}-{i.value}" for p, _, i, _ in ROUTING],
)
def test_routing_for_every_persona_and_intent(
    wb: Workbench, persona: Persona, question: str, intent: Intent, agent: str
) -> None:
    answer = wb.ask(question, persona)
    assert answer.ok, answer.error
    assert (answer.intent, answer.agent) == (intent, agent)
    assert not answer.frame.empty and answer.answer
    assert answer.as_of == AS_OF and answer.cost.actual == {}
    # Priced as Redshift; a question inside a minute an earlier one paid for adds $0 to it.
    assert "redshift_serverless" in answer.cost.aws_equivalent
    row = wb.orchestrator.ledger.entries(None, limit=1)[0]
    assert (row.question, row.intent, row.agent, row.rows) == (
        question,
        intent.value,
        agent,
        len(answer.frame),
    )


def test_hybrid_supplier_choice_adds_the_cheapest_supplier(wb: Workbench) -> None:
    answer = wb.ask("Which items are out of stock and which supplier should I order them from?", PS)
    assert {"product_id", "cheapest_supplier_id", "cheapest_avg_unit_cost"} <= set(
        answer.frame.columns
    )
    assert answer.frame["cheapest_supplier_id"].notna().any()
    out_of_stock = wb.sql(
        "SELECT product_id, warehouse_id FROM warehouse_product WHERE quantity_on_hand = 0"
    )
    assert len(answer.frame) == len(out_of_stock)


@pytest.mark.parametrize(
    ("persona", "question"),
    [
        (PS, "Which orders are overdue?"),  # sales tables: not the procurement persona's
        (FE, "Rank suppliers by supplier score"),  # supplier tools read purchase orders
        (WM, "What is the total spend by supplier this year?"),
        (PS, "Plan the delivery route for today from WH-EAST"),
    ],
)
def test_other_personas_data_is_refused(wb: Workbench, persona: Persona, question: str) -> None:
    answer = wb.ask(question, persona)
    assert answer.error and answer.frame.empty


def test_cache_hit_is_free_and_counted(wb: Workbench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="workbench")
    stats0 = wb.orchestrator.cache.stats()
    first = wb.ask("How many products are out of stock in each warehouse?", WM, session_id="hit")
    second = wb.ask("how many products are out of stock in each warehouse", WM, session_id="hit")
    assert not first.cached and second.cached
    assert second.cost.total == 0 and second.cost.aws_equivalent_total == 0
    pd.testing.assert_frame_equal(first.frame, second.frame)
    stats = wb.orchestrator.cache.stats()
    assert (stats.hits - stats0.hits, stats.misses - stats0.misses) == (1, 1)
    rows = wb.orchestrator.ledger.entries(None, limit=2)
    assert [r.cached for r in rows] == [True, False] and rows[0].aws_equivalent_total == 0
    answers = [r.fields for r in caplog.records if getattr(r, "event", None) == "answer"]  # type: ignore[attr-defined]
    assert [a["cached"] for a in answers] == [False, True]
    for logged in answers:
        assert {
            "persona",
            "intent",
            "agent",
            "sql",
            "duration_ms",
            "rows",
            "input_tokens",
            "output_tokens",
            "cost",
        } <= set(logged)
    assert (
        answers[0]["sql"]
        and answers[0]["agent"] == "warehouse_manager_sql"
        and answers[0]["rows"] == len(first.frame)
    )


def test_regenerated_data_invalidates_the_cache(sample_home: Path, tmp_path: Path) -> None:
    from workbench.data.generator import generate

    home = tmp_path / "home"
    copy_sample_home(sample_home, home)
    bench = Workbench(home=home)
    try:
        question = "How many products are out of stock?"
        before = bench.ask(question, WM)
        assert bench.ask(question, WM).cached
        version = bench.warehouse.data_version()
        generate(home, scale=SAMPLE_SCALE, seed=7, end_date=AS_OF)
        assert bench.warehouse.data_version() != version
        after = bench.ask(question, WM)
        assert after.ok and not after.cached
        assert bench.orchestrator.cache.stats().invalidations >= 1
        expected = bench.sql(
            "SELECT COUNT(*) AS n FROM warehouse_product WHERE quantity_on_hand = 0"
        )
        assert int(after.frame.iloc[0, -1]) == int(expected.iloc[0, 0])
        assert before.ok
        # The ledger holds one row per answer, in this home.
        assert bench.orchestrator.ledger.count() == 3
    finally:
        bench.close()


def test_persona_switch_clears_memory_through_ask(wb: Workbench) -> None:
    wb.ask("Which orders are overdue?", FE, session_id="mem")
    assert len(wb.orchestrator.memory.history("mem")) == 1
    wb.ask("What is the total spend by supplier this year?", PS, session_id="mem")
    assert [t.persona for t in wb.orchestrator.memory.history("mem")] == [PS.value]


def test_invalid_as_of_is_an_error_answer(wb: Workbench) -> None:
    answer = wb.ask("Which orders are overdue?", FE, as_of="30/06/2026")
    assert answer.error and "YYYY-MM-DD" in answer.error


def test_as_of_string_is_used(wb: Workbench) -> None:
    answer = wb.ask("How many late deliveries were there this month?", FE, as_of="2026-05-31")
    expected = wb.sql(
        "SELECT COUNT(*) FROM sales_order_header WHERE status = 'DELIVERED' AND delivery_date > promised_date "
        "AND delivery_date BETWEEN DATE '2026-05-01' AND DATE '2026-05-31'"
    )
    assert answer.as_of.isoformat() == "2026-05-31" and int(answer.frame.iloc[0, 0]) == int(
        expected.iloc[0, 0]
    )
