"""Benchmarks: ``python -m benchmarks [name ...]`` runs ``benchmarks/bench_<name>.py`` modules.

Contract for a benchmark module: a ``main(argv: list[str] | None = None)`` that prints its
figures and returns them as a JSON-safe dict (or None). The runner appends every returned
dict, with the time and git commit, to ``benchmarks/results/<name>.jsonl`` (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["RESULTS_DIR", "discover", "record"]

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def discover() -> list[str]:
    """Names of every benchmark module (``bench_generator.py`` -> ``generator``), sorted."""
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BENCH_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def record(name: str, figures: dict[str, Any]) -> Path:
    """Append one result line for benchmark ``name``; returns the results file."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    target = RESULTS_DIR / f"{name}.jsonl"
    line = {
        "benchmark": name,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        **figures,
    }
    with target.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, default=str) + "\n")
    return target
