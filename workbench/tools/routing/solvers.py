"""Route solvers, one registry, chosen by benchmark (``python -m benchmarks routing``).

| problem | solver | why |
|---|---|---|
| one tour, up to :data:`EXACT_MAX_STOPS` stops | ``exact`` (Held-Karp) | proven optimum, milliseconds |
| one tour, more stops | ``fast_tsp`` (Or-opt / 2-opt / Lin-Kernighan local search) | 0.00 % gap on TSPLIB 52–280 nodes in 1 s |
| several vehicles, capacity, route length, fewest vehicles | ``pyvrp`` (iterated local search) | mean gap well under 2.5 % on CVRPLIB 32–200 nodes in 1 s |
| any (kept for comparison) | ``ortools`` (OR-Tools routing, guided local search) | the former default; several percent worse in the same time |

The time limit is wall-clock and covers the whole call; each solver gets what is left of
it after the problem is built. Seeds are fixed, so a search that finishes before the limit
gives the same plan for the same input; a search cut off by the limit can end on a
different (equally valid) plan when the machine is busier.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.core.errors import MissingDependencyError, ToolArgumentError, ToolError
from workbench.tools.routing.exact import EXACT_LIMIT, EXACT_MAX_STOPS, held_karp
from workbench.tools.routing.geometry import route_length
from workbench.tools.routing.problem import RouteProblem

__all__ = [
    "METHODS",
    "SOLVERS",
    "RoutePlan",
    "SolverBackend",
    "nearest_neighbour_routes",
    "solve_routes",
]

#: Seed handed to every randomised solver: the same input gives the same search.
SEED = 20260101
#: Time kept back from the limit for building the answer after the search returns.
_RESERVE_SECONDS = 0.05
#: Largest integer distance fast-tsp accepts (it stores distances as uint16).
_FAST_TSP_MAX = 65_535
#: Integer resolution for PyVRP and OR-Tools: the longest leg becomes this many units (finer
#: scales make PyVRP's load penalties too weak against distance to find feasible plans).
_INT_RESOLUTION = 100_000


@dataclass(frozen=True)
class RoutePlan:
    """Routes as lists of node numbers (1..n; 0 is the depot), one list per vehicle.

    ``naive_routes`` is the plan a driver gets by always going to the nearest stop not yet
    visited (returning to the depot when the next would overload the truck or make the
    route too long): the baseline the answer's saving is measured against.
    """

    routes: list[list[int]]
    route_km: list[float]
    total_km: float
    method: str
    naive_routes: list[list[int]] = field(default_factory=list)
    naive_km: float = 0.0
    seconds: float = 0.0

    @property
    def vehicles_used(self) -> int:
        return sum(1 for r in self.routes if r)

    @property
    def saving_km(self) -> float:
        return self.naive_km - self.total_km

    @property
    def saving_share(self) -> float | None:
        return self.saving_km / self.naive_km if self.naive_km > 0 else None


Solve = Callable[[RouteProblem, float, int], list[list[int]]]


@dataclass(frozen=True)
class SolverBackend:
    """One solver: its name (the ``method``), what it is, and which problems it takes."""

    name: str
    label: str
    one_tour_only: bool
    solve: Solve
    max_stops: int | None = None

    def accepts(self, problem: RouteProblem) -> bool:
        if self.one_tour_only and not problem.one_tour:
            return False
        return self.max_stops is None or problem.stops <= self.max_stops


def _integer_matrix(matrix: np.ndarray, top: int) -> tuple[np.ndarray, float]:
    """Integer distances for solvers that need them, and the scale used (1 when already integers).

    Integer inputs within range are kept exactly (benchmark instances); others are scaled
    so the longest leg is ``top`` units, fine enough that rounding never changes which of
    two realistic plans is shorter by more than a few metres.
    """
    largest = float(matrix.max()) if matrix.size else 0.0
    if largest <= top and np.array_equal(matrix, np.rint(matrix)):
        return matrix.astype(np.int64), 1.0
    scale = top / largest if largest > 0 else 1.0
    return np.rint(matrix * scale).astype(np.int64), scale


def _solve_exact(problem: RouteProblem, _seconds: float, _seed: int) -> list[list[int]]:
    return [held_karp(problem.matrix)]


def _solve_fast_tsp(problem: RouteProblem, seconds: float, _seed: int) -> list[list[int]]:
    try:
        import fast_tsp
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError("fast-tsp", feature="single-tour routing") from exc
    if problem.stops <= 2:
        return [list(range(1, problem.stops + 1))]
    ints, _ = _integer_matrix(problem.matrix, _FAST_TSP_MAX)
    # One thread: the machine runs a dashboard and kernels beside the solver.
    tour = fast_tsp.find_tour(ints, duration_seconds=max(0.01, seconds), max_threads=1)
    start = tour.index(0)
    return [[int(v) for v in tour[start + 1 :] + tour[:start]]]


def _solve_pyvrp(problem: RouteProblem, seconds: float, seed: int) -> list[list[int]]:
    try:
        import pyvrp
        from pyvrp.exceptions import PenaltyBoundWarning
        from pyvrp.search import NeighbourhoodParams
        from pyvrp.stop import MaxRuntime
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError("pyvrp", feature="multi-vehicle routing") from exc
    ints, scale = _integer_matrix(problem.matrix, _INT_RESOLUTION)
    n = problem.stops
    capacity = [problem.capacity] if problem.capacity is not None else []
    clients = [
        pyvrp.Client(location=i, delivery=[problem.demands[i - 1]] if capacity else [])
        for i in range(1, n + 1)
    ]
    max_distance = (
        int(np.floor(problem.max_route_km * scale))
        if problem.max_route_km is not None
        else np.iinfo(np.int64).max
    )
    vehicle = pyvrp.VehicleType(
        num_available=min(problem.vehicles, n), capacity=capacity, max_distance=max_distance
    )
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(n + 1)],
        clients=clients,
        depots=[pyvrp.Depot(location=0)],
        vehicle_types=[vehicle],
        distance_matrices=[ints],  # type: ignore[list-item]  # PyVRP's stubs say ndarray[int]
        duration_matrices=[np.zeros_like(ints)],  # type: ignore[list-item]
    )
    # Tuned for short runs (benchmarks/bench_routing.py): a short late-acceptance history
    # and 20 neighbours let ~1,000 iterations in a second converge; the defaults are made
    # for minutes of search.
    params = pyvrp.SolveParams(
        ils=pyvrp.IteratedLocalSearchParams(history_length=20),
        neighbourhood=NeighbourhoodParams(num_neighbours=20),
    )
    deadline = time.perf_counter() + seconds
    with warnings.catch_warnings():
        # PyVRP warns while it searches for feasibility; an infeasible end is reported below.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        if problem.fleet == "fewest":
            # A third of the time finds the smallest fleet with a feasible plan, the rest
            # shortens the plan for that fleet.
            smallest = pyvrp.minimise_fleet(
                data, MaxRuntime(max(0.01, seconds / 3)), seed=seed, params=params
            )
            data = data.replace(vehicle_types=[smallest])
        result = pyvrp.solve(
            data,
            stop=MaxRuntime(max(0.01, deadline - time.perf_counter())),
            seed=seed,
            display=False,
            params=params,
        )
    best = result.best
    if not best.is_feasible() or not best.is_complete():
        raise _no_plan(problem)
    # Client k of the data sits at node k + 1 of the matrix (node 0 is the depot).
    return [[int(a.idx) + 1 for a in route if a.is_client()] for route in best.routes()]


def _solve_ortools(problem: RouteProblem, seconds: float, _seed: int) -> list[list[int]]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    ints, scale = _integer_matrix(problem.matrix, _INT_RESOLUTION)
    size = problem.stops + 1
    vehicles = problem.vehicles
    manager = pywrapcp.RoutingIndexManager(size, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(ints.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    if problem.capacity is not None:
        demand_cb = routing.RegisterUnaryTransitVector([0, *problem.demands])
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, [int(problem.capacity)] * vehicles, True, "Capacity"
        )
    if problem.max_route_km is not None:
        routing.AddDimension(
            transit, 0, int(np.floor(problem.max_route_km * scale)), True, "Distance"
        )
    if problem.fleet == "fewest":
        routing.SetFixedCostOfAllVehicles(int(2 * ints[0, 1:].sum()) + 1)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        raise _no_plan(problem)
    routes: list[list[int]] = []
    for v in range(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def _no_plan(problem: RouteProblem) -> ToolError:
    limits = []
    if problem.capacity is not None:
        limits.append(f"{problem.capacity} units each")
    if problem.max_route_km is not None:
        limits.append(f"at most {problem.max_route_km:g} km each")
    return ToolError(
        f"No delivery plan for the {problem.stops} stops was found with {problem.vehicles} vehicle(s)"
        + (f" of {' and '.join(limits)}" if limits else "")
        + ".",
        hint="Add a vehicle, raise the capacity or allow longer routes (or a longer time limit).",
        vehicles=problem.vehicles,
        capacity=problem.capacity,
        max_route_km=problem.max_route_km,
    )


SOLVERS: dict[str, SolverBackend] = {
    b.name: b
    for b in (
        SolverBackend(
            "exact", "the proven shortest tour (Held-Karp)", True, _solve_exact, EXACT_LIMIT
        ),
        SolverBackend("fast_tsp", "fast-tsp local search", True, _solve_fast_tsp),
        SolverBackend("pyvrp", "PyVRP iterated local search", False, _solve_pyvrp),
        SolverBackend("ortools", "OR-Tools guided local search", False, _solve_ortools),
    )
}
METHODS: tuple[str, ...] = ("auto", *SOLVERS)


def _choose(problem: RouteProblem, method: str) -> SolverBackend:
    if method == "auto":
        if problem.one_tour:
            return SOLVERS["exact" if problem.stops <= EXACT_MAX_STOPS else "fast_tsp"]
        return SOLVERS["pyvrp"]
    backend = SOLVERS.get(method)
    if backend is None:
        raise ToolArgumentError(
            f"Unknown routing method {method!r}; use one of {', '.join(METHODS)}.",
            argument="method",
        )
    if not backend.accepts(problem):
        what = "one tour" if backend.one_tour_only else "any plan"
        size = f" of at most {backend.max_stops} stops" if backend.max_stops else ""
        raise ToolArgumentError(
            f"The {method} solver handles {what}{size}; this request needs another solver.",
            argument="method",
        )
    return backend


def nearest_neighbour_routes(problem: RouteProblem) -> list[list[int]]:
    """The naive plan: always drive to the nearest stop left that still fits the truck and route."""
    m = problem.matrix
    left = set(range(1, problem.stops + 1))
    routes: list[list[int]] = []
    while left:
        route: list[int] = []
        here, load, km = 0, 0, 0.0
        while left:
            fits = [
                j
                for j in left
                if (problem.capacity is None or load + problem.demands[j - 1] <= problem.capacity)
                and (
                    problem.max_route_km is None
                    or km + m[here, j] + m[j, 0] <= problem.max_route_km
                )
            ]
            if not fits:
                if route:
                    break
                fits = list(left)  # a stop right at the limit: never loop without progress
            nxt = min(fits, key=lambda j: (m[here, j], j))
            km += float(m[here, nxt])
            load += problem.demands[nxt - 1]
            route.append(nxt)
            left.remove(nxt)
            here = nxt
        routes.append(route)
    return routes


def solve_routes(
    matrix: np.ndarray,
    *,
    demands: Sequence[int] | None = None,
    vehicles: int = 1,
    capacity: int | None = None,
    max_route_km: float | None = None,
    fleet: str = "fixed",
    time_limit_seconds: float = 1.0,
    method: str = "auto",
    stop_names: Sequence[str] | None = None,
    seed: int = SEED,
) -> RoutePlan:
    """Shortest routes from depot 0 over nodes 1..n of ``matrix`` (km), every node visited once.

    ``vehicles`` is the fleet available; ``fleet="fewest"`` uses as few of them as possible
    (then the shortest distance). ``capacity`` limits the units per vehicle and
    ``max_route_km`` the km per vehicle. ``method`` is "auto" (exact for one tour of up to
    :data:`EXACT_MAX_STOPS` stops, fast-tsp for longer tours, PyVRP for fleets) or a name in
    :data:`SOLVERS`. Impossible requests raise :class:`ToolError` naming the stops.
    """
    started = time.perf_counter()
    if time_limit_seconds <= 0:
        raise ToolArgumentError(
            "The time limit must be more than 0 seconds.", argument="time_limit_seconds"
        )
    problem = RouteProblem.build(
        matrix,
        demands=demands,
        vehicles=vehicles,
        capacity=capacity,
        max_route_km=max_route_km,
        fleet=fleet,
        stop_names=stop_names,
    )
    if method not in METHODS:
        _choose(problem, method)  # raises the unknown-method error
    if problem.stops == 0:
        return RoutePlan(
            [[] for _ in range(problem.vehicles)], [0.0] * problem.vehicles, 0.0, "empty"
        )
    backend = _choose(problem, method)
    naive = nearest_neighbour_routes(problem)
    remaining = time_limit_seconds - (time.perf_counter() - started) - _RESERVE_SECONDS
    routes = [list(r) for r in backend.solve(problem, max(0.01, remaining), seed) if r]
    if problem.one_tour and problem.max_route_km is not None and routes:
        km = route_length(problem.matrix, routes[0])
        if km > problem.max_route_km:
            raise ToolError(
                f"One vehicle cannot deliver the {problem.stops} stops within {problem.max_route_km:g} km: the shortest tour found is {km:.1f} km.",
                hint="Add vehicles, or allow a longer route or shift.",
                shortest_tour_km=km,
                max_route_km=problem.max_route_km,
            )
    issues = problem.violations(routes)
    if issues:  # a solver bug, never a user error: say so rather than hand out a bad plan
        raise ToolError(
            "The route solver returned a plan that breaks the constraints.",
            detail="; ".join(issues),
            method=backend.name,
        )
    routes += [[] for _ in range(problem.vehicles - len(routes))]
    lengths = [route_length(problem.matrix, r) for r in routes]
    naive_km = sum(route_length(problem.matrix, r) for r in naive)
    return RoutePlan(
        routes,
        lengths,
        float(sum(lengths)),
        "ortools_gls" if backend.name == "ortools" else backend.name,
        naive,
        float(naive_km),
        time.perf_counter() - started,
    )
