"""Route quality in the time given: gap to the optimum on public instances, per solver, quiet and busy.

Calls :func:`workbench.tools.routing.solve_routes` with each instance's distance matrix
(TSPLIB EUC_2D: Euclidean distance rounded to the nearest integer; node 1 is the depot),
under the default 1 s wall-clock limit, once per solver. Prints, per instance and solver,
the gap to the optimum, the seconds taken and the vehicles used, then the mean and max
gap per set. ``--modes quiet,busy`` runs everything twice, the second time beside a
process that keeps one core busy (as a dashboard server or a kernel would).

Instances: every ``*.tsp`` / ``*.vrp`` under the ``--instances`` folders (default: the
project's shared ``bench/`` folder beside the checkout), plus generated ones (uniform
random points, fixed seeds). The optimum comes from the file (OPTIMUM line, "Optimal
value" comment, or the dimension-then-optimum header), else from the folder README's
table, else from the published optima below; generated instances are measured against
the best of several long runs (``--reference-seconds``).

Run: ``python -m benchmarks routing`` or
``python -m benchmarks.bench_routing --instances DIR --modes quiet,busy --solvers auto,ortools``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
#: Published optimal tour / plan lengths (TSPLIB, Reinelt 1991; CVRPLIB sets A, B, M).
PUBLISHED_OPTIMA: dict[str, int] = {
    "berlin52": 7542, "st70": 675, "eil76": 538, "kroA100": 21282, "kroB100": 22141,
    "rd100": 7910, "eil101": 629, "lin105": 14379, "pr124": 59030, "bier127": 118282,
    "ch130": 6110, "pr136": 96772, "ch150": 6528, "kroA150": 26524, "kroB150": 26130,
    "pr152": 73682, "kroA200": 29368, "a280": 2579,
    "A-n32-k5": 784, "A-n33-k5": 661, "A-n34-k5": 778, "A-n55-k9": 1073, "A-n60-k9": 1354,
    "A-n65-k9": 1174, "A-n80-k10": 1763, "B-n41-k6": 829, "B-n45-k5": 751, "B-n51-k7": 1032,
    "B-n56-k7": 707, "B-n63-k10": 1496, "B-n66-k9": 1316, "B-n68-k9": 1272, "B-n78-k10": 1221,
    "M-n200-k17": 1275,
}  # fmt: skip
#: Done-when targets of the routing issue: (mean gap, max gap) per set, max None = no target.
TARGETS = {"tsp": (0.005, 0.015), "cvrp": (0.025, None)}


@dataclass
class Instance:
    name: str
    kind: str  # "tsp" or "cvrp"
    matrix: np.ndarray
    demands: list[int] | None
    capacity: int | None
    vehicles: int
    optimum: float | None
    reference: str  # where the optimum comes from


def _euc_2d(xy: np.ndarray) -> np.ndarray:
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    return np.floor(d + 0.5)


def _readme_optima(folder: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for readme in folder.glob("README*"):
        for line in readme.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 2 and re.fullmatch(r"\d+(\.\d+)?", cells[-1]) and "." in cells[0]:
                out[Path(cells[0]).stem] = float(cells[-1])
    return out


def parse_instance(path: Path, readme: dict[str, float]) -> Instance:
    """TSPLIB / CVRPLIB text in the variants seen in public copies (headers optional)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, int] = {}
    capacity = vehicles = None
    optimum: float | None = None
    reference = ""
    section = "coords"
    bare_numbers: list[str] = []
    for line in lines:
        if not line or line == "EOF":
            continue
        upper = line.upper()
        if ":" in line and not line[0].isdigit():
            key, _, value = line.partition(":")
            key, value = key.strip().upper(), value.strip()
            if key == "CAPACITY":
                capacity = int(float(value))
            elif key in {"OPTIMUM", "OPTIMAL_VALUE", "BEST_KNOWN"}:
                optimum, reference = float(value), "file"
            elif key == "VEHICLES":
                vehicles = int(value)
            elif key == "COMMENT":
                found = re.search(r"optimal value:\s*(\d+)", value, re.I)
                if found:
                    optimum, reference = float(found.group(1)), "file"
            continue
        if upper.startswith("NODE_COORD_SECTION"):
            section = "coords"
        elif upper.startswith("DEMAND_SECTION"):
            section = "demand"
        elif upper.startswith(("DEPOT_SECTION", "EDGE", "DISPLAY")):
            section = "other"
        else:
            parts = line.split()
            if section == "coords" and len(parts) == 3:
                coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
            elif section == "demand" and len(parts) == 2:
                demand[int(parts[0])] = int(parts[1])
            elif len(parts) == 1 and not coords:
                bare_numbers.append(parts[0])  # "dimension, optimum" header lines
    if len(bare_numbers) >= 2 and optimum is None:
        optimum, reference = float(bare_numbers[1]), "file"
    name = path.stem
    if optimum is None and name in readme:
        optimum, reference = readme[name], "README"
    if optimum is None and name in PUBLISHED_OPTIMA:
        optimum, reference = float(PUBLISHED_OPTIMA[name]), "published"
    xy = np.array([coords[k] for k in sorted(coords)])
    kind = "cvrp" if demand else "tsp"
    if vehicles is None:
        found = re.search(r"-k(\d+)", name)
        vehicles = int(found.group(1)) if found else 1
    demands = [demand[k] for k in sorted(demand)][1:] if demand else None
    return Instance(name, kind, _euc_2d(xy), demands, capacity, vehicles if kind == "cvrp" else 1, optimum, reference)  # fmt: skip


def generated_instances() -> list[Instance]:
    """Uniform random points on a 1000 x 1000 square (fixed seeds); CVRP demands 1-20 units."""
    out = []
    for n, seed in ((60, 1), (150, 2), (300, 3)):
        rng = np.random.default_rng(seed)
        xy = np.rint(rng.uniform(0, 1000, (n, 2)))
        out.append(Instance(f"gen-tsp-{n}", "tsp", _euc_2d(xy), None, None, 1, None, ""))
    for n, seed in ((50, 4), (120, 5), (200, 6)):
        rng = np.random.default_rng(seed)
        xy = np.rint(rng.uniform(0, 1000, (n, 2)))
        demands = [int(x) for x in rng.integers(1, 21, n - 1)]
        capacity = 100
        vehicles = int(np.ceil(sum(demands) / capacity / 0.9))
        out.append(Instance(f"gen-cvrp-{n}", "cvrp", _euc_2d(xy), demands, capacity, vehicles, None, ""))  # fmt: skip
    return out


def _default_folders() -> list[Path]:
    for candidate in (REPO.parent / "shared" / "bench", REPO.parents[1] / "shared" / "bench"):
        if candidate.is_dir():
            return [candidate]
    return []


def load_instances(folders: list[Path], generate: bool) -> list[Instance]:
    found: list[Instance] = []
    seen: set[str] = set()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in {".tsp", ".vrp"} or path.stem in seen:
                continue
            readme = {**_readme_optima(path.parent.parent), **_readme_optima(path.parent)}
            found.append(parse_instance(path, readme))
            seen.add(path.stem)
    if generate:
        found.extend(generated_instances())
    return found


def _solve(inst: Instance, method: str, seconds: float, seed: int | None = None) -> dict[str, Any]:
    from workbench.core.errors import WorkbenchError
    from workbench.tools.routing import solve_routes

    kwargs: dict[str, Any] = {"method": method, "time_limit_seconds": seconds}
    if seed is not None:
        kwargs["seed"] = seed
    if inst.kind == "cvrp":
        kwargs.update(demands=inst.demands, vehicles=inst.vehicles, capacity=inst.capacity)
    start = time.perf_counter()
    try:
        plan = solve_routes(inst.matrix, **kwargs)
    except WorkbenchError as exc:
        return {"error": exc.message, "seconds": round(time.perf_counter() - start, 3)}
    seconds_taken = time.perf_counter() - start
    over = [
        sum(inst.demands[s - 1] for s in r)
        for r in plan.routes
        if inst.demands and inst.capacity and sum(inst.demands[s - 1] for s in r) > inst.capacity
    ]
    visited = sorted(s for r in plan.routes for s in r)
    return {
        "length": plan.total_km,
        "seconds": round(seconds_taken, 3),
        "vehicles_used": plan.vehicles_used,
        "feasible": not over and visited == list(range(1, inst.matrix.shape[0])),
        "method": plan.method,
    }


def _reference(inst: Instance, seconds: float) -> None:
    """Best of three long runs (different seeds) where no optimum is published."""
    method = "fast_tsp" if inst.kind == "tsp" else "pyvrp"
    lengths = [_solve(inst, method, seconds, seed).get("length") for seed in (1, 2, 3)]
    inst.optimum = min(x for x in lengths if x is not None)
    inst.reference = f"best of 3 x {seconds:g} s {method}"


def _burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x = (x * 1103515245 + 12345) % 2**31


@contextmanager
def cpu_burner(enabled: bool, seconds: float = 3600) -> Iterator[None]:
    """A separate process spinning on one core for the duration of the block."""
    if not enabled:
        yield
        return
    proc = mp.get_context("spawn").Process(target=_burn, args=(time.time() + seconds,), daemon=True)
    proc.start()
    try:
        time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.join(5)


def _gap(inst: Instance, length: float | None) -> float | None:
    if length is None or not inst.optimum:
        return None
    return (length - inst.optimum) / inst.optimum


def run(instances: list[Instance], solvers: list[str], modes: list[str], limit: float) -> dict[str, Any]:  # fmt: skip
    rows: list[dict[str, Any]] = []
    for mode in modes:
        with cpu_burner(mode == "busy"):
            for inst in instances:
                for solver in solvers:
                    if solver == "fast_tsp" and inst.kind != "tsp":
                        continue
                    out = _solve(inst, solver, limit)
                    gap = _gap(inst, out.get("length"))
                    row = {"mode": mode, "set": inst.kind, "instance": inst.name, "nodes": inst.matrix.shape[0], "solver": solver, "gap": gap, "optimum": inst.optimum, "reference": inst.reference, **out}  # fmt: skip
                    rows.append(row)
                    shown = (
                        "error: " + out["error"]
                        if "error" in out
                        else (
                            f"gap {gap:6.2%}  {out['seconds']:.2f} s  vehicles {out['vehicles_used']:>2}"
                            f"{'' if out['feasible'] else '  INFEASIBLE'}"
                        )
                    )
                    print(f"[{mode:5}] {inst.kind:4} {inst.name:12} n={inst.matrix.shape[0]:>3}  {solver:8} {shown}", flush=True)  # fmt: skip
    summary: list[dict[str, Any]] = []
    for mode in modes:
        for kind in ("tsp", "cvrp"):
            for solver in solvers:
                sel = [
                    r
                    for r in rows
                    if r["mode"] == mode and r["set"] == kind and r["solver"] == solver
                ]
                gaps = [r["gap"] for r in sel if r.get("gap") is not None]
                if not sel:
                    continue
                feasible = all(r.get("feasible") for r in sel)
                mean, worst = (statistics.fmean(gaps), max(gaps)) if gaps else (None, None)
                target_mean, target_max = TARGETS[kind]
                meets = (
                    feasible and len(gaps) == len(sel) and mean is not None and mean <= target_mean
                    and (target_max is None or (worst is not None and worst <= target_max))
                )  # fmt: skip
                summary.append({"mode": mode, "set": kind, "solver": solver, "instances": len(sel), "mean_gap": mean, "max_gap": worst, "all_feasible": feasible, "max_seconds": max(r["seconds"] for r in sel), "meets_target": meets})  # fmt: skip
                print(
                    f"== [{mode}] {kind} {solver}: {len(sel)} instances, mean gap "
                    + (f"{mean:.2%}, max {worst:.2%}" if mean is not None else "n/a")
                    + f", all feasible: {feasible}, slowest {max(r['seconds'] for r in sel):.2f} s"
                    + f" — target mean <= {target_mean:.1%}" + (f", max <= {target_max:.1%}" if target_max else "")
                    + f": {'met' if meets else 'NOT met'}",
                    flush=True,
                )  # fmt: skip
    return {"rows": rows, "summary": summary}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench_routing")
    parser.add_argument(
        "--instances", action="append", type=Path, help="folder(s) of .tsp/.vrp files"
    )
    parser.add_argument(
        "--solvers", default="auto,ortools", help="comma-separated: auto, fast_tsp, pyvrp, ortools"
    )
    parser.add_argument("--modes", default="quiet,busy", help="quiet, busy (a CPU burner beside)")
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--no-generated", action="store_true", help="only the instance files")
    parser.add_argument("--reference-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    folders = args.instances or _default_folders()
    instances = load_instances(folders, not args.no_generated)
    for inst in instances:
        if inst.optimum is None:
            _reference(inst, args.reference_seconds)
    print(f"{len(instances)} instances from {', '.join(map(str, folders)) or 'no folder'}"
          + ("" if args.no_generated else " and generated"), flush=True)  # fmt: skip
    for inst in instances:
        print(f"  {inst.name}: {inst.kind}, {inst.matrix.shape[0]} nodes, optimum {inst.optimum:g} ({inst.reference})")  # fmt: skip
    result = run(instances, [s.strip() for s in args.solvers.split(",") if s.strip()],
                 [m.strip() for m in args.modes.split(",") if m.strip()], args.time_limit)  # fmt: skip
    return {**result, "time_limit_seconds": args.time_limit, "ok": all(r.get("all_feasible") for r in result["summary"])}  # fmt: skip


if __name__ == "__main__":
    main()
