"""Benchmarks for issue 5: ledger write throughput with concurrent writers, cache hit vs uncached ask.

Run: ``python benchmarks/bench_cache_ledger.py`` (or through ``make bench``). Figures:

* ``ledger_writes_per_second`` — rows committed per second by 8 separate processes writing
  one SQLite ledger at once (WAL, ``BEGIN IMMEDIATE``, busy timeout), wall time from the
  moment all writers start until the last one finishes.
* ``cache_hit_speedup`` — median time of an uncached ``Workbench.ask`` divided by the median
  time of the same question answered from the cache (needs sample data; generated into a
  temporary home when none is given).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

WRITERS = 8
WRITES_PER_WRITER = 500


def _writer(
    path: str, worker: int, count: int, barrier: Any, results: Any, windows: bool = False
) -> None:
    try:
        import pandas as pd

        from workbench.agents.answer import Answer, Intent
        from workbench.cost.ledger import CostLedger
        from workbench.cost.usage import Cost, Usage, WarehouseUsage

        ledger = CostLedger(path)
        start = time.time()

        def usage(i: int) -> Usage:
            if not windows:
                return Usage()
            # A Redshift query every 20 s per writer: merged into the workgroup's periods.
            ended = start + (i * WRITERS + worker) * 20 / WRITERS
            return Usage(
                warehouse=[
                    WarehouseUsage(
                        "redshift", 900.0, server_duration_ms=700.0, ended_at=ended, scope="wg"
                    )
                ]
            )

        answers = [
            Answer(
                question=f"writer {worker} question {i}",
                persona="warehouse_manager",
                intent=Intent.SQL_QUERY,
                agent="warehouse_manager_sql",
                frame=pd.DataFrame({"a": [i]}),
                cost=Cost({}, {"redshift_serverless": 0.05}),
                usage=usage(i),
            )
            for i in range(count)
        ]
        barrier.wait(300)
        began = time.perf_counter()
        for a in answers:
            ledger.record(a, session_id=f"w{worker}")
        results.put((worker, None, began, time.perf_counter()))
    except BaseException:
        results.put((worker, traceback.format_exc(), 0.0, 0.0))


def ledger_throughput(
    writers: int = WRITERS, writes_per_writer: int = WRITES_PER_WRITER, *, windows: bool = False
) -> dict[str, Any]:
    """Writes per second with ``writers`` processes appending to one ledger at once.

    ``windows``: each answer carries a Redshift query the ledger merges into the workgroup's
    active periods (a read of the recent windows and a second insert per write).
    """
    from workbench.cost.ledger import CostLedger

    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "ledger.sqlite3")
        CostLedger(path)
        barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
        procs = [
            ctx.Process(
                target=_writer, args=(path, w, writes_per_writer, barrier, results, windows)
            )
            for w in range(writers)
        ]
        for p in procs:
            p.start()
        barrier.wait(300)
        outcomes = [results.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(60)
        errors = [err for _, err, _, _ in outcomes if err]
        if errors:
            raise RuntimeError(errors[0])
        # perf_counter is system-wide monotonic on Linux, so spans from processes compare.
        wall = max(end for *_, end in outcomes) - min(start for _, _, start, _ in outcomes)
        rows = CostLedger(path).count()
    total = writers * writes_per_writer
    return {
        "writers": writers,
        "writes": total,
        "rows": rows,
        "seconds": round(wall, 3),
        "ledger_writes_per_second": round(total / wall, 1),
    }


def cache_speedup(home: str | None = None, repeats: int = 15) -> dict[str, Any]:
    """Median uncached ``Workbench.ask`` time over median cache-hit time, per question and overall.

    Uncached: the cache is cleared, so the question is classified, planned, compiled and run
    on the warehouse (warm: agents, entity index and connection already built). Cached: the
    same question again in the same session, answered from the cache.
    """
    import datetime as dt

    from workbench.app import Workbench
    from workbench.data.generator import generate

    questions = [
        ("warehouse_manager", "Which products are below their reorder point?"),
        ("warehouse_manager", "Revenue by category last month"),
        ("field_engineer", "Which orders are overdue?"),
        ("procurement_specialist", "What is the total spend by supplier this year?"),
        ("warehouse_manager", "Calculate the EOQ for P0001 at WH-EAST"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if home is None:
            home = tmp
            generate(home, scale="small", seed=42, end_date=dt.date(2026, 6, 30))
        wb = Workbench(home=home, config={"as_of": "2026-06-30"})
        per_question: dict[str, dict[str, float]] = {}
        uncached: list[float] = []
        cached: list[float] = []
        for persona, question in questions:
            wb.ask(question, persona, session_id="warm-up")  # build agents and indexes once
            u_times, c_times = [], []
            for _ in range(repeats):
                wb.orchestrator.cache.clear()
                t0 = time.perf_counter()
                first = wb.ask(question, persona, session_id="bench")
                u_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                second = wb.ask(question, persona, session_id="bench")
                c_times.append(time.perf_counter() - t0)
                if not (first.ok and not first.cached and second.cached):
                    raise RuntimeError(f"{question!r}: expected a miss then a hit ({first.error})")
            uncached += u_times
            cached += c_times
            u, c = statistics.median(u_times), statistics.median(c_times)
            per_question[question] = {
                "uncached_ms": round(u * 1000, 3),
                "cached_ms": round(c * 1000, 3),
                "speedup": round(u / c, 1),
            }
        wb.close()
    u, c = statistics.median(uncached), statistics.median(cached)
    return {
        "uncached_ms_median": round(u * 1000, 3),
        "cached_ms_median": round(c * 1000, 3),
        "cache_hit_speedup": round(u / c, 1),
        "min_question_speedup": min(q["speedup"] for q in per_question.values()),
        "samples": len(uncached),
        "per_question": per_question,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=WRITERS)
    parser.add_argument("--writes", type=int, default=WRITES_PER_WRITER, help="writes per writer")
    parser.add_argument(
        "--home", default=None, help="a WORKBENCH_HOME with data for the cache benchmark"
    )
    parser.add_argument("--skip-cache", action="store_true")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "ledger": ledger_throughput(args.writers, args.writes),
        "ledger_with_redshift_windows": ledger_throughput(args.writers, args.writes, windows=True),
    }
    ok = all(
        report[k]["rows"] == report[k]["writes"] for k in ("ledger", "ledger_with_redshift_windows")
    )
    if not args.skip_cache:
        report["cache"] = cache_speedup(args.home)
        ok = ok and report["cache"]["cache_hit_speedup"] >= 20
    report["ok"] = ok
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
