"""Execution accuracy: do the rows of an answer equal the rows of the gold query?

Values are compared, not column names: numbers rounded to 4 decimal places, dates as ISO
strings, NULL/NaN as None. When the gold query returns fewer columns than the answer
(answers show ids and names together), each gold column is matched to a distinct answer
column holding the same values, and the projected rows must then be equal. ``ordered``
compares row order too; ``unordered`` compares the rows as a multiset.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

QUESTIONS_DIR = Path(__file__).parent


@dataclass
class GoldQuestion:
    id: str
    persona: str
    question: str = ""
    gold_sql: str = ""
    compare: str = "unordered"
    columns: list[str] | None = None
    turns: list[str] = field(default_factory=list)
    error_contains: list[str] = field(default_factory=list)
    source: str = ""


def load_questions(*names: str) -> list[GoldQuestion]:
    """Entries of the named YAML files (all but refusals and follow-ups when none given)."""
    files = (
        [QUESTIONS_DIR / f"{n}.yaml" for n in names]
        if names
        else sorted(
            p
            for p in QUESTIONS_DIR.glob("*.yaml")
            if p.stem not in {"refusals", "followups"} and not p.stem.startswith("held_out")
        )
    )
    out: list[GoldQuestion] = []
    for path in files:
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append(GoldQuestion(**raw, source=path.stem))
    return out


def norm(value: Any) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, type(pd.NA)) and value is pd.NA):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None
        return round(float(value), 4) + 0.0
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(norm(v) for v in row) for row in frame.itertuples(index=False, name=None)]


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in row)


def rows_equal(
    answer: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    ordered: bool = False,
    columns: Sequence[str] | None = None,
) -> tuple[bool, str]:
    """Whether the answer's rows equal the gold rows, and a reason when they do not."""
    if columns:
        missing = [c for c in columns if c not in answer.columns]
        if missing:
            return False, f"answer lacks columns {missing}; it has {list(answer.columns)}"
        answer = answer[list(columns)]
    a_rows, g_rows = _rows(answer), _rows(gold)
    if len(a_rows) != len(g_rows):
        return False, f"{len(a_rows)} answer rows vs {len(g_rows)} gold rows"
    n_a, n_g = answer.shape[1], gold.shape[1]
    if n_g > n_a:
        return False, f"gold has {n_g} columns, answer only {n_a}"

    def same(rows_a: list[tuple[Any, ...]]) -> bool:
        if ordered:
            return rows_a == g_rows
        return Counter(rows_a) == Counter(g_rows)

    if n_a == n_g and same(a_rows):
        return True, ""
    # Match each gold column to an answer column with the same values.
    a_cols = [[r[j] for r in a_rows] for j in range(n_a)]
    g_cols = [[r[i] for r in g_rows] for i in range(n_g)]

    def col_key(values: list[Any]) -> Any:
        return values if ordered else sorted(values, key=lambda v: _sort_key((v,)))

    candidates = [
        [j for j in range(n_a) if col_key(a_cols[j]) == col_key(g_cols[i])] for i in range(n_g)
    ]
    if any(not c for c in candidates):
        bad = [i for i, c in enumerate(candidates) if not c]
        return (
            False,
            f"no answer column matches gold column(s) {bad}; answer columns {list(answer.columns)}",
        )
    tried = 0
    for combo in product(*candidates):
        if len(set(combo)) != len(combo):
            continue
        tried += 1
        if tried > 5000:
            break
        projected = [tuple(r[j] for j in combo) for r in a_rows]
        if same(projected):
            return True, ""
    return False, "columns match individually but the rows differ"


@dataclass
class Outcome:
    question: GoldQuestion
    ok: bool
    reason: str = ""
    answer: Any = None


def agent_asker(workbench: Any) -> Any:
    """Ask through the persona SQL agents directly (the semantic layer, without orchestration)."""
    from workbench.agents.base import AgentRequest
    from workbench.data.schema import Persona

    def ask(question: str, persona: str, as_of: dt.date, previous: Any = None) -> Any:
        who = Persona.parse(persona)
        request = AgentRequest(question=question, persona=who, as_of=as_of, previous=previous)
        return workbench.sql_agent(who).answer(request)

    return ask


def workbench_asker(workbench: Any) -> Any:
    """Ask through ``Workbench.ask`` (with whatever orchestration is configured)."""

    def ask(question: str, persona: str, as_of: dt.date, previous: Any = None) -> Any:
        session = getattr(previous, "_eval_session", None)
        answer = workbench.ask(question, persona, as_of=as_of, session_id=session)
        return answer

    return ask


def evaluate(workbench: Any, question: GoldQuestion, as_of: dt.date, ask: Any = None) -> Outcome:
    """Ask the question (all turns of a conversation) and compare the last answer with gold."""
    ask = ask or agent_asker(workbench)
    turns = question.turns or [question.question]
    answer = None
    for turn in turns:
        answer = ask(turn, question.persona, as_of, answer)
        if answer.error:
            return Outcome(question, False, f"error on {turn!r}: {answer.error}", answer)
    gold = workbench.warehouse.query(question.gold_sql)
    ok, reason = rows_equal(
        answer.frame, gold, ordered=question.compare == "ordered", columns=question.columns
    )
    return Outcome(question, ok, reason, answer)
