"""What a routing request asks for, checked once before any solver runs.

A :class:`RouteProblem` is the distance matrix (node 0 is the depot) with the practical
constraints dispatchers give: units per stop and per vehicle, a longest route in km (or a
shift of so many hours at an average speed), and a fleet that is either fixed in size or
to be made as small as possible. Demands that no plan can meet are refused here, naming
the stops, so the solvers only ever see problems that have a feasible plan in principle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

import numpy as np

from workbench.core.errors import ToolArgumentError, ToolError

__all__ = ["FLEET_MODES", "Fleet", "RouteProblem", "max_route_km_for_shift"]

#: "fixed": up to ``vehicles`` trucks, the shortest total distance; "fewest": as few trucks
#: as possible (at most ``vehicles``), then the shortest total distance.
Fleet = Literal["fixed", "fewest"]
FLEET_MODES: tuple[str, ...] = get_args(Fleet)
#: Floating-point slack when checking a route against its km limit.
_KM_TOLERANCE = 1e-9


def max_route_km_for_shift(shift_hours: float, average_speed_kmh: float) -> float:
    """The distance one vehicle covers in a shift at an average speed (the route length limit)."""
    if shift_hours <= 0:
        raise ToolArgumentError("The shift must last more than 0 hours.", argument="shift_hours")
    if average_speed_kmh <= 0:
        raise ToolArgumentError(
            "The average speed must be more than 0 km/h.", argument="average_speed_kmh"
        )
    return shift_hours * average_speed_kmh


def _names(names: Sequence[str], nodes: Sequence[int], limit: int = 10) -> str:
    shown = [names[i - 1] for i in nodes[:limit]]
    more = f" and {len(nodes) - limit} more" if len(nodes) > limit else ""
    return ", ".join(shown) + more


@dataclass(frozen=True)
class RouteProblem:
    """A checked routing request; build it with :meth:`build`."""

    matrix: np.ndarray
    demands: tuple[int, ...]
    vehicles: int
    capacity: int | None
    max_route_km: float | None
    fleet: Fleet
    stop_names: tuple[str, ...]

    @property
    def stops(self) -> int:
        return int(self.matrix.shape[0]) - 1

    @property
    def one_tour(self) -> bool:
        """Whether the best plan is one tour through every stop.

        With one vehicle it must be; with no capacity and no length limit it is, because
        great-circle distance obeys the triangle inequality (a second truck only adds km).
        """
        return self.vehicles == 1 or (self.capacity is None and self.max_route_km is None)

    @classmethod
    def build(
        cls,
        matrix: np.ndarray,
        *,
        demands: Sequence[int] | None = None,
        vehicles: int = 1,
        capacity: int | None = None,
        max_route_km: float | None = None,
        fleet: str = "fixed",
        stop_names: Sequence[str] | None = None,
    ) -> RouteProblem:
        matrix = np.asarray(matrix, dtype=float)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 1:
            raise ToolArgumentError(
                "The distance matrix must be square, with the depot as node 0.", argument="matrix"
            )
        if not np.isfinite(matrix).all() or (matrix < 0).any():
            raise ToolArgumentError("Distances must be finite and not negative.", argument="matrix")
        n = matrix.shape[0] - 1
        names = (
            tuple(str(s) for s in stop_names)
            if stop_names is not None
            else tuple(f"stop {i}" for i in range(1, n + 1))
        )
        if len(names) != n:
            raise ToolArgumentError(
                f"{len(names)} stop names for {n} stops.", argument="stop_names"
            )
        if fleet not in FLEET_MODES:
            raise ToolArgumentError(
                f"Unknown fleet mode {fleet!r}; use one of {', '.join(FLEET_MODES)}.",
                argument="fleet",
            )
        if vehicles < 1:
            raise ToolArgumentError("At least one vehicle is needed.", argument="vehicles")
        if capacity is not None and capacity < 1:
            raise ToolArgumentError(
                "Vehicle capacity must be at least one unit.", argument="vehicle_capacity"
            )
        if max_route_km is not None and not max_route_km > 0:
            raise ToolArgumentError(
                "The longest route must be more than 0 km.", argument="max_route_km"
            )
        if demands is None:
            loads = [1] * n if capacity is not None else [0] * n
        else:
            loads = [int(d) for d in demands]
            if len(loads) != n:
                raise ToolArgumentError(f"{len(loads)} demands for {n} stops.", argument="demands")
            if any(d < 0 for d in loads):
                raise ToolArgumentError("Demands cannot be negative.", argument="demands")
        problem = cls(
            matrix,
            tuple(loads),
            int(vehicles),
            capacity,
            max_route_km,
            cast(Fleet, fleet),
            names,
        )
        problem._refuse_infeasible()
        return problem

    def _refuse_infeasible(self) -> None:
        """Refuse demands no plan can meet, naming the stops (a business user can act on names)."""
        capacity, names = self.capacity, self.stop_names
        if capacity is not None:
            too_big = [i for i, d in enumerate(self.demands, start=1) if d > capacity]
            if too_big:
                raise ToolError(
                    f"{len(too_big)} stop(s) need more than one vehicle's capacity of {capacity} units: "
                    + ", ".join(
                        f"{names[i - 1]} ({self.demands[i - 1]} units)" for i in too_big[:10]
                    )
                    + ("…" if len(too_big) > 10 else "")
                    + ".",
                    hint="Raise the capacity per vehicle or split those orders.",
                    stops=[names[i - 1] for i in too_big],
                )
            needed = math.ceil(sum(self.demands) / capacity)
            if needed > self.vehicles:
                raise ToolError(
                    f"These deliveries ({sum(self.demands)} units) need at least {needed} vehicles of {capacity} units; only {self.vehicles} given.",
                    hint=f"Use {needed} or more vehicles, or a larger capacity.",
                    vehicles_needed=needed,
                )
        if self.max_route_km is not None:
            round_trip = self.matrix[0, 1:] + self.matrix[1:, 0]
            too_far = [
                int(i) + 1 for i in np.flatnonzero(round_trip > self.max_route_km + _KM_TOLERANCE)
            ]
            if too_far:
                raise ToolError(
                    f"{len(too_far)} stop(s) are too far for a route of at most {self.max_route_km:g} km there and back: "
                    + ", ".join(
                        f"{names[i - 1]} ({round_trip[i - 1]:.1f} km round trip)"
                        for i in too_far[:10]
                    )
                    + ("…" if len(too_far) > 10 else "")
                    + ".",
                    hint="Allow a longer route or shift, or serve those stops another way.",
                    stops=[names[i - 1] for i in too_far],
                    max_route_km=self.max_route_km,
                )

    # -- checks on a finished plan ---------------------------------------------------------
    def route_units(self, route: Sequence[int]) -> int:
        return sum(self.demands[i - 1] for i in route)

    def violations(self, routes: Sequence[Sequence[int]]) -> list[str]:
        """Everything wrong with ``routes`` as a plan for this problem (empty when feasible)."""
        from workbench.tools.routing.geometry import route_length

        issues: list[str] = []
        visited = sorted(s for r in routes for s in r)
        if visited != list(range(1, self.stops + 1)):
            issues.append("not every stop is visited exactly once")
        used = sum(1 for r in routes if r)
        if used > self.vehicles:
            issues.append(f"{used} vehicles used, {self.vehicles} available")
        for v, route in enumerate(routes, start=1):
            if self.capacity is not None and self.route_units(route) > self.capacity:
                issues.append(
                    f"vehicle {v} carries {self.route_units(route)} > {self.capacity} units"
                )
            if self.max_route_km is not None:
                km = route_length(self.matrix, route)
                if km > self.max_route_km + _KM_TOLERANCE * max(1.0, km):
                    issues.append(f"vehicle {v} drives {km:.3f} > {self.max_route_km:g} km")
        return issues
