"""Score a question batch through ``Workbench.ask``: right, refused, answered wrong.

A held-out batch is scored with this before anything is changed for it; the figures go in
``tests/questions/README.md``. Each entry is a question (or a conversation in ``turns``, the
last turn scored) with ``gold_sql``, or ``expect: refusal``. A conversation runs in one
session, so follow-ups refine the previous answer as they do for a user.

    python -m tests.questions.score tests/questions/held_out_1.yaml [--home DIR] [--verbose]

Without ``--home`` it generates the sample data the tests use (small, seed 42, ending
2026-06-30) in a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.questions.compare import rows_equal

AS_OF = dt.date(2026, 6, 30)


@dataclass
class Scored:
    id: str
    verdict: str  # right, refused, wrong
    question: str
    reason: str = ""
    answer: Any = None


def score_entry(workbench: Any, entry: dict[str, Any], as_of: dt.date = AS_OF) -> Scored:
    turns = list(entry.get("turns") or [entry["question"]])
    persona = entry["persona"]
    session = f"score-{uuid.uuid4().hex}"
    answer = None
    for i, turn in enumerate(turns):
        answer = workbench.ask(turn, persona, as_of=as_of, session_id=session)
        if answer.error and i < len(turns) - 1 and entry.get("expect") != "refusal":
            return Scored(
                entry["id"], "refused", " / ".join(turns), f"turn {i + 1}: {answer.error}", answer
            )
    assert answer is not None
    text = " / ".join(turns)
    if entry.get("expect") == "refusal":
        if answer.error:
            return Scored(entry["id"], "right", text, answer.error, answer)
        return Scored(
            entry["id"], "wrong", text, f"answered instead of refusing: {answer.answer}", answer
        )
    if answer.error:
        return Scored(entry["id"], "refused", text, answer.error, answer)
    gold = workbench.warehouse.query(entry["gold_sql"])
    ok, reason = rows_equal(
        answer.frame,
        gold,
        ordered=entry.get("compare", "unordered") == "ordered",
        columns=entry.get("columns"),
    )
    return Scored(entry["id"], "right" if ok else "wrong", text, reason, answer)


def score_file(workbench: Any, path: Path) -> list[Scored]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [score_entry(workbench, e) for e in entries]


def summary(results: Sequence[Scored]) -> str:
    n = len(results)
    counts = {v: sum(r.verdict == v for r in results) for v in ("right", "refused", "wrong")}
    return (
        f"{n} questions: right {counts['right']} ({counts['right'] / n:.1%}), "
        f"refused {counts['refused']}, answered wrong {counts['wrong']}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    from workbench.app import Workbench

    home = args.home
    if home is None:
        from workbench.data.generator import generate

        home = Path(tempfile.mkdtemp(prefix="score-"))
        generate(home, scale="small", seed=42, end_date=AS_OF)
        (home / "config.yaml").write_text(f"as_of: {AS_OF.isoformat()}\n", encoding="utf-8")
    wb = Workbench(home=home)
    try:
        for path in args.files:
            results = score_file(wb, path)
            print(f"{path.name}: {summary(results)}")
            for r in results:
                if r.verdict == "wrong" or (args.verbose and r.verdict == "refused"):
                    print(
                        f"  {r.verdict.upper():7} {r.id}: {r.question!r}\n          {r.reason[:300]}"
                    )
                    if r.verdict == "wrong" and r.answer is not None and r.answer.sql:
                        print("          sql: " + " ".join(r.answer.sql.split())[:400])
    finally:
        wb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
