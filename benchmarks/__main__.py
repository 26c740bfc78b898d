"""Run benchmarks: ``python -m benchmarks`` (all) or ``python -m benchmarks generator ...``."""

from __future__ import annotations

import importlib
import sys
import time

from benchmarks import discover, record


def run(names: list[str]) -> int:
    available = discover()
    unknown = [n for n in names if n.removeprefix("bench_") not in available]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for name in [n.removeprefix("bench_") for n in names] or available:
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.bench_{name}")
        try:
            figures = module.main([])
        except Exception as exc:  # one failing benchmark must not hide the others' figures
            print(f"{name} failed: {exc!r}", file=sys.stderr)
            failed += 1
            continue
        if figures is not None:
            figures.setdefault("wall_seconds", round(time.perf_counter() - start, 3))
            target = record(name, figures)
            print(f"(recorded in {target})")
            if figures.get("ok") is False:
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
