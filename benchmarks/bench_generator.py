"""Sample-data generation speed and memory: rows/second at medium and large, peak RSS of large.

Each scale runs in its own child process, so its peak memory is measured alone
(``os.wait4`` gives the child's rusage; ``RUSAGE_CHILDREN`` the maximum over all children).
The ``large`` scale must stay under 4 GiB peak RSS.

Run: ``python -m benchmarks generator`` or ``python -m benchmarks.bench_generator --scales medium``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LIMIT_BYTES = 4 * 1024**3
END_DATE = dt.date(2026, 6, 30)
_ROOT = Path(__file__).resolve().parent.parent


def _child(scale: str, out: str) -> None:
    from workbench.data.generator import generate

    report = generate(out, scale=scale, seed=42, end_date=END_DATE)
    print(json.dumps(report.to_dict()))


def _run_scale(scale: str, workdir: Path) -> dict[str, Any]:
    db = workdir / f"{scale}.duckdb"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_generator", "--child", scale, str(db)],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"generating {scale} failed with exit code {proc.returncode}")
    report = json.loads(output.strip().splitlines()[-1])
    rows = sum(report["rows"].values())
    peak = usage.ru_maxrss * 1024  # Linux reports kilobytes
    # Every scale the generator makes must also pass the data checker.
    from workbench.data.checker import check_database

    check_start = time.perf_counter()
    check = check_database(db)
    check_seconds = time.perf_counter() - check_start
    return {
        "scale": scale,
        "rows": rows,
        "sales_order_lines": report["rows"]["sales_order_line"],
        "generate_seconds": report["seconds"],
        "process_seconds": round(wall, 3),
        "rows_per_second": round(rows / report["seconds"]),
        "peak_rss_mib": round(peak / 1024**2, 1),
        "file_mib": round(db.stat().st_size / 1024**2, 1),
        "check_ok": check.ok,
        "check_issues": len(check.issues),
        "check_seconds": round(check_seconds, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_generator")
    parser.add_argument("--scales", default="medium,large")
    parser.add_argument("--child", nargs=2, metavar=("SCALE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return {}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_generator_") as tmp:
        for scale in [s.strip() for s in args.scales.split(",") if s.strip()]:
            r = _run_scale(scale, Path(tmp))
            results.append(r)
            print(
                f"{scale:>7}: {r['rows']:>11,} rows ({r['sales_order_lines']:,} order lines) in {r['generate_seconds']:.1f} s"
                f" = {r['rows_per_second']:,} rows/s; peak RSS {r['peak_rss_mib']:,} MiB; file {r['file_mib']:,} MiB;"
                f" data check {'passed' if r['check_ok'] else 'FAILED'} in {r['check_seconds']} s",
                flush=True,
            )
            Path(tmp, f"{scale}.duckdb").unlink()
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    large = next((r for r in results if r["scale"] == "large"), None)
    ok = (large is None or large["peak_rss_mib"] * 1024**2 < LIMIT_BYTES) and all(
        r["check_ok"] for r in results
    )
    print(
        f"max child peak RSS (RUSAGE_CHILDREN): {children_peak / 1024**2:,.1f} MiB; large under 4 GiB: {ok}"
    )
    return {
        "results": results,
        "children_peak_rss_mib": round(children_peak / 1024**2, 1),
        "ok": ok,
    }


if __name__ == "__main__":
    figures = main(sys.argv[1:])
    if figures and figures.get("ok") is False:
        sys.exit(1)
