"""Vehicle routing from one warehouse: exact for small tours, fast-tsp for long ones, PyVRP for fleets.

Public surface: great-circle distances (:mod:`.geometry`), the checked request
(:class:`RouteProblem`), the solver registry and :func:`solve_routes` (:mod:`.solvers`),
and the driver's answer wording (:mod:`.presentation`).
"""

from __future__ import annotations

from workbench.tools.routing.exact import EXACT_LIMIT, EXACT_MAX_STOPS, held_karp
from workbench.tools.routing.geometry import (
    DISTANCE_BASIS,
    EARTH_RADIUS_KM,
    distance_matrix,
    haversine_km,
    route_length,
)
from workbench.tools.routing.problem import (
    FLEET_MODES,
    Fleet,
    RouteProblem,
    max_route_km_for_shift,
)
from workbench.tools.routing.solvers import (
    METHODS,
    SOLVERS,
    RoutePlan,
    SolverBackend,
    nearest_neighbour_routes,
    solve_routes,
)

__all__ = [
    "DISTANCE_BASIS",
    "EARTH_RADIUS_KM",
    "EXACT_LIMIT",
    "EXACT_MAX_STOPS",
    "FLEET_MODES",
    "METHODS",
    "SOLVERS",
    "Fleet",
    "RoutePlan",
    "RouteProblem",
    "SolverBackend",
    "distance_matrix",
    "haversine_km",
    "held_karp",
    "max_route_km_for_shift",
    "nearest_neighbour_routes",
    "route_length",
    "solve_routes",
]
