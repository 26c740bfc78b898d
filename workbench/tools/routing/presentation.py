"""The words and numbers of a route answer, in one place (CLI, JSON, dashboard all use these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.tools.routing.geometry import DISTANCE_BASIS

__all__ = ["distance_basis", "format_km", "method_phrase", "saving_sentence", "share"]

_METHOD_PHRASES = {
    "exact": "the proven shortest tour",
    "fast_tsp": "the shortest tour found by fast-tsp local search within the time limit",
    "pyvrp": "the shortest plan found by PyVRP within the time limit",
    "ortools_gls": "the shortest plan found by OR-Tools within the time limit",
    "empty": "no stops to visit",
}


def format_km(value: float) -> str:
    """Kilometres as the driver reads them: one decimal, thousands separated (1,234.5 km)."""
    return f"{value:,.1f} km"


def share(value: float | None) -> str:
    """A fraction as a percentage with one decimal (0.184 -> 18.4%)."""
    return "n/a" if value is None else f"{value:.1%}"


def method_phrase(method: str) -> str:
    return _METHOD_PHRASES.get(method, f"the plan found by {method}")


def saving_sentence(summary: Mapping[str, Any]) -> str:
    """'18.4% (52.1 km) shorter than the nearest-neighbour order (283.0 km)', or '' when nothing to compare."""
    naive = summary.get("nearest_neighbour_km")
    saving = summary.get("saving_km")
    if not naive or saving is None:
        return ""
    if saving <= 0.0005:
        return f"the same as the nearest-neighbour order ({format_km(naive)})"
    return (
        f"{share(summary.get('saving_share'))} ({format_km(saving)}) shorter than driving to the "
        f"nearest stop next ({format_km(naive)})"
    )


def distance_basis() -> str:
    return DISTANCE_BASIS
