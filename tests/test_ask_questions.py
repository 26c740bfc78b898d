"""Execution accuracy of the semantic layer on the question set, and safe refusals.

Each question of tests/questions/*.yaml has gold SQL written by hand against the tables;
an answer is right when its rows equal the gold rows on the sample data (as of 2026-06-30).
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.questions.compare import evaluate, load_questions, rows_equal, workbench_asker
from workbench.agents.base import AgentRequest
from workbench.agents.sql_agent import PersonaSqlAgent
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.warehouse.base import QueryResult

AS_OF = date(2026, 6, 30)
MIN_ACCURACY = 0.95


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_question_set_covers_the_brief() -> None:
    questions = load_questions()
    assert len(questions) >= 180
    assert {q.persona for q in questions} == {p.value for p in Persona}
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.gold_sql.strip() for q in questions)


def test_execution_accuracy_through_workbench_ask(workbench) -> None:  # type: ignore[no-untyped-def]
    """The way users ask: ``Workbench.ask`` (intent routing, SQL agent or specialist, cache)."""
    db = workbench.settings.duckdb_path
    before = _digest(db)
    questions = load_questions()
    ask = workbench_asker(workbench)
    outcomes = [evaluate(workbench, q, AS_OF, ask=ask) for q in questions]
    failures = [
        f"{o.question.id}: {o.question.question!r} -> {o.answer.agent if o.answer else None}: {o.reason}"
        for o in outcomes
        if not o.ok
    ]
    accuracy = 1 - len(failures) / len(outcomes)
    print(
        f"\nWorkbench.ask execution accuracy: {accuracy:.1%} ({len(outcomes) - len(failures)}/{len(outcomes)})"
    )
    for line in failures:
        print("  FAIL", line)
    assert accuracy >= MIN_ACCURACY, "\n".join(failures)
    # Glossary lookups are answered by the persona's SQL agent, with the SQL that ran.
    routed = [o for o in outcomes if o.answer is not None and o.answer.intent.value == "sql_query"]
    assert len(routed) >= 0.9 * len(outcomes)
    for o in routed:
        assert o.answer is not None and o.answer.sql, o.question.id
    assert _digest(db) == before  # nothing was written


def test_execution_accuracy(workbench, sample_home: Path) -> None:  # type: ignore[no-untyped-def]
    """The semantic layer alone: every question through the persona's SQL agent."""
    db = workbench.settings.duckdb_path
    before = _digest(db)
    questions = load_questions()
    outcomes = [evaluate(workbench, q, AS_OF) for q in questions]
    failures = [
        f"{o.question.id}: {o.question.question!r} -> {o.reason}" for o in outcomes if not o.ok
    ]
    accuracy = 1 - len(failures) / len(outcomes)
    print(f"\nexecution accuracy: {accuracy:.1%} ({len(outcomes) - len(failures)}/{len(outcomes)})")
    for line in failures:
        print("  FAIL", line)
    assert accuracy >= MIN_ACCURACY, "\n".join(failures)
    # Every answer carries its plan, SQL, sentence and warehouse usage.
    for o in outcomes:
        a = o.answer
        assert a.sql and a.answer and a.plan is not None and a.usage.warehouse, o.question.id
        assert a.usage.warehouse[0].rows == len(a.frame)
    assert _digest(db) == before  # nothing was written


def test_followup_conversations(workbench) -> None:  # type: ignore[no-untyped-def]
    conversations = load_questions("followups")
    assert len(conversations) >= 15
    failures = [
        f"{o.question.id}: {o.reason}"
        for o in (evaluate(workbench, q, AS_OF) for q in conversations)
        if not o.ok
    ]
    assert not failures, failures


@pytest.mark.parametrize("case", load_questions("refusals"), ids=lambda q: q.id)
def test_refusals_are_clear_and_safe(workbench, case) -> None:  # type: ignore[no-untyped-def]
    answer = workbench.sql_agent(case.persona).answer(
        AgentRequest(case.question, Persona.parse(case.persona), AS_OF)
    )
    assert answer.error, f"{case.question!r} was answered: {answer.answer}"
    for needle in case.error_contains:
        assert needle.lower() in answer.error.lower(), answer.error
    assert answer.frame.empty and answer.sql is None
    assert not answer.usage.warehouse


def test_ten_thousand_characters(workbench) -> None:  # type: ignore[no-untyped-def]
    question = ("How many orders are overdue at the East warehouse? " * 200)[:10_000]
    answer = workbench.ask(question, "warehouse_manager", as_of=AS_OF)
    assert answer.error and "too long" in answer.error and "10,000" in answer.error
    assert answer.frame.empty


class RecordingWarehouse:
    """The sample warehouse, recording every statement it runs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dialect = inner.dialect
        self.statements: list[str] = []

    def execute(
        self, sql: Any, *, timeout: float | None = None, row_limit: int | None = None
    ) -> QueryResult:
        text = sql if isinstance(sql, str) else sql.sql(dialect=self.dialect)
        self.statements.append(text)
        return self.inner.execute(sql, timeout=timeout, row_limit=row_limit)

    def query(self, sql: Any) -> Any:
        return self.execute(sql).frame

    def tables(self) -> Any:
        return self.inner.tables()

    def data_version(self) -> str:
        return self.inner.data_version() + "-recorded"

    def close(self) -> None:
        pass


def test_other_personas_data_is_never_read(workbench) -> None:  # type: ignore[no-untyped-def]
    recorder = RecordingWarehouse(workbench.warehouse)
    agent = PersonaSqlAgent(recorder, Persona.WAREHOUSE_MANAGER)
    warm = agent.answer(
        AgentRequest("How many products are out of stock?", Persona.WAREHOUSE_MANAGER, AS_OF)
    )
    assert warm.ok
    # Loading entity names read only this persona's tables.
    allowed = PERSONA_TABLES[Persona.WAREHOUSE_MANAGER]
    assert all(not any(t in s for t in ("supplier", "purchase_order")) for s in recorder.statements)
    recorder.statements.clear()
    answer = agent.answer(
        AgentRequest(
            "How much did we spend with Coastal Fasteners last month?",
            Persona.WAREHOUSE_MANAGER,
            AS_OF,
        )
    )
    assert answer.error == (
        "Spend needs purchase-order data, which the Warehouse Manager persona cannot see. Ask as Procurement Specialist."
    )
    assert answer.details["allowed_personas"] == ["procurement_specialist"]
    assert recorder.statements == []
    assert allowed == PERSONA_TABLES[Persona.FIELD_ENGINEER]


def test_every_executed_query_passes_the_persona_guard(workbench) -> None:  # type: ignore[no-untyped-def]
    from workbench.core.errors import PermissionDeniedError
    from workbench.semantic.plan import QueryPlan

    agent = workbench.sql_agent("field_engineer")
    # A plan that reaches another persona's tables (as an LLM might fill it) is stopped by the guard.
    plan = QueryPlan(metrics=("spend",), as_of=AS_OF)
    with pytest.raises(PermissionDeniedError):
        agent.sql_for(plan)


def test_answer_shape_ids_with_names_text_and_chart(workbench) -> None:  # type: ignore[no-untyped-def]
    ask = workbench.sql_agent("warehouse_manager").answer
    listing = ask(
        AgentRequest(
            "Which products are below their reorder point at the East warehouse?",
            Persona.WAREHOUSE_MANAGER,
            AS_OF,
        )
    )
    assert list(listing.frame.columns)[:6] == [
        "product_id",
        "product_name",
        "warehouse_id",
        "warehouse_name",
        "on_hand",
        "reorder_point",
    ]
    assert "suggested_order_qty" in listing.frame.columns
    assert listing.answer.startswith(
        f"{len(listing.frame)} stock positions are at or below the reorder point at East Distribution Center"
    )
    assert listing.chart is None
    grouped = ask(AgentRequest("revenue by warehouse last month", Persona.WAREHOUSE_MANAGER, AS_OF))
    assert list(grouped.frame.columns) == ["warehouse_id", "warehouse_name", "revenue"]
    assert (
        grouped.chart is not None
        and grouped.chart.kind == "bar"
        and grouped.chart.x == "warehouse_name"
    )
    trend = ask(AgentRequest("revenue by week", Persona.WAREHOUSE_MANAGER, AS_OF))
    assert trend.chart is not None and trend.chart.kind == "line" and trend.chart.x == "week"
    single = ask(AgentRequest("how many orders are overdue?", Persona.WAREHOUSE_MANAGER, AS_OF))
    assert single.chart is None and str(int(single.frame.iloc[0, 0])) in single.answer
    assert single.to_dict()["plan"]["metrics"] == ["overdue_orders"]


def test_workbench_ask_as_of_forms(workbench) -> None:  # type: ignore[no-untyped-def]
    by_date = workbench.ask("how many orders are due today?", "field_engineer", as_of=AS_OF)
    by_text = workbench.ask("how many orders are due today?", "field_engineer", as_of="2026-06-30")
    default = workbench.ask(
        "how many orders are due today?", "field_engineer"
    )  # settings.as_of is AS_OF
    assert by_date.ok and by_text.ok and default.ok
    assert (
        rows_equal(by_date.frame, by_text.frame)[0] and rows_equal(by_date.frame, default.frame)[0]
    )
    assert by_date.as_of == AS_OF
    bad = workbench.ask("how many orders are due today?", "field_engineer", as_of="30/06/2026")
    assert bad.error and "YYYY-MM-DD" in bad.error
    unknown = workbench.ask("how many orders are due today?", "ceo")
    assert unknown.error
