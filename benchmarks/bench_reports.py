"""Wall time of each scheduled report (papermill + HTML export) on small and medium data.

Each report runs with both engines: ``inprocess`` (the default: cells in this interpreter;
the first report of the process pays the imports) and ``kernel`` (a fresh Jupyter kernel per
report), and prints where the time went (``ReportRun.phases``: execute, the import cell,
each section, export). Target (issue 15): ≤ 4 s per report end to end on ``small``.

Also times the same report's sections in-process (no kernel, no export), so the figures
separate the content cost (queries, tools, charts) from the notebook machinery.

Run: ``python -m benchmarks reports`` or ``python -m benchmarks.bench_reports --scales small``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 6, 30)
SEED = 42
HOMES = Path(__file__).resolve().parent / ".data" / "report-homes"

#: Each report's sections in notebook order, with the notebook's default arguments.
SECTIONS: dict[str, tuple[str, list[str]]] = {
    "inventory_health": ("inventory", ["executive_summary", "out_of_stock", "reorder_needed", "stockout_risk",
                                       "inventory_value", "demand_forecast"]),
    "delivery_performance": ("delivery", ["executive_summary", "overdue_orders", "due_today", "on_time_trend",
                                          "fulfilment_by_warehouse", "routes"]),
    "supplier_scorecard": ("supplier", ["executive_summary", "supplier_scores", "spend_trend", "cost_variance",
                                        "savings_opportunities", "pending_pos"]),
}  # fmt: skip


def home_for(scale: str) -> Path:
    """A workbench home with ``scale`` data (seed 42, end date AS_OF), generated once and kept."""
    home = HOMES / scale
    if not (home / "data" / "warehouse.duckdb").is_file():
        from workbench.data.generator import generate

        print(f"generating {scale} into {home} ...", flush=True)
        generate(home, scale=scale, seed=SEED, end_date=AS_OF)
    (home / "config.yaml").write_text(f"as_of: {AS_OF.isoformat()}\n", encoding="utf-8")
    return home


def _sections_seconds(report: str, home: Path) -> dict[str, float]:
    import importlib

    from workbench.reports.sections import open_report

    module_name, names = SECTIONS[report]
    module = importlib.import_module(f"workbench.reports.sections.{module_name}")
    ctx = open_report(module.PERSONA, workbench_home=home, as_of=AS_OF)
    out = {}
    try:
        for name in names:
            start = time.perf_counter()
            getattr(module, name)(ctx)._repr_html_()
            out[name] = round(time.perf_counter() - start, 3)
    finally:
        ctx.workbench.close()
    return out


def run_scale(scale: str) -> dict[str, Any]:
    from workbench.app import Workbench
    from workbench.reports.runner import run_report

    home = home_for(scale)
    settings = Workbench(home=home).settings
    results = []
    with tempfile.TemporaryDirectory() as out:
        for report in SECTIONS:
            start = time.perf_counter()
            run = run_report(report, {}, settings=settings, as_of=AS_OF, output_dir=out)
            wall = time.perf_counter() - start
            start = time.perf_counter()
            kernel_run = run_report(
                report, {}, settings=settings, as_of=AS_OF, output_dir=out, kernel_name="python3"
            )
            kernel_wall = time.perf_counter() - start
            sections = _sections_seconds(report, home)
            print(f"{scale:>6} {report:<22} in-process phases: {run.phases}", flush=True)
            print(f"{scale:>6} {report:<22} kernel phases: {kernel_run.phases}", flush=True)
            row = {
                "report": report,
                "wall_seconds": round(wall, 3),
                "kernel_wall_seconds": round(kernel_wall, 3),
                "phases": run.phases,
                "sections_in_process_seconds": round(sum(sections.values()), 3),
                "sections": sections,
                "html_kib": round(run.html.stat().st_size / 1024, 1) if run.html else None,
            }
            print(
                f"{scale:>6} {report:<22} wall {wall:6.1f} s in-process, {kernel_wall:6.1f} s "
                f"with a kernel (sections in-process "
                f"{row['sections_in_process_seconds']:5.1f} s, HTML {row['html_kib']} KiB)",
                flush=True,
            )
            results.append(row)
    return {"scale": scale, "reports": results}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_reports", description=__doc__)
    parser.add_argument("--scales", default="small,medium", help="comma-separated scales")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    return {
        "as_of": AS_OF.isoformat(),
        "seed": SEED,
        "results": [run_scale(s) for s in scales],
        "ok": True,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
