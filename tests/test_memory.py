"""ConversationMemory: per-session history, bounded, cleared on a persona change."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from workbench.agents.answer import Answer, Intent
from workbench.core.config import MemorySettings
from workbench.data.schema import Persona
from workbench.memory import ConversationMemory, Turn

WM, PS = Persona.WAREHOUSE_MANAGER, Persona.PROCUREMENT_SPECIALIST


def answer(
    question: str,
    persona: Persona = WM,
    *,
    plan: object = None,
    error: str | None = None,
    text: str = "ok",
) -> Answer:
    return Answer(
        question=question,
        persona=persona.value,
        intent=Intent.SQL_QUERY,
        agent="sql",
        plan=plan,
        answer=text,
        frame=pd.DataFrame({"a": [1, 2]}),
        error=error,
    )


def test_new_session_is_empty() -> None:
    memory = ConversationMemory()
    assert (
        memory.last("s1") is None
        and memory.history("s1") == []
        and memory.previous_answer("s1", WM) is None
    )
    assert memory.last(None) is None and memory.history(None) == []


def test_remember_and_recall_in_order() -> None:
    memory = ConversationMemory()
    memory.remember("s1", WM, "q1", answer("q1", plan={"m": 1}))
    turn = memory.remember("s1", WM, "q2", answer("q2", plan={"m": 2}))
    assert isinstance(turn, Turn) and turn.plan == {"m": 2} and turn.intent is Intent.SQL_QUERY
    assert [t.question for t in memory.history("s1")] == ["q1", "q2"]
    assert memory.last("s1") is turn
    assert memory.previous_answer("s1", WM) is turn.answer
    assert memory.history("s2") == []  # sessions are independent
    assert turn.to_dict()["rows"] == 2


def test_keeps_only_the_last_max_turns() -> None:
    memory = ConversationMemory(MemorySettings().max_turns)
    for i in range(15):
        memory.remember("s", WM, f"q{i}", answer(f"q{i}"))
    history = memory.history("s")
    assert len(history) == 10 and history[0].question == "q5" and history[-1].question == "q14"


def test_persona_change_clears_the_session() -> None:
    memory = ConversationMemory()
    memory.remember("s", WM, "q1", answer("q1"))
    memory.remember("s", WM, "q2", answer("q2"))
    # Looking up the previous answer as another persona clears the session ...
    assert memory.previous_answer("s", PS) is None
    assert memory.history("s") == []
    # ... and so does remembering a turn as another persona.
    memory.remember("s", WM, "q3", answer("q3"))
    memory.remember("s", PS, "p1", answer("p1", PS))
    assert [t.question for t in memory.history("s")] == ["p1"]
    assert memory.persona_of("s") == PS.value
    assert memory.last("s", WM) is None and memory.history("s") == []


def test_previous_answer_skips_errors() -> None:
    memory = ConversationMemory()
    memory.remember("s", WM, "q1", answer("q1", plan={"m": 1}))
    memory.remember("s", WM, "bad", answer("bad", error="not understood"))
    prev = memory.previous_answer("s", WM)
    assert prev is not None and prev.question == "q1"
    assert memory.last("s") is not None and memory.last("s").summary == "Error: not understood"  # type: ignore[union-attr]


def test_clear_one_or_all_sessions() -> None:
    memory = ConversationMemory()
    memory.remember("a", WM, "q", answer("q"))
    memory.remember("b", WM, "q", answer("q"))
    memory.clear("a")
    assert memory.sessions() == ["b"]
    memory.clear()
    assert len(memory) == 0


def test_sessions_are_bounded_least_recently_used_first() -> None:
    memory = ConversationMemory(max_sessions=2)
    memory.remember("a", WM, "q", answer("q"))
    memory.remember("b", WM, "q", answer("q"))
    memory.last("a")  # touch a
    memory.remember("c", WM, "q", answer("q"))
    assert sorted(memory.sessions()) == ["a", "c"]


def test_summary_is_shortened() -> None:
    memory = ConversationMemory()
    turn = memory.remember("s", WM, "q", answer("q", text="x" * 2000))
    assert len(turn.summary) == 500 and turn.summary.endswith("…")


def test_invalid_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        ConversationMemory(0)


def test_concurrent_sessions() -> None:
    memory = ConversationMemory()

    def talk(n: int) -> None:
        for i in range(50):
            memory.remember(f"s{n}", WM, f"q{i}", answer(f"q{i}"))

    threads = [threading.Thread(target=talk, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(memory) == 8
    assert all(
        [t.question for t in memory.history(f"s{n}")] == [f"q{i}" for i in range(40, 50)]
        for n in range(8)
    )
