"""Resource-exhausting analyst SQL: how long each takes to stop, and the memory it reaches.

Runs the issue's measured queries, the hostile corpus's ``too_large`` entries and every entry
of ``tests/data/heavy_queries.yaml`` through ``Workbench.sql`` (the analyst sandbox) with a
short timeout, and prints per query: the outcome, the wall time (from the call to the
error), the worker's peak resident memory and this process's. Then times a planner-built
question (in-process, not sandboxed) and a small analyst query on a warm worker.

Run: ``python -m benchmarks bounded [--timeout 5] [--scale small]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

TESTS_DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DATA_DIR = Path(__file__).resolve().parent / ".data"
AS_OF = dt.date(2026, 6, 30)

#: The issue's measurements, before any bound (ran 106 s / 14.7 GB, OOM-killed at 22 GB, 36 s).
ISSUE_QUERIES = {
    "issue_range_300m": "SELECT sum(x) FROM (SELECT unnest(range(300000000)) AS x)",
    "issue_range_3g": "SELECT sum(x) FROM (SELECT unnest(range(3000000000)) AS x)",
    "issue_repeat_2g": "SELECT length(repeat('x', 2000000000))",
}


def _queries() -> dict[str, str]:
    queries = dict(ISSUE_QUERIES)
    hostile = yaml.safe_load((TESTS_DATA / "hostile_queries.yaml").read_text(encoding="utf-8"))
    queries.update({e["id"]: e["sql"] for e in hostile if e.get("reason") == "too_large"})
    heavy = yaml.safe_load((TESTS_DATA / "heavy_queries.yaml").read_text(encoding="utf-8"))
    queries.update({e["id"]: e["sql"] for e in heavy})
    return queries


def _home(scale: str) -> Path:
    from workbench.data.generator import generate

    home = DATA_DIR / f"bounded-{scale}"
    if not (home / "data" / "warehouse.duckdb").is_file():
        generate(home, scale=scale, seed=42, end_date=AS_OF)
    return home


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--scale", default="small")
    args = parser.parse_args(argv)

    from workbench import Workbench
    from workbench.core.errors import QueryTimeoutError, WorkbenchError

    home = _home(args.scale)
    config = {"as_of": AS_OF.isoformat(), "warehouse": {"timeout_seconds": args.timeout}}
    rows: list[dict[str, Any]] = []
    with Workbench(home=home, config=config) as wb:
        wb.sql("SELECT 1 AS warm")  # start the worker once; its start-up is not a query's cost
        warehouse: Any = wb.warehouse
        for name, sql in _queries().items():
            start = time.perf_counter()
            try:
                wb.sql(sql)
                outcome = "ran"
            except QueryTimeoutError:
                outcome = "timeout"
            except WorkbenchError as exc:
                outcome = str(exc.fields.get("reason") or exc.code)
            seconds = time.perf_counter() - start
            sandbox = getattr(warehouse, "_sandbox", None)
            worker_mb = (
                sandbox.last_peak_mb if sandbox is not None and outcome != "too_large" else 0
            )
            rows.append(
                {
                    "query": name,
                    "outcome": outcome,
                    "seconds": round(seconds, 2),
                    "worker_peak_mb": round(worker_mb or 0, 1),
                    "within_timeout_plus_2s": seconds <= args.timeout + 2,
                }
            )
            print(
                f"{name:28} {outcome:9} {seconds:6.2f} s  worker peak {worker_mb or 0:7.1f} MB",
                flush=True,
            )
        # Speed of the ordinary paths.
        small = []
        for _ in range(20):
            start = time.perf_counter()
            wb.sql("SELECT warehouse_id, count(*) AS n FROM warehouse_product GROUP BY 1")
            small.append((time.perf_counter() - start) * 1000)
        # A planner-built question runs in-process (the agent, not the cached orchestrator).
        from workbench.agents.base import AgentRequest
        from workbench.data.schema import Persona

        agent = wb.sql_agent("warehouse_manager")
        request = AgentRequest(
            "What is the inventory value by warehouse?", Persona("warehouse_manager"), AS_OF
        )
        planned = []
        for _ in range(5):
            start = time.perf_counter()
            agent.answer(request)
            planned.append((time.perf_counter() - start) * 1000)
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = {
        "timeout_s": args.timeout,
        "scale": args.scale,
        "queries": rows,
        "all_within_timeout_plus_2s": all(r["within_timeout_plus_2s"] for r in rows),
        "max_worker_peak_mb": max(r["worker_peak_mb"] for r in rows),
        "parent_peak_mb": round(parent_mb, 1),
        "reaped_workers_peak_mb": round(children_mb, 1),
        "analyst_small_query_ms_median": round(statistics.median(small), 2),
        "planner_question_ms_median": round(statistics.median(planned), 2),
    }
    report["ok"] = (
        report["all_within_timeout_plus_2s"]
        and max(report["max_worker_peak_mb"], report["parent_peak_mb"], children_mb) < 2048
    )
    print(json.dumps({k: v for k, v in report.items() if k != "queries"}, indent=2))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
