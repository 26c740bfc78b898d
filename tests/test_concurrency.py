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
