"""Report specs: which notebooks exist, which parameters each takes, and their validation.

A report is a notebook under ``notebooks/reports/`` plus a typed parameter list. Parameters
arrive as strings (``-p key=value`` on the command line, cron entries) or Python values
(the API); :func:`validate_parameters` turns them into typed values and reports *every*
problem at once, before any kernel starts - the papermill lesson that a bad parameter
found in cell 12 costs a kernel start and a confusing traceback.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from workbench.core import present
from workbench.core.errors import WorkbenchError

__all__ = [
    "OUTPUT_FORMATS",
    "REPORTS",
    "Parameter",
    "ReportParameterError",
    "ReportSpec",
    "get_report",
    "parse_assignments",
    "report_names",
    "reports_dir",
    "validate_parameters",
]

ParamType = Literal["date", "str", "int", "float", "bool", "choice", "warehouse"]
#: What a run produces: the executed notebook always; HTML unless ``ipynb`` only.
OUTPUT_FORMATS = ("html", "ipynb")
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}


class ReportParameterError(WorkbenchError):
    """Report parameters are unknown or invalid; ``problems`` lists every one."""

    code = "report_parameter_error"

    def __init__(self, message: str, *, problems: Sequence[str] = (), **fields: Any) -> None:
        super().__init__(message, problems=list(problems), **fields)
        self.problems = list(problems)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter.

    ``warehouse`` parameters accept ``all`` or a warehouse id that exists in the data
    (checked by :func:`validate_parameters` when given the known ids).
    """

    name: str
    type: ParamType
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def convert(self, raw: Any, known_warehouses: Sequence[str] | None = None) -> Any:
        """The typed value of ``raw``; raises ValueError with a user-facing reason."""
        if raw is None:
            if self.type in ("date", "str") and self.default is None:
                return None
            raise ValueError("a value is required")
        value: Any
        if self.type == "date":
            if isinstance(raw, dt.datetime):
                return raw.date()
            if isinstance(raw, dt.date):
                return raw
            try:
                return dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                raise ValueError(f"'{raw}' is not a date; use YYYY-MM-DD") from None
        if self.type == "int":
            if isinstance(raw, bool):
                raise ValueError(f"'{raw}' is not a whole number")
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise ValueError(f"'{raw}' is not a whole number") from None
        elif self.type == "float":
            try:
                value = float(str(raw).strip())
            except ValueError:
                raise ValueError(f"'{raw}' is not a number") from None
        elif self.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"'{raw}' is not true or false")
        elif self.type == "choice":
            text = str(raw).strip()
            if text not in self.choices:
                raise ValueError(f"'{raw}' is not one of {', '.join(self.choices)}")
            return text
        elif self.type == "warehouse":
            text = str(raw).strip()
            if text.lower() == "all":
                return "all"
            if known_warehouses is not None:
                by_upper = {w.upper(): w for w in known_warehouses}
                if text.upper() not in by_upper:
                    close = difflib.get_close_matches(text.upper(), list(by_upper), n=2)
                    hint = (
                        f" Did you mean {' or '.join(by_upper[c] for c in close)}?" if close else ""
                    )
                    raise ValueError(
                        f"there is no warehouse '{raw}'; use 'all' or one of "
                        f"{', '.join(known_warehouses)}.{hint}"
                    )
                return by_upper[text.upper()]
            return text
        else:
            return str(raw)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{value} is below the minimum {present.number(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{value} is above the maximum {present.number(self.maximum)}")
        return value

    def describe(self) -> str:
        kind = f"one of {'|'.join(self.choices)}" if self.type == "choice" else self.type
        default = "today (as-of)" if self.name == "as_of" else repr(self.default)
        return f"{self.name} ({kind}, default {default}): {self.help}"


#: Parameters every report takes (the runner fills ``workbench_home`` and ``as_of``).
COMMON_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("as_of", "date", None, "the date 'today' means; default the configured as-of date"),
    Parameter("warehouse", "warehouse", "all", "one warehouse id, or 'all'"),
    Parameter(
        "output_format",
        "choice",
        "html",
        "html (executed notebook + HTML) or ipynb only",
        choices=OUTPUT_FORMATS,
    ),
    Parameter("workbench_home", "str", None, "where the data lives; default the runner's home"),
)


@dataclass(frozen=True)
class ReportSpec:
    """A scheduled report: its notebook, audience, parameters and default schedule."""

    name: str
    title: str
    persona: str
    description: str
    parameters: tuple[Parameter, ...]
    #: Default cron schedule (minute hour day-of-month month day-of-week).
    schedule: str
    #: The notebook; default ``notebooks/reports/<name>.ipynb`` (a plugin's report sets its own).
    path: Path | None = None

    @property
    def notebook(self) -> Path:
        return self.path or reports_dir() / f"{self.name}.ipynb"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


def reports_dir() -> Path:
    """Where the report notebooks live: ``notebooks/reports`` of the source tree."""
    return Path(__file__).resolve().parents[2] / "notebooks" / "reports"


def _spec(
    name: str, title: str, persona: str, description: str, schedule: str, *extra: Parameter
) -> ReportSpec:
    return ReportSpec(name, title, persona, description, (*COMMON_PARAMETERS, *extra), schedule)


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "inventory_health",
            "Inventory health",
            "warehouse_manager",
            "Out of stock, below reorder point with suggested quantities, stockout risk, "
            "inventory value by warehouse and category, demand forecast for the top products.",
            "0 6 * * *",
            Parameter(
                "top_n",
                "int",
                10,
                "rows in each list and products forecast",
                minimum=1,
                maximum=100,
            ),
            Parameter("horizon_days", "int", 14, "days of demand forecast", minimum=1, maximum=90),
        ),
        _spec(
            "delivery_performance",
            "Delivery performance",
            "field_engineer",
            "Overdue and due-today orders, on-time rate trend, fulfilment time by warehouse, "
            "today's optimized delivery routes.",
            "30 6 * * 1-6",
            Parameter("top_n", "int", 15, "rows in each list", minimum=1, maximum=200),
            Parameter("trend_weeks", "int", 12, "weeks of on-time trend", minimum=2, maximum=104),
        ),
        _spec(
            "supplier_scorecard",
            "Supplier scorecard",
            "procurement_specialist",
            "Supplier scores, spend trend, cost variance, savings opportunities, pending POs.",
            "0 7 * * 1",
            Parameter("top_n", "int", 10, "rows in each list", minimum=1, maximum=100),
            Parameter(
                "months", "int", 12, "months of spend trend and scoring", minimum=1, maximum=36
            ),
        ),
    )
}


def report_names() -> list[str]:
    return list(REPORTS)


def get_report(name: str) -> ReportSpec:
    """The report called ``name``; an unknown name suggests the closest ones."""
    try:
        return REPORTS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(REPORTS), n=2)
        hint = f"Did you mean {' or '.join(close)}?" if close else f"Reports: {', '.join(REPORTS)}."
        raise ReportParameterError(
            f"There is no report called '{name}'.", hint=hint, report=name
        ) from None


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["top_n=5", "warehouse=WH-EAST"]`` -> a dict; a malformed item is a parameter error."""
    out: dict[str, str] = {}
    bad: list[str] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            bad.append(f"'{item}' is not key=value")
            continue
        out[key.strip()] = value.strip()
    if bad:
        raise ReportParameterError("Some parameters could not be read.", problems=bad)
    return out


def validate_parameters(
    spec: ReportSpec,
    values: Mapping[str, Any],
    *,
    known_warehouses: Sequence[str] | Callable[[], Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Every declared parameter, typed: defaults filled, every problem reported together.

    ``known_warehouses`` (ids, or a callable fetching them only when a warehouse other
    than 'all' is asked for) makes an unknown warehouse id an error here rather than an
    empty report.
    """
    problems: list[str] = []
    names = [p.name for p in spec.parameters]
    for key in values:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(names)})"
            problems.append(f"unknown parameter '{key}'{hint}")
    wanted_wh = any(
        p.type == "warehouse" and str(values.get(p.name, p.default)).lower() != "all"
        for p in spec.parameters
    )
    ids: Sequence[str] | None = None
    if wanted_wh and known_warehouses is not None:
        ids = known_warehouses() if callable(known_warehouses) else known_warehouses
    typed: dict[str, Any] = {}
    for param in spec.parameters:
        raw = values.get(param.name, param.default)
        try:
            typed[param.name] = param.convert(raw, ids)
        except ValueError as exc:
            problems.append(f"{param.name}: {exc}")
    if problems:
        raise ReportParameterError(
            f"The parameters for report '{spec.name}' are not valid; nothing was run.",
            problems=problems,
            report=spec.name,
        )
    return typed
