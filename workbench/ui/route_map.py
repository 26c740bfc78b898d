"""The route map: depot, stops and the path each vehicle drives, drawn from a route plan's rows.

A frame is a route plan when it has latitude, longitude and a visiting ``sequence``
(the shape of ``optimize_delivery_route``'s result); the map is then the only chart that
shows what the answer means. Longitude is drawn on x, latitude on y, with the aspect
corrected for the latitude so distances look as they are on the ground.
"""

from __future__ import annotations

import io
import math

import pandas as pd

__all__ = ["is_route_frame", "render_route_map"]

_REQUIRED = ("latitude", "longitude", "sequence")
#: Stops are numbered on the map up to this many; beyond, numbers would hide the path.
MAX_LABELLED_STOPS = 40


def is_route_frame(frame: pd.DataFrame) -> bool:
    return all(c in frame.columns for c in _REQUIRED) and len(frame) >= 2


def _groups(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    keys = [c for c in ("warehouse_id", "route", "vehicle") if c in frame.columns]
    if not keys:
        return [("route", frame)]
    out = []
    for key, rows in frame.groupby(keys, sort=True, dropna=False):
        parts = key if isinstance(key, tuple) else (key,)
        label = " ".join(
            f"vehicle {v}" if k == "vehicle" else str(v) for k, v in zip(keys, parts, strict=True)
        )
        out.append((label, rows))
    return out


def render_route_map(
    frame: pd.DataFrame, title: str = "", *, width: float = 7.5, height: float = 4.2
) -> bytes:
    """PNG of the plan in ``frame``: one coloured path per vehicle, the depot as a black square."""
    from matplotlib.figure import Figure  # on first draw, not with the dashboard

    fig = Figure(figsize=(width, height), dpi=96)
    ax = fig.add_subplot()
    kinds = (
        frame["stop_type"] if "stop_type" in frame.columns else pd.Series("delivery", frame.index)
    )
    groups = _groups(frame)
    deliveries = int((kinds == "delivery").sum())
    for label, rows in groups:
        rows = rows.sort_values("sequence", kind="stable")
        lon = pd.to_numeric(rows["longitude"], errors="coerce")
        lat = pd.to_numeric(rows["latitude"], errors="coerce")
        (line,) = ax.plot(
            lon, lat, linewidth=1.2, alpha=0.85, label=label if len(groups) > 1 else None
        )
        is_stop = kinds.loc[rows.index] == "delivery"
        ax.scatter(lon[is_stop], lat[is_stop], s=18, color=line.get_color(), zorder=3)
        if deliveries <= MAX_LABELLED_STOPS:
            for x, y, seq in zip(
                lon[is_stop], lat[is_stop], rows["sequence"][is_stop], strict=True
            ):
                ax.annotate(
                    str(int(seq)), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7
                )
    depots = frame[kinds != "delivery"]
    if len(depots):
        ax.scatter(
            pd.to_numeric(depots["longitude"], errors="coerce"),
            pd.to_numeric(depots["latitude"], errors="coerce"),
            marker="s",
            s=70,
            color="black",
            zorder=4,
            label="warehouse",
        )
    mean_lat = float(pd.to_numeric(frame["latitude"], errors="coerce").mean())
    if math.isfinite(mean_lat) and abs(mean_lat) < 85:
        ax.set_aspect(1 / math.cos(math.radians(mean_lat)), adjustable="datalim")
    ax.set_xlabel("Longitude")
    ax.set_ylabel("Latitude")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title or "Delivery route")
    ax.grid(alpha=0.3)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.14)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
