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


def _writer(path: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    try:
        import pandas as pd

        from workbench.agents.answer import Answer, Intent
        from workbench.cost.ledger import CostLedger
        from workbench.cost.usage import Cost

        ledger = CostLedger(path)
        answers = [
            Answer(
                question=f"writer {worker} question {i}",
                persona="warehouse_manager",
                intent=Intent.SQL_QUERY,
                agent="warehouse_manager_sql",
                frame=pd.DataFrame({"a": [i]}),
                cost=Cost({}, {"redshift_serverless": 0.05}),
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
    writers: int = WRITERS, writes_per_writer: int = WRITES_PER_WRITER
) -> dict[str, Any]:
    """Writes per second with ``writers`` processes appending to one ledger at once."""
    from workbench.cost.ledger import CostLedger

    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "ledger.sqlite3")
        CostLedger(path)
        barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
        procs = [
            ctx.Process(target=_writer, args=(path, w, writes_per_writer, barrier, results))
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


def cache_speedup(home: str | None = None, repeats: int = 20) -> dict[str, Any]:
    """Median uncached ask time over median cached ask time, for a few typical questions."""
    from workbench.app import Workbench

    questions = [
        ("warehouse_manager", "Which products are below their reorder point?"),
        ("field_engineer", "Which orders are overdue?"),
        ("procurement_specialist", "What is the total spend by supplier this year?"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if home is None:
            from workbench.data.generator import generate  # type: ignore[attr-defined]

            generate(load_home := Path(tmp), scale="small", seed=42)
            home = str(load_home)
        wb = Workbench(home=home)
        uncached: list[float] = []
        cached: list[float] = []
        for persona, question in questions:
            for r in range(repeats):
                wb.orchestrator.cache.clear()
                t0 = time.perf_counter()
                first = wb.ask(question, persona=persona, session_id=f"bench-{r}")
                uncached.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                second = wb.ask(question, persona=persona, session_id=f"bench-{r}")
                cached.append(time.perf_counter() - t0)
                assert first.ok and second.cached, (first.error, second.cached)
        wb.close()
    u, c = statistics.median(uncached), statistics.median(cached)
    return {
        "uncached_ms_median": round(u * 1000, 3),
        "cached_ms_median": round(c * 1000, 3),
        "cache_hit_speedup": round(u / c, 1),
        "samples": len(uncached),
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
    report: dict[str, Any] = {"ledger": ledger_throughput(args.writers, args.writes)}
    if not args.skip_cache:
        try:
            report["cache"] = cache_speedup(args.home)
        except (ImportError, AttributeError) as exc:
            report["cache"] = {
                "skipped": f"Workbench.ask through the orchestrator is not available: {exc}"
            }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
