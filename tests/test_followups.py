"""Follow-up conversations through ``Workbench.ask`` with a session id.

Each conversation is asked turn by turn in its own session; the last answer is checked
against an independent query (gold SQL through the guarded analyst SQL) or against the
tool run directly. Together they cover every follow-up form of the issue ("what about this
month?", "only the express ones", "show the top 3 instead", "by category instead", "same
for the West warehouse", "and last month?") for SQL, optimization and hybrid answers, and
the memory rules around them (new session, persona switch, cached answers, same words
after different questions).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import AS_OF
from workbench.agents.answer import Answer, Intent
from workbench.app import Workbench
from workbench.core.config import load_settings


@pytest.fixture(scope="module")
def wb(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """A workbench over the shared sample data with its own home (ledger, logs)."""
    base = load_settings(None, home=sample_home)
    settings = base.replace(
        home=tmp_path_factory.mktemp("followups_home"),
        warehouse={**base.warehouse.model_dump(), "duckdb": {"path": str(base.duckdb_path)}},
    )
    bench = Workbench(config=settings)
    yield bench
    bench.close()


def _norm(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return round(float(value), 2)
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()[:10]
    return value


def _tuples(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(_norm(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


def matches(frame: pd.DataFrame, gold: pd.DataFrame, *, ordered: bool = False) -> bool:
    """Some choice of answer columns holds exactly the gold rows (values compared, not names)."""
    want = _tuples(gold, tuple(gold.columns))
    for cols in itertools.permutations(frame.columns, len(gold.columns)):
        got = _tuples(frame, cols)
        if (got == want) if ordered else (Counter(got) == Counter(want)):
            return True
    return False


@dataclass(frozen=True)
class Conversation:
    id: str
    persona: str
    turns: tuple[str, ...]
    check: Callable[[Workbench, Answer], None]


def gold(sql: str, *, ordered: bool = False) -> Callable[[Workbench, Answer], None]:
    def check(wb: Workbench, answer: Answer) -> None:
        expected = wb.sql(sql)
        assert not expected.empty
        assert matches(answer.frame, expected, ordered=ordered), (
            answer.frame.head(),
            expected.head(),
        )

    return check


def tool_rows(
    tool: str, arguments: dict[str, Any], keys: tuple[str, ...], value: str
) -> Callable[[Workbench, Answer], None]:
    """The answer's ``value`` per key equals the tool's own result for ``arguments``."""

    def check(wb: Workbench, answer: Answer) -> None:
        from workbench.tools.registry import default_registry

        direct = default_registry().call(
            tool, {"as_of": AS_OF.isoformat(), **arguments}, wb.warehouse
        )
        expected = pd.DataFrame(direct.rows, columns=direct.columns)
        assert matches(answer.frame, expected[[*keys, value]])

    return check


def intent_and_agent(
    intent: Intent, agent: str, then: Callable[[Workbench, Answer], object] | None = None
) -> Callable[[Workbench, Answer], None]:
    def check(wb: Workbench, answer: Answer) -> None:
        assert answer.intent is intent and answer.agent == agent, (answer.intent, answer.agent)
        if then is not None:
            then(wb, answer)

    return check


SALES = "FROM sales_order_line l JOIN sales_order_header h ON h.order_id = l.order_id"
OPEN = "status IN ('PENDING', 'PICKING', 'SHIPPED')"
JUNE = "BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'"
MAY = "BETWEEN DATE '2026-05-01' AND DATE '2026-05-31'"
Q2 = "BETWEEN DATE '2026-04-01' AND DATE '2026-06-30'"
Q1 = "BETWEEN DATE '2026-01-01' AND DATE '2026-03-31'"
PO = "FROM purchase_order_line l JOIN purchase_order_header h ON h.po_id = l.po_id JOIN product p ON p.product_id = l.product_id"


def _route_stops(order_sql: str) -> Callable[[Workbench, Answer], None]:
    def check(wb: Workbench, answer: Answer) -> None:
        stops = answer.frame[answer.frame["stop_type"] == "delivery"]
        assert Counter(stops["order_id"]) == Counter(wb.sql(order_sql)["order_id"])

    return check


CONVERSATIONS = [
    Conversation(
        "this-month",
        "warehouse_manager",
        ("revenue by warehouse last month", "what about this month?"),
        gold(
            f"SELECT h.warehouse_id, SUM(l.line_total) {SALES} WHERE h.status <> 'CANCELLED' AND h.order_date {JUNE} GROUP BY 1"
        ),
    ),
    Conversation(
        "and-last-month",
        "field_engineer",
        ("How many late deliveries were there this month?", "and last month?"),
        gold(
            f"SELECT COUNT(*) FROM sales_order_header WHERE status = 'DELIVERED' AND delivery_date > promised_date AND delivery_date {MAY}"
        ),
    ),
    Conversation(
        "only-express",
        "field_engineer",
        ("Which orders are overdue?", "only the express ones"),
        gold(
            f"SELECT order_id FROM sales_order_header WHERE {OPEN} AND promised_date < DATE '2026-06-30' AND priority = 'EXPRESS'"
        ),
    ),
    Conversation(
        "top-3-instead",
        "warehouse_manager",
        ("top 5 products by revenue last month", "show the top 3 instead"),
        gold(
            f"SELECT l.product_id, SUM(l.line_total) AS r {SALES} WHERE h.status <> 'CANCELLED' AND h.order_date {MAY} "
            "GROUP BY 1 ORDER BY r DESC LIMIT 3",
            ordered=True,
        ),
    ),
    Conversation(
        "by-category-instead",
        "warehouse_manager",
        ("units sold by warehouse this quarter", "by category instead"),
        gold(
            f"SELECT p.category, SUM(l.quantity) {SALES} JOIN product p ON p.product_id = l.product_id WHERE h.status <> 'CANCELLED' AND h.order_date {Q2} GROUP BY 1"
        ),
    ),
    Conversation(
        "same-for-west",
        "warehouse_manager",
        (
            "Which products are below their reorder point at the East warehouse?",
            "same for the West warehouse",
        ),
        gold(
            "SELECT product_id, warehouse_id FROM warehouse_product WHERE warehouse_id = 'WH-WEST' AND quantity_on_hand <= reorder_point"
        ),
    ),
    Conversation(
        "just-plumbing",
        "procurement_specialist",
        ("spend by supplier this quarter", "just for Plumbing"),
        gold(
            f"SELECT h.supplier_id, SUM(l.line_total) {PO} WHERE h.status <> 'CANCELLED' AND p.category = 'Plumbing' AND h.order_date {Q2} GROUP BY 1"
        ),
    ),
    Conversation(
        "and-last-quarter",
        "procurement_specialist",
        ("spend by category last month", "and last quarter?"),
        gold(
            f"SELECT p.category, SUM(l.line_total) {PO} WHERE h.status <> 'CANCELLED' AND h.order_date {Q1} GROUP BY 1"
        ),
    ),
    Conversation(
        "three-turns-time-then-grouping",
        "warehouse_manager",
        ("revenue by category last month", "what about this month?", "by warehouse instead"),
        gold(
            f"SELECT h.warehouse_id, SUM(l.line_total) {SALES} WHERE h.status <> 'CANCELLED' AND h.order_date {JUNE} GROUP BY 1"
        ),
    ),
    Conversation(
        "three-turns-filter-then-place",
        "field_engineer",
        ("Which orders are overdue?", "only the express ones", "same for the West warehouse"),
        gold(
            f"SELECT order_id FROM sales_order_header WHERE {OPEN} AND promised_date < DATE '2026-06-30' AND priority = 'EXPRESS' AND warehouse_id = 'WH-WEST'"
        ),
    ),
    Conversation(
        "count-then-place",
        "warehouse_manager",
        ("How many products are low on stock by warehouse?", "only the West warehouse"),
        gold(
            "SELECT warehouse_id, COUNT(*) FROM warehouse_product WHERE warehouse_id = 'WH-WEST' AND quantity_on_hand <= safety_stock GROUP BY 1"
        ),
    ),
    Conversation(
        "hybrid-eoq-same-for-west",
        "warehouse_manager",
        (
            "Which items are below their reorder point at the East warehouse and how much should I order?",
            "same for the West warehouse",
        ),
        intent_and_agent(
            Intent.HYBRID,
            "warehouse_manager_sql+inventory_specialist",
            lambda wb, a: (
                gold(
                    "SELECT product_id, warehouse_id FROM warehouse_product WHERE warehouse_id = 'WH-WEST' AND quantity_on_hand <= reorder_point"
                )(wb, a),
                tool_rows(
                    "economic_order_quantity",
                    {"warehouse_id": "WH-WEST", "product_ids": sorted(a.frame["product_id"])},
                    ("warehouse_id", "product_id"),
                    "economic_order_quantity",
                )(wb, a),
            ),
        ),
    ),
    Conversation(
        "hybrid-route-only-express",
        "field_engineer",
        ("Which overdue orders should I deliver first and in what order?", "only the express ones"),
        intent_and_agent(
            Intent.HYBRID,
            "field_engineer_sql+logistics_specialist",
            _route_stops(
                f"SELECT order_id FROM sales_order_header WHERE {OPEN} AND promised_date < DATE '2026-06-30' AND priority = 'EXPRESS'"
            ),
        ),
    ),
    Conversation(
        "eoq-same-for-west",
        "warehouse_manager",
        ("Calculate the EOQ for P0001 at WH-EAST", "same for the West warehouse"),
        intent_and_agent(
            Intent.OPTIMIZATION,
            "inventory_specialist",
            tool_rows(
                "economic_order_quantity",
                {"warehouse_id": "WH-WEST", "product_ids": ["P0001"]},
                ("warehouse_id", "product_id"),
                "economic_order_quantity",
            ),
        ),
    ),
    Conversation(
        "route-same-for-west",
        "field_engineer",
        ("Plan the delivery route for today from WH-EAST", "same for the West warehouse"),
        intent_and_agent(
            Intent.OPTIMIZATION,
            "logistics_specialist",
            _route_stops(
                f"SELECT order_id FROM sales_order_header WHERE {OPEN} AND promised_date = DATE '2026-06-30' AND warehouse_id = 'WH-WEST'"
            ),
        ),
    ),
    Conversation(
        "forecast-longer-horizon",
        "warehouse_manager",
        (
            "Forecast demand for P0001 at WH-EAST for the next 14 days",
            "what about the next 30 days?",
        ),
        intent_and_agent(
            Intent.OPTIMIZATION,
            "inventory_specialist",
            lambda wb, a: _assert(
                len(a.frame) == 30 and a.plan["arguments"]["horizon_days"] == 30, a.plan
            ),
        ),
    ),
    Conversation(
        "supplier-score-only-plumbing",
        "procurement_specialist",
        ("Rank suppliers by supplier score", "only for Plumbing"),
        intent_and_agent(
            Intent.OPTIMIZATION,
            "supplier_specialist",
            tool_rows(
                "analyze_supplier_performance", {"category": "Plumbing"}, ("supplier_id",), "score"
            ),
        ),
    ),
]


def _assert(condition: bool, detail: object) -> None:
    assert condition, detail


def test_there_are_at_least_fifteen_conversations() -> None:
    assert len(CONVERSATIONS) >= 15
    assert len({c.id for c in CONVERSATIONS}) == len(CONVERSATIONS)


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_conversation(wb: Workbench, conversation: Conversation) -> None:
    session = f"conv-{conversation.id}"
    answers = [
        wb.ask(turn, conversation.persona, session_id=session) for turn in conversation.turns
    ]
    for turn, answer in zip(conversation.turns, answers, strict=True):
        assert answer.ok, (turn, answer.error)
    conversation.check(wb, answers[-1])
    history = wb.orchestrator.memory.history(session)
    assert [t.question for t in history] == list(conversation.turns)


def test_a_follow_up_without_a_conversation_is_not_understood(wb: Workbench) -> None:
    answer = wb.ask("what about this month?", "warehouse_manager", session_id="fresh-session")
    assert answer.error and answer.suggestions


def test_persona_switch_clears_the_conversation(wb: Workbench) -> None:
    first = wb.ask("Which products are out of stock?", "warehouse_manager", session_id="switch")
    assert first.ok
    switched = wb.ask("and last month?", "procurement_specialist", session_id="switch")
    assert switched.error  # nothing to refine: the warehouse manager's plan is forgotten
    history = wb.orchestrator.memory.history("switch")
    assert [t.persona for t in history] == ["procurement_specialist"]
    # Back to the first persona: a new conversation, the first question is gone too.
    assert wb.ask("only the West warehouse", "warehouse_manager", session_id="switch").error


def test_same_words_after_different_questions_give_different_answers(wb: Workbench) -> None:
    wb.ask("Which orders are overdue?", "field_engineer", session_id="words-a")
    wb.ask("Which orders are due today?", "field_engineer", session_id="words-b")
    a = wb.ask("only the express ones", "field_engineer", session_id="words-a")
    b = wb.ask("only the express ones", "field_engineer", session_id="words-b")
    assert a.ok and b.ok and not b.cached
    assert set(a.frame["order_id"]) != set(b.frame["order_id"])
    due_express = wb.sql(
        f"SELECT order_id FROM sales_order_header WHERE {OPEN} AND promised_date = DATE '2026-06-30' AND priority = 'EXPRESS'"
    )
    assert Counter(b.frame["order_id"]) == Counter(due_express["order_id"])


def test_follow_up_refines_a_cached_answer(wb: Workbench) -> None:
    wb.ask("revenue by category last month", "warehouse_manager", session_id="cache-a")
    cached = wb.ask("revenue by category last month", "warehouse_manager", session_id="cache-b")
    assert cached.cached
    follow = wb.ask("what about this month?", "warehouse_manager", session_id="cache-b")
    assert follow.ok
    gold(
        f"SELECT p.category, SUM(l.line_total) {SALES} JOIN product p ON p.product_id = l.product_id WHERE h.status <> 'CANCELLED' AND h.order_date {JUNE} GROUP BY 1"
    )(wb, follow)


def test_memory_keeps_the_last_ten_turns(wb: Workbench) -> None:
    questions = [f"revenue by warehouse last {n} days" for n in range(2, 14)]
    for q in questions:
        assert wb.ask(q, "warehouse_manager", session_id="long").ok
    history = wb.orchestrator.memory.history("long")
    assert [t.question for t in history] == questions[-10:]
