"""Vehicle routing from one warehouse: exact for small single-vehicle tours, OR-Tools otherwise.

Distances are great-circle (haversine, R = 6371.0088 km). A single-vehicle tour of up
to :data:`EXACT_MAX_STOPS` stops is solved exactly by Held-Karp dynamic programming on
the float distances, so its length *is* the optimum. Larger tours, and several vehicles
with capacities, go to the OR-Tools routing solver (path-cheapest-arc start, guided local
search under a small time limit) on distances scaled to integer centimetres, fine enough
that rounding never changes which tour is best on realistic inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.core.errors import ToolArgumentError, ToolError

__all__ = [
    "EARTH_RADIUS_KM",
    "EXACT_MAX_STOPS",
    "RoutePlan",
    "distance_matrix",
    "haversine_km",
    "route_length",
    "solve_routes",
]

EARTH_RADIUS_KM = 6371.0088
EXACT_MAX_STOPS = 12
#: Largest tour the exact solver accepts when asked for explicitly (memory grows as 2^n).
EXACT_LIMIT = 16
#: Integer resolution handed to OR-Tools: 1 unit = 1 cm.
_SCALE_PER_KM = 100_000


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_matrix(
    latitudes: Sequence[float] | np.ndarray, longitudes: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Symmetric matrix of haversine distances (km) between all points."""
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def route_length(matrix: np.ndarray, route: Sequence[int]) -> float:
    """Length of depot(0) -> route... -> depot(0), summed leg by leg in visiting order."""
    total = 0.0
    prev = 0
    for node in route:
        total += float(matrix[prev, node])
        prev = node
    return total + float(matrix[prev, 0]) if route else 0.0


@dataclass(frozen=True)
class RoutePlan:
    """Routes as lists of node numbers (1..n; 0 is the depot), one list per vehicle."""

    routes: list[list[int]]
    route_km: list[float]
    total_km: float
    method: str


def _held_karp(matrix: np.ndarray) -> list[int]:
    """Exact shortest tour from node 0 through all others and back (Held-Karp, O(2^n n^2)).

    Vectorised over the last two nodes of each subset. Path costs are summed leg by leg in
    visiting order, so the optimum equals :func:`route_length` of the returned tour exactly.
    """
    n = matrix.shape[0] - 1
    if n == 0:
        return []
    size = 1 << n
    legs_t = np.ascontiguousarray(matrix[1:, 1:].T)  # legs_t[k, j] = distance j -> k
    bits = 1 << np.arange(n)
    # best[mask, k]: shortest path from the depot through exactly `mask`, ending at node k+1.
    best = np.full((size, n), np.inf)
    parent = np.full((size, n), -1, dtype=np.int64)
    best[bits, np.arange(n)] = matrix[0, 1:]
    for mask in range(1, size):
        if mask & (mask - 1) == 0:
            continue
        ends = np.flatnonzero(mask & bits)
        cand = best[mask ^ bits[ends]] + legs_t[ends]
        choice = np.argmin(cand, axis=1)
        best[mask, ends] = cand[np.arange(len(ends)), choice]
        parent[mask, ends] = choice
    last = int(np.argmin(best[size - 1] + matrix[1:, 0]))
    tour: list[int] = []
    mask, node = size - 1, last
    while node != -1:
        tour.append(node + 1)
        prev = int(parent[mask, node])
        mask ^= 1 << node
        node = prev
    return tour[::-1]


def _ortools_routes(
    matrix: np.ndarray,
    demands: Sequence[int] | None,
    vehicles: int,
    capacity: int | None,
    time_limit_seconds: float,
) -> list[list[int]]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    size = matrix.shape[0]
    manager = pywrapcp.RoutingIndexManager(size, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    scaled = np.rint(matrix * _SCALE_PER_KM).astype(np.int64).tolist()
    transit = routing.RegisterTransitMatrix(scaled)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    if capacity is not None and demands is not None:
        demand_cb = routing.RegisterUnaryTransitVector([0, *[int(d) for d in demands]])
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, [int(capacity)] * vehicles, True, "Capacity"
        )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_seconds * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        raise ToolError(
            "No delivery plan fits the vehicles and capacities given.",
            hint="Add a vehicle or raise the capacity per vehicle.",
            vehicles=vehicles,
            capacity=capacity,
        )
    routes: list[list[int]] = []
    for v in range(vehicles):
        index = routing.Start(v)
        route: list[int] = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def solve_routes(
    matrix: np.ndarray,
    *,
    demands: Sequence[int] | None = None,
    vehicles: int = 1,
    capacity: int | None = None,
    time_limit_seconds: float = 1.0,
    method: str = "auto",
) -> RoutePlan:
    """Shortest routes from depot 0 over nodes 1..n of ``matrix`` (km), every node visited once.

    ``method``: "auto" (exact when one uncapacitated vehicle and n <= EXACT_MAX_STOPS,
    else OR-Tools), "exact" or "ortools".
    """
    n = matrix.shape[0] - 1
    if vehicles < 1:
        raise ToolArgumentError("At least one vehicle is needed.", argument="vehicles")
    if capacity is not None:
        if capacity < 1:
            raise ToolArgumentError(
                "Vehicle capacity must be at least one unit.", argument="vehicle_capacity"
            )
        loads = [int(d) for d in (demands or [1] * n)]
        demands = loads
        too_big = [i + 1 for i, d in enumerate(loads) if d > capacity]
        if too_big:
            raise ToolError(
                f"{len(too_big)} stop(s) need more than one vehicle's capacity of {capacity} units.",
                hint="Raise the capacity per vehicle or split those orders.",
                stops=too_big[:10],
            )
        needed = math.ceil(sum(loads) / capacity)
        if needed > vehicles:
            raise ToolError(
                f"These deliveries need at least {needed} vehicles of {capacity} units; only {vehicles} given.",
                hint=f"Use {needed} or more vehicles, or a larger capacity.",
                vehicles_needed=needed,
            )
    if n == 0:
        return RoutePlan([[] for _ in range(vehicles)], [0.0] * vehicles, 0.0, "empty")
    # One vehicle (capacity already checked) or no capacity: with a metric distance one tour is
    # optimal, so the exact solver applies; otherwise the capacities make it a real VRP.
    exact_ok = vehicles == 1 or capacity is None
    if method == "exact" and (not exact_ok or n > EXACT_LIMIT):
        raise ToolArgumentError(
            f"The exact solver handles one uncapacitated tour of at most {EXACT_LIMIT} stops.",
            argument="method",
        )
    use_exact = method == "exact" or (method == "auto" and exact_ok and n <= EXACT_MAX_STOPS)
    if use_exact:
        routes = [_held_karp(matrix)] + [[] for _ in range(vehicles - 1)]
        name = "exact"
    else:
        routes = _ortools_routes(matrix, demands, vehicles, capacity, time_limit_seconds)
        name = "ortools_gls"
    lengths = [route_length(matrix, r) for r in routes]
    return RoutePlan(routes, lengths, float(sum(lengths)), name)
