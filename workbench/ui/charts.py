"""Choose a chart from the shape of a result, and draw it with matplotlib.

The rule is the result's shape, not the question's words: a route plan (coordinates in
visiting order) gets a map, categories with a measure get bars, a date axis gets lines, a single value (or nothing numeric) gets no chart. Figures
are drawn with ``matplotlib.figure.Figure`` (no pyplot global state, safe in a kernel
that serves several dashboards) and returned as PNG bytes for an ``Image`` widget.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from workbench.agents.answer import ChartSpec
from workbench.ui.route_map import is_route_frame, render_route_map

ChartKind = Literal["bar", "line", "route", "none"]

#: Bars beyond this many categories are unreadable; the chart shows the first ones.
MAX_BARS = 20
#: At most this many measures are drawn at once.
MAX_SERIES = 3
_DATE_NAMES = ("date", "day", "week", "month", "period")
#: Numeric columns that label or locate rows rather than measure them.
_LABEL_NUMBERS = frozenset(
    {
        "rank",
        "sequence",
        "vehicle",
        "stop",
        "line_number",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "year",
    }
)


@dataclass(frozen=True)
class ChartChoice:
    """What to draw: ``kind`` with ``x`` (a column) against ``y`` (measure columns)."""

    kind: ChartKind
    x: str | None = None
    y: tuple[str, ...] = ()
    title: str = ""
    truncated: bool = False


def _is_measure(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_label_number(name: str) -> bool:
    lowered = name.lower()
    return lowered in _LABEL_NUMBERS or lowered.endswith("_id")


def _is_date_like(name: str, series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    lowered = name.lower()
    if not any(
        lowered == n or lowered.endswith("_" + n) or lowered.startswith(n + "_")
        for n in _DATE_NAMES
    ):
        return False
    if _is_measure(series):
        return False
    parsed = pd.to_datetime(series.astype(str), errors="coerce")
    return bool(parsed.notna().all())


def _is_category(series: pd.Series) -> bool:
    return not _is_measure(series) and not pd.api.types.is_bool_dtype(series)


def choose_chart(frame: pd.DataFrame | None, spec: ChartSpec | None = None) -> ChartChoice:
    """Pick a route map, bar, line or no chart for ``frame`` from its shape.

    ``spec`` (the agent's suggestion) never decides the kind; it contributes the title and,
    when they fit the shape, which columns to put on the axes.
    """
    title = spec.title if spec is not None else ""
    if frame is None or frame.empty or len(frame) < 2:
        return ChartChoice("none", title=title)
    if is_route_frame(frame):  # a route plan (coordinates in visiting order) is drawn as a map
        return ChartChoice("route", x="longitude", y=("latitude",), title=title)
    columns = [str(c) for c in frame.columns]
    numeric = [c for c in columns if _is_measure(frame[c])]
    measures = [c for c in numeric if not _is_label_number(c)]
    if not measures:
        return ChartChoice("none", title=title)
    hinted = tuple(y for y in (spec.y if spec is not None else ()) if y in measures)
    plotted = list(hinted) if hinted else measures[:MAX_SERIES]
    dates = [c for c in columns if c not in numeric and _is_date_like(c, frame[c])]
    if dates:
        x = dates[0]
        return ChartChoice("line", x=x, y=tuple(plotted), title=title)
    categories = [c for c in columns if c not in numeric and _is_category(frame[c])]
    if categories:
        # The agent's x if it is a category, else a name-like column (product_name) over an id.
        named = [c for c in categories if c.lower().endswith("name")]
        x = (
            spec.x
            if spec is not None and spec.x in categories
            else (named[0] if named else categories[0])
        )
        return ChartChoice(
            "bar",
            x=x,
            y=tuple(plotted[:1] if len(frame) > 8 else plotted),
            title=title,
            truncated=len(frame) > MAX_BARS,
        )
    return ChartChoice("none", title=title)


def _humanize(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def render_chart(
    frame: pd.DataFrame, choice: ChartChoice, *, width: float = 7.5, height: float = 3.2
) -> bytes | None:
    """PNG bytes for ``choice`` over ``frame``, or None when the choice is no chart."""
    if choice.kind == "none" or choice.x is None or not choice.y:
        return None
    if choice.kind == "route":
        return render_route_map(frame, choice.title, width=width, height=max(height, 4.2))
    # Fixed margins instead of a layout engine: constrained layout doubles the drawing time.
    fig = Figure(figsize=(width, height), dpi=96)
    ax = fig.add_subplot()
    if choice.kind == "line":
        data = frame[[choice.x, *choice.y]].copy()
        data[choice.x] = pd.to_datetime(data[choice.x].astype(str), errors="coerce")
        data = data.dropna(subset=[choice.x]).sort_values(choice.x)
        for col in choice.y:
            ax.plot(
                data[choice.x],
                pd.to_numeric(data[col], errors="coerce"),
                marker="o" if len(data) <= 31 else None,
                markersize=3,
                label=_humanize(col),
            )
        fig.autofmt_xdate()
    else:
        data = frame[[choice.x, *choice.y]].head(MAX_BARS)
        labels = [str(v) for v in data[choice.x]]
        positions = range(len(labels))
        width_each = 0.8 / len(choice.y)
        for i, col in enumerate(choice.y):
            offsets = [p + (i - (len(choice.y) - 1) / 2) * width_each for p in positions]
            ax.bar(
                offsets,
                pd.to_numeric(data[col], errors="coerce").fillna(0),
                width=width_each,
                label=_humanize(col),
            )
        ax.set_xticks(
            list(positions),
            labels,
            rotation=30 if max((len(s) for s in labels), default=0) * len(labels) > 90 else 0,
            ha="right",
        )
    ax.set_xlabel(_humanize(choice.x))
    if len(choice.y) == 1:
        ax.set_ylabel(_humanize(choice.y[0]))
    else:
        ax.legend(loc="best", fontsize="small")
    rotated = choice.kind == "line" or any(t.get_rotation() for t in ax.get_xticklabels())
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.34 if rotated else 0.18)
    title = choice.title + (f" (first {MAX_BARS})" if choice.truncated else "")
    if title:
        ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2g}")
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def render_cost_chart(
    by_service: Mapping[str, float], *, title: str = "Cost by service (USD)"
) -> bytes | None:
    """Horizontal bars of cost by service; None when there is nothing to show."""
    items = [(k, float(v)) for k, v in by_service.items() if float(v) > 0]
    if not items:
        return None
    items.sort(key=lambda kv: kv[1])
    fig = Figure(figsize=(4.0, 0.9 + 0.3 * len(items)), dpi=96)
    ax = fig.add_subplot()
    longest = max(len(k) for k, _ in items)
    fig.subplots_adjust(
        left=min(0.6, 0.05 + 0.022 * longest),
        right=0.95,
        top=1 - 0.35 / (0.9 + 0.3 * len(items)),
        bottom=0.45 / (0.9 + 0.3 * len(items)),
    )
    ax.barh([k for k, _ in items], [v for _, v in items], color="#4c72b0")
    ax.set_title(title, fontsize="small")
    ax.tick_params(labelsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


__all__ = [
    "MAX_BARS",
    "ChartChoice",
    "ChartKind",
    "choose_chart",
    "render_chart",
    "render_cost_chart",
]
