"""Time to answer a question: planner + SQL + result, over the question set, per data scale.

For each scale the sample data is generated into a temporary home (seed 42, end date
2026-06-30, the as-of date of the question set), then every question of
``tests/questions/*.yaml`` is asked through its persona's SQL agent: one warm-up pass
(model, entity names, first connection), then ``--repeat`` timed passes. Answers are not
cached by the agent (compiled SQL is), so each timing includes planning, the warehouse
query and building the answer. Targets: median under 50 ms on small, under 500 ms on large.

Run: ``python -m benchmarks ask`` or ``python -m benchmarks.bench_ask --scales small,medium``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

END_DATE = dt.date(2026, 6, 30)
TARGET_MEDIAN_MS = {"tiny": 50.0, "small": 50.0, "medium": 500.0, "large": 500.0}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _bench_scale(scale: str, root: Path, repeat: int) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.questions.compare import load_questions
    from workbench.agents.base import AgentRequest
    from workbench.app import Workbench
    from workbench.core.errors import WorkbenchError
    from workbench.data.generator import generate
    from workbench.data.schema import Persona

    home = root / scale
    started = time.perf_counter()
    report = generate(home, scale=scale, seed=42, end_date=END_DATE)
    generate_s = time.perf_counter() - started
    questions = load_questions()
    wb = Workbench(home=home, config={"as_of": END_DATE.isoformat()})
    try:
        requests = [AgentRequest(q.question, Persona.parse(q.persona), END_DATE) for q in questions]
        errors = 0
        for req in requests:  # warm-up
            errors += bool(wb.sql_agent(req.persona).answer(req).error)
        totals: list[float] = []
        planner_ms: list[float] = []
        warehouse_ms: list[float] = []
        slowest: list[tuple[float, str]] = []
        for _ in range(repeat):
            for req in requests:
                agent = wb.sql_agent(req.persona)
                t0 = time.perf_counter()
                # A question refused on this scale's data is counted in errors by the warm-up.
                with contextlib.suppress(WorkbenchError):
                    agent.planner.plan(req.question, persona=req.persona, as_of=req.as_of)
                planner_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                answer = agent.answer(req)
                total = (time.perf_counter() - t0) * 1000
                totals.append(total)
                warehouse_ms.extend(u.duration_ms for u in answer.usage.warehouse)
                slowest.append((total, req.question))
        slowest.sort(reverse=True)
        median = statistics.median(totals)
        return {
            "scale": scale,
            "rows": report.total_rows if hasattr(report, "total_rows") else None,
            "generate_seconds": round(generate_s, 1),
            "questions": len(requests),
            "timed_asks": len(totals),
            "errors": errors,
            "median_ms": round(median, 2),
            "p95_ms": round(_percentile(totals, 0.95), 2),
            "max_ms": round(max(totals), 2),
            "planner_median_ms": round(statistics.median(planner_ms), 3),
            "warehouse_median_ms": round(statistics.median(warehouse_ms), 2)
            if warehouse_ms
            else None,
            "target_median_ms": TARGET_MEDIAN_MS.get(scale),
            "meets_target": median < TARGET_MEDIAN_MS.get(scale, float("inf")),
            "slowest": [{"ms": round(ms, 1), "question": q} for ms, q in slowest[:3]],
        }
    finally:
        wb.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_ask")
    parser.add_argument(
        "--scales", default="small,large", help="comma-separated: tiny, small, medium, large"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the question set")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_ask_") as tmp:
        for scale in [s.strip() for s in args.scales.split(",") if s.strip()]:
            r = _bench_scale(scale, Path(tmp), args.repeat)
            results.append(r)
            print(
                f"{scale:>6}: {r['questions']} questions x {args.repeat}: median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms "
                f"(planner {r['planner_median_ms']:.2f} ms, warehouse {r['warehouse_median_ms']} ms); "
                f"target < {r['target_median_ms']:.0f} ms: {'met' if r['meets_target'] else 'MISSED'}; errors {r['errors']}",
                flush=True,
            )
            for s in r["slowest"]:
                print(f"        slow: {s['ms']:.0f} ms  {s['question']}")
    return {"results": results, "ok": all(r["meets_target"] and r["errors"] == 0 for r in results)}


if __name__ == "__main__":
    figures = main(sys.argv[1:])
    sys.exit(0 if figures["ok"] else 1)
