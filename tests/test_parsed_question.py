"""One reading per question: parse once, refuse changes, show the interpretation, cover every word."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.questions.score import score_file
from workbench.app import Workbench
from workbench.core.errors import NotUnderstoodError
from workbench.semantic import context, time
from workbench.semantic.cues import change_request, read_cues
from workbench.semantic.numbers import CARDINALS
from workbench.semantic.planner.offline import OfflinePlanner
from workbench.semantic.planner.text import NUMBER_WORDS, normalize_shorthand

AS_OF = date(2026, 6, 30)
QUESTIONS = Path(__file__).parent / "questions"


@pytest.fixture
def counted(fresh_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = OfflinePlanner.parse

    def parse(self, question, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(question)
        return original(self, question, **kwargs)

    monkeypatch.setattr(OfflinePlanner, "parse", parse)
    wb = Workbench(home=fresh_home)
    yield wb, calls
    wb.close()


@pytest.mark.parametrize(
    "question, persona",
    [
        (
            "Which products are below their reorder point at the East warehouse?",
            "warehouse_manager",
        ),
        ("What's the EOQ for P0003 at WH-EAST?", "warehouse_manager"),
        ("rank suppliers by score", "procurement_specialist"),
        ("mark SO-000123 as delivered", "field_engineer"),
    ],
)
def test_one_parse_per_ask(counted, question: str, persona: str) -> None:  # type: ignore[no-untyped-def]
    wb, calls = counted
    wb.ask(question, persona, as_of=AS_OF, session_id="s")
    assert calls == [question]


def test_a_follow_up_is_parsed_once_and_a_hybrid_once_per_half(counted) -> None:  # type: ignore[no-untyped-def]
    wb, calls = counted
    wb.ask("revenue by warehouse last month", "warehouse_manager", as_of=AS_OF, session_id="s")
    calls.clear()
    answer = wb.ask("and the month before?", "warehouse_manager", as_of=AS_OF, session_id="s")
    assert answer.ok and calls == ["and the month before?"]
    assert answer.plan.time_window.start == date(2026, 4, 1)
    calls.clear()
    question = "Which items are below their reorder point at the East warehouse and how much should I order?"
    hybrid = wb.ask(question, "warehouse_manager", as_of=AS_OF)
    assert hybrid.ok and hybrid.intent.value == "hybrid"
    # The question, and its listing half (a question of its own).
    assert calls[0] == question and len(calls) == 2


def test_one_table_of_number_words() -> None:
    assert NUMBER_WORDS is CARDINALS
    assert all(time._NUMBER_WORDS[w] == n for w, n in CARDINALS.items())
    assert all(context._NUMBER_WORDS[w] == n for w, n in CARDINALS.items())


@pytest.mark.parametrize(
    "question, verb",
    [
        ("mark SO-008100 as delivered pls", "mark"),
        ("please cancel PO-000045", "cancel"),
        ("set the reorder point of P0001 to 50", "set"),
        ("can you update the price of P0003 to $5", "update"),
        ("delete supplier Coastal Fasteners Inc.", "delete"),
        ("add 50 units of P0001 to WH-EAST", "add"),
        ("remove the cancelled ones", "remove"),
    ],
)
def test_change_requests_are_refused_before_any_query(
    workbench: Workbench, question: str, verb: str
) -> None:
    db = workbench.settings.duckdb_path
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert change_request(question) == verb
    answer = workbench.ask(question, "procurement_specialist", as_of=AS_OF)
    assert answer.error and "nothing was changed" in answer.error
    assert answer.details["code"] == "change_request" and answer.details["changed"] is False
    assert not answer.usage.warehouse and answer.frame.empty
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    "question",
    [
        "cancelled orders last month",
        "order status breakdown",
        "how many orders were cancelled last month",
        "reorder point for P0001 at WH-EAST",
        "change in revenue vs last month",
        "updates on overdue orders",
    ],
)
def test_questions_about_changes_are_not_change_requests(question: str) -> None:
    assert change_request(question) is None
    assert read_cues(question).change_verb is None


@pytest.mark.parametrize(
    "typed, read",
    [
        ("skus below reorder pt at east rn", "skus below reorder point at east right now"),
        ("wat orders r due tmrw", "what orders are due tomorrow"),
        ("rev last mo by wh", "rev last month by wh"),
        ("POs over 20k last 30d", "POs over 20000 last 30 days"),
        ("Keller Electric Co.'s orders", "Keller Electric Co. orders"),
        ("Kansas City MO stock", "Kansas City MO stock"),
        ("R-410A stock", "R-410A stock"),
    ],
)
def test_shorthand_is_written_out(typed: str, read: str) -> None:
    assert normalize_shorthand(typed) == read


# -- interpretation on every plan kind --------------------------------------------------------
@pytest.mark.parametrize(
    "question, persona, expected",
    [
        # metrics
        ("revenue by warehouse last month", "warehouse_manager",
         ["Revenue by warehouse", "2026-05-01 to 2026-05-31", "cancelled orders excluded"]),
        # listing
        ("which products are out of stock at the West warehouse?", "field_engineer",
         ["Stock positions", "out of stock", "West Distribution Center"]),
        # attribute lookup
        ("What's the reorder point for P0005 at WH-EAST?", "warehouse_manager", ["Stock positions"]),
        # document
        ("what is the status of SO-000123", "field_engineer", ["Orders", "SO-000123"]),
        # no sales
        ("products not sold in the last 30 days at WH-EAST", "warehouse_manager", ["without sales"]),
        # comparison of periods
        ("revenue this month vs last month", "warehouse_manager", ["Revenue by month"]),
        # ranking
        ("top 5 products by revenue last month", "warehouse_manager", ["highest first", "top 5"]),
        # status breakdown keeps cancelled
        ("PO count by status", "procurement_specialist", ["by PO status"]),
        # specialist
        ("What's the EOQ for P0003 at WH-EAST?", "warehouse_manager", ["Economic order quantity"]),
    ],
)  # fmt: skip
def test_every_answer_says_how_it_was_read(
    workbench: Workbench, question: str, persona: str, expected: list[str]
) -> None:
    answer = workbench.ask(question, persona, as_of=AS_OF)
    assert answer.ok, answer.error
    read = answer.interpretation
    assert read is not None and read.text and read.parts
    for needle in expected:
        assert needle.lower() in read.text.lower(), read.text
    assert answer.to_dict()["interpretation"]["text"] == read.text
    if question == "PO count by status":
        assert "CANCELLED" in set(answer.frame["status"])
        assert "excluded" not in read.text


def test_a_ranking_is_never_shown_as_first_rows(workbench: Workbench) -> None:
    answer = workbench.ask(
        "which suppliers delivered late most often", "procurement_specialist", as_of=AS_OF
    )
    assert answer.ok, answer.error
    assert (
        "first 10 rows" not in answer.interpretation.text
        and "by supplier" in answer.interpretation.text
    )
    assert any(p.kind == "order" for p in answer.interpretation.parts)


# -- coverage: a known business condition changes the plan or refuses --------------------------
_BASES = [
    ("how many orders", "field_engineer"),
    ("revenue by warehouse", "warehouse_manager"),
    ("units on hand by product", "warehouse_manager"),
    ("spend by supplier", "procurement_specialist"),
    ("which products are low on stock", "warehouse_manager"),
    ("number of purchase orders", "procurement_specialist"),
]
_CONDITIONS = [
    "at the East warehouse",
    "last month",
    "this year",
    "that are overdue",
    "for express orders",
    "in the Plumbing category",
    "with more than 100 units",
    "that were cancelled",
    "top 3",
    "by month",
    "from Coastal Fasteners Inc.",
    "past their expected date",
    "below their reorder point",
    "delivered late",
]


@pytest.fixture(scope="module")
def planners(workbench: Workbench) -> dict[str, OfflinePlanner]:
    return {
        p: workbench.sql_agent(p).planner
        for p in ("field_engineer", "warehouse_manager", "procurement_specialist")
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=st.sampled_from(_BASES), condition=st.sampled_from(_CONDITIONS))
def test_a_known_condition_changes_the_plan_or_refuses(
    planners: dict[str, OfflinePlanner], base: tuple[str, str], condition: str
) -> None:
    question, persona = base
    planner = planners[persona]
    plain = planner.plan(question, persona=persona, as_of=AS_OF)
    try:
        narrowed = planner.plan(f"{question} {condition}", persona=persona, as_of=AS_OF)
    except NotUnderstoodError:
        return
    except Exception as exc:  # another persona's data: also a refusal
        assert type(exc).__name__ == "PermissionDeniedError", exc
        return
    assert narrowed.cache_key() != plain.cache_key(), (question, condition)


# -- the held-out batches -------------------------------------------------------------------------
def test_held_out_batches(workbench: Workbench) -> None:
    """Written by people who never saw the planner; see tests/questions/README.md."""
    results = [
        r for path in sorted(QUESTIONS.glob("held_out_*.yaml")) for r in score_file(workbench, path)
    ]
    assert len(results) >= 400
    wrong = [f"{r.id}: {r.question!r}: {r.reason}" for r in results if r.verdict == "wrong"]
    right = sum(r.verdict == "right" for r in results) / len(results)
    print(f"\nheld-out: {right:.1%} right, {len(wrong)} answered wrong")
    for line in wrong:
        print("  WRONG", line)
    # Confident wrong answers are what the batches found most of; they stay rare.
    assert len(wrong) <= 3, "\n".join(wrong)
    assert right >= 0.84
