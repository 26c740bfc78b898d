"""What every report section shares: the run context, semantic-layer queries, KPIs and charts.

Sections ask the semantic layer (a :class:`~workbench.semantic.plan.QueryPlan` compiled by
the same :class:`~workbench.semantic.compiler.PlanCompiler` that ``Workbench.ask`` uses) and
the calculation tools (through the tool registry, with the report's persona), so a number
in a report is the number a user gets by asking. Each section returns a
:class:`SectionOutput` that renders itself as HTML with the chart embedded as a PNG data
URI: executed notebooks and their HTML exports need no extra files.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core import present
from workbench.semantic.plan import Filter, Ordering, QueryPlan
from workbench.semantic.time import TimeWindow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.app import Workbench
    from workbench.semantic.compiler import PlanCompiler
    from workbench.tools.result import ToolResult

__all__ = [
    "Kpi",
    "ReportContext",
    "SectionOutput",
    "Summary",
    "figure",
    "figure_png",
    "last_days",
    "open_report",
]


def last_days(as_of: dt.date, days: int) -> TimeWindow:
    """'last N days': the N days ending with the as-of date, inclusive (DATA_MODEL.md)."""
    return TimeWindow(as_of - dt.timedelta(days=days - 1), as_of, f"last {days} days")


@dataclass
class ReportContext:
    """One report run: the workbench, the as-of date, the warehouse scope and the persona."""

    workbench: Workbench
    as_of: dt.date
    persona: str
    #: None means every warehouse.
    warehouse: str | None = None
    top_n: int = 10
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        return "all warehouses" if self.warehouse is None else self.warehouse

    @property
    def scope_question(self) -> str:
        """The words that restrict a question to this report's warehouse ('' for all)."""
        return "" if self.warehouse is None else f" in {self.warehouse}"

    def _filters(self) -> tuple[Filter, ...]:
        if self.warehouse is None:
            return ()
        return (Filter("warehouse", "in", (self.warehouse,), label=self.warehouse),)

    def plan(
        self,
        *metrics: str,
        dimensions: Sequence[str] = (),
        window: TimeWindow | None = None,
        conditions: Sequence[str] = (),
        order_by: Sequence[tuple[str, bool]] = (),
        limit: int | None = None,
        listing: str | None = None,
        columns: Sequence[str] = (),
        filters: Sequence[Filter] = (),
    ) -> QueryPlan:
        """A plan over the semantic layer, scoped to this report's warehouse and as-of date."""
        return QueryPlan(
            kind="listing" if listing else "metrics",
            metrics=tuple(metrics),
            dimensions=tuple(dimensions),
            filters=(*self._filters(), *filters),
            conditions=tuple(conditions),
            time_window=window,
            order_by=tuple(Ordering(f, d) for f, d in order_by),
            limit=limit,
            listing=listing,
            columns=tuple(columns),
            as_of=self.as_of,
            persona=self.persona,
        )

    def query(self, plan: QueryPlan) -> pd.DataFrame:
        """Run a plan through the semantic compiler on the configured warehouse."""
        # Our own compiled AST: trusted, no SqlGuard pass (see the rules on generated SQL).
        ast: Any = _compiler().compile(plan).ast
        return self.workbench.warehouse.execute(ast).frame

    def metrics(self, *metrics: str, **kwargs: Any) -> pd.DataFrame:
        return self.query(self.plan(*metrics, **kwargs))

    def scalar(self, metric: str, **kwargs: Any) -> float | None:
        """One metric over the whole scope as a number (None when there is no data)."""
        frame = self.metrics(metric, **kwargs)
        if frame.empty:
            return None
        value = frame[metric].iloc[0]
        return None if value is None or pd.isna(value) else float(value)

    def tool(self, name: str, **arguments: Any) -> ToolResult:
        """Call a calculation tool through the registry, as the report's persona."""
        from workbench.tools.registry import default_registry

        args = {k: v for k, v in arguments.items() if v is not None}
        return default_registry().call(name, args, self.workbench.warehouse, persona=self.persona)

    def warehouse_ids(self) -> list[str]:
        """The warehouses in scope (one, or all of them in id order)."""
        if self.warehouse is not None:
            return [self.warehouse]
        frame = self.query(QueryPlan(kind="listing", listing="warehouses", as_of=self.as_of))
        return [str(v) for v in frame["warehouse_id"]]


@functools.cache
def _compiler() -> PlanCompiler:
    """One compiler per process: it caches compiled plans (the ask path keeps its own)."""
    from workbench.semantic.compiler import PlanCompiler

    return PlanCompiler()


def open_report(
    persona: str,
    *,
    workbench_home: str | Path | None = None,
    as_of: dt.date | str | None = None,
    warehouse: str | None = "all",
    top_n: int = 10,
    **options: Any,
) -> ReportContext:
    """The context a report notebook builds from its parameters cell."""
    from workbench.app import Workbench

    # Warnings (statsmodels convergence, ...) stay in the executed notebook for whoever
    # debugs it; the HTML export drops stderr, so business readers never see them.
    wb = Workbench(home=workbench_home or None)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of) if as_of.strip() else None
    day = as_of or wb.settings.effective_as_of
    scope = None if warehouse in (None, "", "all", "ALL") else str(warehouse)
    return ReportContext(wb, day, persona, scope, top_n, dict(options))


# -- output -------------------------------------------------------------------------------------
def _format(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    kind = present.kind_for_unit(unit)
    if kind == "money":
        return present.money(value, cents=False, compact=True)
    if kind == "days":
        return present.days(value)
    return present.value(value, kind)


@dataclass(frozen=True)
class Kpi:
    """A headline number: the semantic metric it is, its value and the question that asks it."""

    metric: str
    label: str
    value: float | None
    unit: str
    #: The plain-English question whose answer (through ``Workbench.ask``) is this number.
    question: str

    @property
    def display(self) -> str:
        return _format(self.value, self.unit)


@dataclass
class Summary:
    """The executive summary: a row of KPI cards and a few sentences."""

    title: str
    as_of: dt.date
    scope: str
    kpis: list[Kpi]
    highlights: list[str] = field(default_factory=list)

    def kpi(self, metric: str) -> Kpi:
        return next(k for k in self.kpis if k.metric == metric)

    def _repr_html_(self) -> str:
        cards = "".join(
            f'<div class="wb-kpi" data-metric="{html.escape(k.metric)}" '
            f'data-value="{"" if k.value is None else repr(float(k.value))}" '
            f'style="display:inline-block;min-width:150px;margin:4px;padding:8px 12px;'
            f'border:1px solid #ccd;border-radius:6px">'
            f'<div style="font-size:1.5em;font-weight:600">{html.escape(k.display)}</div>'
            f'<div style="color:#555">{html.escape(k.label)}</div></div>'
            for k in self.kpis
        )
        bullets = "".join(f"<li>{html.escape(h)}</li>" for h in self.highlights)
        return (
            f'<section class="wb-summary"><h2>{html.escape(self.title)}</h2>'
            f"<p>As of {self.as_of.isoformat()}, {html.escape(self.scope)}.</p>"
            f"<div>{cards}</div><ul>{bullets}</ul></section>"
        )


@dataclass
class SectionOutput:
    """One report section: a heading, a sentence, a table and a chart (PNG bytes)."""

    title: str
    text: str
    frame: pd.DataFrame
    chart: bytes | None = None
    max_rows: int = 50

    def _repr_html_(self) -> str:
        parts = [f'<section class="wb-section"><h3>{html.escape(self.title)}</h3>']
        if self.text:
            parts.append(f"<p>{html.escape(self.text)}</p>")
        if self.chart:
            data = base64.b64encode(self.chart).decode("ascii")
            parts.append(
                f'<img class="wb-chart" src="data:image/png;base64,{data}" alt="{html.escape(self.title)}"/>'
            )
        if not self.frame.empty:
            parts.append(_table_html(self.frame.head(self.max_rows)))
            if len(self.frame) > self.max_rows:
                parts.append(
                    f"<p><em>First {self.max_rows} of {present.count(len(self.frame), 'row')}.</em></p>"
                )
        elif not self.text:
            parts.append("<p>Nothing to report.</p>")
        parts.append("</section>")
        return "".join(parts)


def _table_html(frame: pd.DataFrame) -> str:
    shown = present.display_frame(frame)
    shown.columns = [str(c).replace("_", " ") for c in shown.columns]
    shown = shown.replace(present.MISSING, "")  # blank, not a dash, in report tables
    return str(shown.to_html(index=False, border=0, classes="wb-table", escape=True))


# -- charts -------------------------------------------------------------------------------------
def figure(width: float = 7.5, height: float = 3.4) -> Figure:
    """A matplotlib Figure not attached to pyplot (no backend state, safe headless)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=96, layout="constrained")


def figure_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def bar_png(
    frame: pd.DataFrame,
    x: str,
    y: Sequence[str],
    *,
    title: str,
    ylabel: str = "",
    stacked: bool = False,
    horizontal: bool = False,
) -> bytes | None:
    """A bar chart of ``y`` columns by ``x``; None when there is nothing to draw."""
    if frame.empty:
        return None
    from matplotlib.ticker import FuncFormatter

    fig = figure()
    ax = fig.add_subplot()
    labels = [str(v) for v in frame[x]]
    positions = list(range(len(labels)))
    bottom = [0.0] * len(labels)
    width = 0.8 if stacked else 0.8 / max(len(y), 1)
    for i, col in enumerate(y):
        values = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype(float).tolist()
        offs = positions if stacked else [p + (i - (len(y) - 1) / 2) * width for p in positions]
        if horizontal:
            ax.barh(offs, values, height=width, left=bottom if stacked else None, label=str(col))
        else:
            ax.bar(offs, values, width=width, bottom=bottom if stacked else None, label=str(col))
        if stacked:
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        rotate = sum(len(s) for s in labels) > 60
        ax.set_xticks(
            positions, labels, rotation=35 if rotate else 0, ha="right" if rotate else "center"
        )
        ax.set_ylabel(ylabel)
    # The value axis reads like the table: no "1e6" offset, % where the table shows %.
    kind = present.column_kind(str(y[0]), frame[y[0]]) if y else "number"
    (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(
        FuncFormatter(present.axis_formatter(kind))
    )
    if len(y) > 1:
        ax.legend([present_label(c) for c in y], fontsize="small", loc="best")
    ax.set_title(title)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    return figure_png(fig)


def line_png(
    frame: pd.DataFrame,
    x: str,
    y: Sequence[str],
    *,
    title: str,
    ylabel: str = "",
    percent: bool = False,
) -> bytes | None:
    """A line chart over a date column; None when there is nothing to draw."""
    if frame.empty:
        return None
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    fig = figure()
    ax = fig.add_subplot()
    xs = pd.to_datetime(frame[x].astype(str), errors="coerce")
    for col in y:
        ax.plot(
            xs,
            pd.to_numeric(frame[col], errors="coerce"),
            marker="o",
            markersize=3,
            label=present_label(col),
        )
    kind = (
        "percent" if percent else (present.column_kind(str(y[0]), frame[y[0]]) if y else "number")
    )
    ax.yaxis.set_major_formatter(FuncFormatter(present.axis_formatter(kind)))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(y) > 1:
        ax.legend(fontsize="small", loc="best")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return figure_png(fig)


def present_label(column: object) -> str:
    """A column name as an axis or legend label ("on_time_rate" → "On time rate")."""
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
