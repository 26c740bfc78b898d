"""Choose a chart from what a result is, and draw it with matplotlib.

The rule is what the table holds, not the question's words: stock against its reorder
point is a *gap* chart (how far below the line each item is), a measure over dates is a
line, categories with a measure get bars, and a route plan (coordinates in
visiting order) gets a map, a listing of documents, a single value or nothing to measure gets no chart. Axes read like the table (the
presentation layer's formats: no "1e6" offset, % where the table shows %), and labels and
titles are wrapped and kept inside the picture. Figures are drawn with
``matplotlib.figure.Figure`` (no pyplot global state, safe in a kernel that serves several
dashboards) and returned as PNG bytes for an ``Image`` widget.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from workbench.agents.answer import ChartSpec
from workbench.core import present

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ChartKind = Literal["bar", "line", "gap", "route", "none"]

#: Bars beyond this many categories are unreadable; the chart shows the first ones.
MAX_BARS = 20
#: At most this many measures are drawn at once.
MAX_SERIES = 3
_DATE_NAMES = ("date", "day", "week", "month", "period")
#: Columns naming one document or stop per row: such a table is a listing, not a series.
_DOCUMENT_IDS = frozenset({"order_id", "po_id", "shipment_id", "line_number", "sequence", "stop"})
#: (stock column, threshold column) pairs drawn as a gap chart, first match wins.
_GAP_PAIRS = (
    ("quantity_on_hand", "reorder_point"),
    ("on_hand", "reorder_point"),
    ("available", "reorder_point"),
    ("quantity_available", "reorder_point"),
)
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
    from workbench.ui.route_map import is_route_frame

    if is_route_frame(frame):  # a route plan (coordinates in visiting order) is drawn as a map
        return ChartChoice("route", x="longitude", y=("latitude",), title=title)
    columns = [str(c) for c in frame.columns]
    for stock, threshold in _GAP_PAIRS:
        if stock in columns and threshold in columns:
            names = [c for c in columns if c.lower().endswith("name")]
            ids = [c for c in columns if c.lower().endswith("_id")]
            label: str | None = (names or ids or [None])[0]  # type: ignore[list-item]
            return ChartChoice(
                "gap",
                x=label,
                y=(stock, threshold),
                title=title or "Stock against reorder point",
                truncated=len(frame) > MAX_BARS,
            )
    if any(c.lower() in _DOCUMENT_IDS for c in columns):
        # Orders, POs, route stops: one thing per row; the table is the answer.
        return ChartChoice("none", title=title)
    numeric = [c for c in columns if _is_measure(frame[c])]
    measures = [c for c in numeric if not _is_label_number(c)]
    if not measures:
        return ChartChoice("none", title=title)
    hinted = tuple(y for y in (spec.y if spec is not None else ()) if y in measures)
    plotted = list(hinted) if hinted else measures[:MAX_SERIES]
    # One axis, one kind of number: a rate and a dollar figure never share a scale.
    first_kind = present.column_kind(plotted[0], frame[plotted[0]])
    plotted = [c for c in plotted if present.column_kind(c, frame[c]) == first_kind]
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


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def _title(choice: ChartChoice, shown: int, total: int) -> str:
    """The chart's title: the agent's, else the measure by the axis; never a bare '(first 20)'."""
    base = choice.title or (
        f"{_humanize(choice.y[0])} by {_humanize(choice.x or '').lower()}"
        if choice.y and choice.x
        else ""
    )
    if choice.truncated:
        base += f" (first {shown} of {total})"
    return base


def render_chart(
    frame: pd.DataFrame, choice: ChartChoice, *, width: float = 7.5, height: float = 3.4
) -> bytes | None:
    """PNG bytes for ``choice`` over ``frame``, or None when the choice is no chart."""
    if choice.kind == "none" or not choice.y or (choice.x is None and choice.kind != "gap"):
        return None
    if choice.kind == "route":
        # A map of the stops and the path per vehicle (matplotlib is imported on first draw).
        from workbench.ui.route_map import render_route_map

        return render_route_map(frame, choice.title, width=width, height=max(height, 4.2))
    # matplotlib is imported on first draw, not with the dashboard (WorkbenchBackend.warm_up
    # draws once while a Voila kernel is preheated).
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    # Fixed figure size; savefig's tight box keeps wrapped labels and titles inside the picture.
    fig = Figure(figsize=(width, height), dpi=96)
    ax = fig.add_subplot()
    kind = present.column_kind(choice.y[0], frame[choice.y[0]])
    if choice.kind == "line":
        assert choice.x is not None
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
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel(_humanize(choice.x))
        shown = total = len(data)
    elif choice.kind == "gap":
        stock, threshold = choice.y[0], choice.y[1]
        data = frame.copy()
        data["_gap"] = pd.to_numeric(data[threshold], errors="coerce") - pd.to_numeric(
            data[stock], errors="coerce"
        )
        data = data.sort_values("_gap", ascending=False).head(MAX_BARS).iloc[::-1]
        labels = [
            _wrap(str(v), 28) for v in (data[choice.x] if choice.x else range(1, len(data) + 1))
        ]
        positions = list(range(len(labels)))
        # The reorder point is the bar to reach; on-hand stock fills it: the empty part is the gap.
        ax.barh(
            positions,
            pd.to_numeric(data[threshold], errors="coerce").fillna(0),
            color="#f2c4c4",
            edgecolor="#c0392b",
            label=_humanize(threshold),
        )
        ax.barh(
            positions,
            pd.to_numeric(data[stock], errors="coerce").fillna(0),
            height=0.45,
            color="#2e6da4",
            label=_humanize(stock),
        )
        ax.set_yticks(positions, labels, fontsize="small")
        ax.set_xlabel("units")
        ax.legend(loc="lower right", fontsize="small")
        ax.xaxis.set_major_formatter(FuncFormatter(present.axis_formatter("quantity")))
        ax.grid(axis="x", alpha=0.3)
        fig.set_figheight(max(height, 0.9 + 0.28 * len(labels)))
        shown, total = len(data), len(frame)
        title = _title(choice, shown, total)
        if title:
            ax.set_title(_wrap(title, 80))
        return _png(fig)
    else:
        assert choice.x is not None
        data = frame[[choice.x, *choice.y]].head(MAX_BARS)
        raw = [str(v) for v in data[choice.x]]
        rotate = max((len(s) for s in raw), default=0) * len(raw) > 90
        labels = [_wrap(s, 22 if rotate else 14) for s in raw]
        bar_positions = range(len(labels))
        width_each = 0.8 / len(choice.y)
        for i, col in enumerate(choice.y):
            offsets = [p + (i - (len(choice.y) - 1) / 2) * width_each for p in bar_positions]
            ax.bar(
                offsets,
                pd.to_numeric(data[col], errors="coerce").fillna(0),
                width=width_each,
                label=_humanize(col),
            )
        ax.set_xticks(
            list(bar_positions),
            labels,
            rotation=35 if rotate else 0,
            ha="right" if rotate else "center",
            fontsize="small",
        )
        ax.set_xlabel(_humanize(choice.x))
        shown, total = len(data), len(frame)
    if len(choice.y) == 1:
        ax.set_ylabel(_humanize(choice.y[0]))
    else:
        ax.legend(loc="best", fontsize="small")
    title = _title(choice, shown, total)
    if title:
        ax.set_title(_wrap(title, 80))
    ax.grid(axis="y", alpha=0.3)
    ax.yaxis.set_major_formatter(FuncFormatter(present.axis_formatter(kind)))
    return _png(fig)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()


def render_cost_chart(
    by_service: Mapping[str, float], *, title: str = "Cost by service (USD)"
) -> bytes | None:
    """Horizontal bars of cost by service; None when there is nothing to show."""
    items = [(k, float(v)) for k, v in by_service.items() if float(v) > 0]
    if not items:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

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
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: present.cost(v)))
    return _png(fig)


__all__ = [
    "MAX_BARS",
    "ChartChoice",
    "ChartKind",
    "choose_chart",
    "render_chart",
    "render_cost_chart",
]
