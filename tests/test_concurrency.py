"""Many processes writing one ledger under one $WORKBENCH_HOME at once.

Each process is a separate interpreter (``spawn``), like separate notebook kernels. They
wait on one start signal so their writes overlap, then each records its answers. The
ledger must end with exactly one row per answer and no process may fail on a lock.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_sample_home

PROCESSES = 8
ANSWERS_PER_PROCESS = 100


def _ledger_writer(path: str, worker: int, count: int, start: Any, results: Any) -> None:
    try:
        import pandas as pd

        from workbench.agents.answer import Answer, Intent
        from workbench.cost.ledger import CostLedger
        from workbench.cost.usage import Cost

        ledger = CostLedger(path)
        start.wait(120)
        began = time.time()
        for i in range(count):
            ledger.record(
                Answer(
                    question=f"worker {worker} question {i}",
                    persona="warehouse_manager",
                    intent=Intent.SQL_QUERY,
                    agent="warehouse_manager_sql",
                    frame=pd.DataFrame({"a": [i]}),
                    cost=Cost({}, {"redshift_serverless": 0.05}),
                ),
                session_id=f"session-{worker}",
            )
        results.put((worker, count, None, began, time.time()))
    except BaseException:
        results.put((worker, 0, traceback.format_exc(), 0.0, 0.0))


def test_eight_processes_write_one_ledger(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    # Every writer and this process meet at the barrier, so all writes start together.
    start, results = ctx.Barrier(PROCESSES + 1), ctx.Queue()
    path = str(tmp_path / "ledger.sqlite3")
    procs = [
        ctx.Process(target=_ledger_writer, args=(path, w, ANSWERS_PER_PROCESS, start, results))
        for w in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    start.wait(120)
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [err for _, _, err, _, _ in outcomes if err]
    assert not errors, errors[0]
    assert all(p.exitcode == 0 for p in procs)

    from workbench.cost.ledger import CostLedger

    ledger = CostLedger(path)
    entries = ledger.entries(None)
    assert len(entries) == PROCESSES * ANSWERS_PER_PROCESS
    assert len({e.request_id for e in entries}) == len(entries)
    per_session: dict[str | None, int] = {}
    for e in entries:
        per_session[e.session_id] = per_session.get(e.session_id, 0) + 1
    assert per_session == {f"session-{w}": ANSWERS_PER_PROCESS for w in range(PROCESSES)}
    assert len({e.process_id for e in entries}) == PROCESSES
    # The writers really overlapped in time.
    spans = sorted((b, e) for _, _, _, b, e in outcomes)
    assert spans[-1][0] < max(e for _, e in spans[:-1])


#: SQL answers, follow-ups and a refusal. Tool questions are left out on purpose: the first
#: tool call of a process costs seconds of imports, which would only slow this test down;
#: tools and hybrids go through the same cache/ledger path (see test_orchestrator_e2e.py).
ASK_QUESTIONS = [
    ("warehouse_manager", "Which products are below their reorder point?"),
    ("warehouse_manager", "Revenue by category last month"),
    ("warehouse_manager", "How many products are out of stock in each warehouse?"),
    ("warehouse_manager", "what about this month?"),
    ("field_engineer", "Which orders are overdue?"),
    ("field_engineer", "only the express ones"),
    ("field_engineer", "How many late deliveries were there this month?"),
    ("field_engineer", "and last month?"),
    ("procurement_specialist", "What is the total spend by supplier this year?"),
    ("procurement_specialist", "spend by category last month"),
    ("procurement_specialist", "Which orders are overdue?"),  # refused: not this persona's tables
]


def _asker(home: str, worker: int, count: int, start: Any, results: Any) -> None:
    try:
        import logging

        from workbench.app import Workbench

        failures: list[str] = []

        class Watch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if (
                    getattr(record, "event", None) == "ledger_write_failed"
                    or "locked" in record.getMessage()
                ):
                    failures.append(record.getMessage())

        logging.getLogger("workbench").addHandler(Watch())
        wb = Workbench(home=home)
        start.wait(300)
        began = time.time()
        errors: list[str] = []
        for i in range(count):
            persona, question = ASK_QUESTIONS[(i + worker) % len(ASK_QUESTIONS)]
            answer = wb.ask(question, persona, session_id=f"w{worker}-{persona}")
            if answer.error and ("locked" in answer.error or "busy" in answer.error):
                errors.append(answer.error)
        stats = wb.orchestrator.cache.stats().to_dict()
        wb.close()
        results.put(
            (
                worker,
                {
                    "errors": errors,
                    "failures": failures,
                    "stats": stats,
                    "began": began,
                    "ended": time.time(),
                },
                None,
            )
        )
    except BaseException:
        results.put((worker, {}, traceback.format_exc()))


ASKS_PER_PROCESS = 100


@pytest.mark.slow
def test_eight_processes_ask_against_one_home(sample_home: Path, tmp_path: Path) -> None:

    home = tmp_path / "home"
    copy_sample_home(sample_home, home)
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(PROCESSES + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_asker, args=(str(home), w, ASKS_PER_PROCESS, start, results))
        for w in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    start.wait(300)
    outcomes = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    crashed = [tb for _, _, tb in outcomes if tb]
    assert not crashed, crashed[0]
    assert all(p.exitcode == 0 for p in procs)
    reports = {w: r for w, r, _ in outcomes}
    assert all(not r["errors"] and not r["failures"] for r in reports.values()), reports

    from workbench.cost.ledger import CostLedger

    entries = CostLedger(home / "ledger.sqlite3").entries(None)
    # Exactly one ledger row per answer, each from its own process.
    assert len(entries) == PROCESSES * ASKS_PER_PROCESS
    assert len({e.request_id for e in entries}) == len(entries)
    per_process: dict[int | None, int] = {}
    for e in entries:
        per_process[e.process_id] = per_process.get(e.process_id, 0) + 1
    assert sorted(per_process.values()) == [ASKS_PER_PROCESS] * PROCESSES
    # The cache statistics add up: one lookup per answer in each process, and every hit
    # is a ledger row marked cached (and every miss one that is not).
    stats = [r["stats"] for r in reports.values()]
    assert all(s["hits"] + s["misses"] == ASKS_PER_PROCESS for s in stats)
    assert sum(s["hits"] for s in stats) == sum(e.cached for e in entries)
    assert sum(s["misses"] for s in stats) == sum(not e.cached for e in entries)
    assert all(s["hits"] > 0 and s["entries"] > 0 for s in stats)
    # Refused questions are answers too: recorded with their error, never cached.
    refused = [e for e in entries if e.error]
    assert refused and not any(e.cached for e in refused)
