"""Great-circle distances and the length of a route: the one distance basis every solver shares.

Distances are great-circle (haversine) kilometres on a sphere of radius
:data:`EARTH_RADIUS_KM`, the mean Earth radius (IUGG). Road distances are longer; the
answer says which basis it used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "DISTANCE_BASIS",
    "EARTH_RADIUS_KM",
    "distance_matrix",
    "haversine_km",
    "route_length",
]

EARTH_RADIUS_KM = 6371.0088
#: How the answer names the distances it reports.
DISTANCE_BASIS = "great-circle km (haversine, straight line between stops, not road distance)"


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
