"""The one presentation layer: how numbers, dates and counts read wherever they are shown.

Answer sentences, specialists, report sections, dashboard tables, KPI tiles, charts and the
notebook display all format through this module, so a rate reads "87.1%" in the sentence,
the table and the chart axis alike, units stay whole numbers, and no value shows as "-0.00".
``tests/test_presentation.py`` scans the package for number formatting done anywhere else.

A column's *kind* (money, percent, quantity, days, score, number, date, text) decides how
it is shown. Kinds come from a registry filled at import by the owners of the columns —
the semantic model registers its metrics by unit, the tool catalog registers each tool's
result columns beside its spec — and fall back to the column's name and dtype.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pandas as pd

Kind = Literal["money", "percent", "quantity", "days", "score", "number", "date", "month", "text"]
KINDS: tuple[str, ...] = (
    "money",
    "percent",
    "quantity",
    "days",
    "score",
    "number",
    "date",
    "month",
    "text",
)

#: Shown for a missing value.
MISSING = "—"

__all__ = [
    "KINDS",
    "MISSING",
    "Kind",
    "axis_formatter",
    "column_kind",
    "cost",
    "count",
    "date",
    "days",
    "display_frame",
    "duration",
    "integer",
    "kind_for_unit",
    "local_cost",
    "money",
    "number",
    "percent",
    "quantity",
    "register_columns",
    "score",
    "size",
    "value",
]


# -- scalars ------------------------------------------------------------------------------------
def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_float(value: Any) -> float | None:
    if _is_missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fixed(number: float, digits: int, *, grouping: bool = True) -> str:
    """``number`` with ``digits`` decimals; a value that rounds to zero has no minus sign."""
    spec = f"{',' if grouping else ''}.{max(digits, 0)}f"
    text = format(number, spec)
    if text.startswith("-") and float(text[1:].replace(",", "")) == 0:
        text = text[1:]
    return text


def number(value: Any, digits: int = 2) -> str:
    """A plain number: integers without decimals, others with ``digits`` (1,234 · 3.14)."""
    v = _as_float(value)
    if v is None:
        return MISSING
    if v.is_integer():
        return _fixed(v, 0)
    return _fixed(v, digits)


def quantity(value: Any, unit: str = "", *, digits: int = 1) -> str:
    """Units of stock and the like: whole numbers stay whole ("1,803", not "1,803.00")."""
    v = _as_float(value)
    if v is None:
        return MISSING
    text = _fixed(v, 0) if round(v, digits) == round(v) else _fixed(v, digits)
    return f"{text} {unit}".strip()


def money(value: Any, *, cents: bool | None = None, compact: bool = False) -> str:
    """US dollars: "$12,345" for large sums, "$12.50" below $1,000 (``cents`` forces either);
    ``compact`` writes millions as "$1.25M" (KPI tiles, sentences)."""
    v = _as_float(value)
    if v is None:
        return MISSING
    if compact and abs(v) >= 1_000_000:
        return _sign(v) + "$" + _fixed(abs(v) / 1_000_000, 2) + "M"
    show_cents = abs(v) < 1000 if cents is None else cents
    return _sign(v, 2 if show_cents else 0) + "$" + _fixed(abs(v), 2 if show_cents else 0)


def _sign(v: float, digits: int = 2) -> str:
    return "-" if v < 0 and round(abs(v), digits) != 0 else ""


def cost(value: Any) -> str:
    """A (usually tiny) AWS cost: four decimals below a cent ("$0.0012"), else cents."""
    v = _as_float(value)
    if v is None:
        return MISSING
    if v == 0:
        return "$0"
    if abs(v) < 0.01:
        return _sign(v, 4) + "$" + _fixed(abs(v), 4)
    return money(v, cents=True)


def local_cost(actual: float, aws_equivalent: float) -> tuple[str, str]:
    """What an answer cost and, separately, what it would cost on AWS.

    Run locally the actual spend is nothing, so it reads "local, no charge" instead of "$0.0000".
    """
    spent = "local, no charge" if actual <= 0 else cost(actual)
    would = cost(aws_equivalent) if aws_equivalent > 0 else "$0"
    return spent, would


def percent(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.871 → "87.1%"; no "-0.0%"."""
    v = _as_float(value)
    if v is None:
        return MISSING
    return _fixed(v * 100, digits, grouping=False) + "%"


def days(value: Any, digits: int = 1) -> str:
    v = _as_float(value)
    if v is None:
        return MISSING
    return f"{quantity(v, digits=digits)} day" + ("" if round(v, digits) == 1 else "s")


def score(value: Any, digits: int = 2) -> str:
    v = _as_float(value)
    return MISSING if v is None else _fixed(v, digits)


def integer(n: float, *, more: bool = False) -> str:
    """A whole number with thousands separators ("1,204"; "500+" when cut at a limit)."""
    return f"{_fixed(float(n), 0)}{'+' if more else ''}"


def count(n: int, noun: str, plural: str | None = None, *, more: bool = False) -> str:
    """ "1 row", "1,204 rows", "500+ rows" (``more``: cut at a limit)."""
    word = noun if n == 1 and not more else (plural or _plural(noun))
    return f"{_fixed(float(n), 0)}{'+' if more else ''} {word}"


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def date(value: Any, *, grain: str = "day") -> str:
    """An ISO date ("2026-03-01"); a month grain reads "Mar 2026"; never "00:00:00"."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, str):
        try:
            value = pd.Timestamp(value)
        except (ValueError, TypeError):
            return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        return str(value)
    if grain == "month":
        return day.strftime("%b %Y")
    return day.isoformat()


def duration(milliseconds: float) -> str:
    """ "240 ms", "1.8 s"."""
    if milliseconds < 1000:
        return f"{_fixed(milliseconds, 0)} ms"
    return f"{_fixed(milliseconds / 1000, 1)} s"


def size(n_bytes: float) -> str:
    """ "12 KiB", "3.4 MiB"."""
    if n_bytes < 1024 * 1024:
        return f"{_fixed(n_bytes / 1024, 0)} KiB"
    return f"{_fixed(n_bytes / 1024 / 1024, 1)} MiB"


# -- kinds of columns ---------------------------------------------------------------------------
_UNIT_KINDS: dict[str, Kind] = {
    "currency": "money",
    "usd": "money",
    "ratio": "percent",
    "percent": "percent",
    "score": "score",
    "days": "days",
    "units": "quantity",
}

#: column name -> kind, filled by the owners of the columns (semantic model, tool catalog).
_REGISTERED: dict[str, Kind] = {}

#: Name patterns when nothing was registered (first match wins).
_RULES: tuple[tuple[str, Kind], ...] = (
    (r"(^|_)(id|code|sku|name|status|priority|category|city|region|country)$", "text"),
    (r"(^|_)(month)$", "month"),
    (r"(^|_)(date|day|week|period|quarter|year_start)$", "date"),
    (r"(rate|utili[sz]ation|pct|percent|share|wmape|mape|premium|variance)", "percent"),
    (
        r"(spend|revenue|cost|price|value|savings|amount|usd|budget|change)$|^(cost|price)_",
        "money",
    ),
    (r"score", "score"),
    (r"(days|lead_time|cover)", "days"),
    (
        r"(units|quantity|qty|on_hand|stock|reorder_point|eoq|available|reserved|capacity|"
        r"stops|orders|count|pos|products|suppliers|positions|demand|forecast)",
        "quantity",
    ),
    (r"(km|distance)", "number"),
)
_NAME_RULES: tuple[tuple[re.Pattern[str], Kind], ...] = tuple(
    (re.compile(pattern), kind) for pattern, kind in _RULES
)


def kind_for_unit(unit: str) -> Kind:
    """The kind for a semantic-model unit ("currency", "ratio", "orders", ...)."""
    return _UNIT_KINDS.get(unit, "quantity" if unit and "per" not in unit else "number")


def register_columns(kinds: Mapping[str, str]) -> None:
    """Say how columns are shown (the semantic model and the tool catalog call this)."""
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ValueError(f"column {name!r}: kind must be one of {KINDS}, not {kind!r}")
        _REGISTERED[name] = kind  # type: ignore[assignment]


def column_kind(name: str, series: pd.Series | None = None) -> Kind:
    """How column ``name`` is shown: registered, else by its dtype and name."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    if series is not None:
        if pd.api.types.is_datetime64_any_dtype(series):
            return "month" if name.lower().endswith("month") else "date"
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            first = series.dropna().head(1)
            if len(first) and isinstance(first.iloc[0], dt.date):
                return "month" if name.lower().endswith("month") else "date"
            return "text"
    lowered = name.lower()
    for pattern, kind in _NAME_RULES:
        if pattern.search(lowered):
            return kind
    return "number"


def value(v: Any, kind: str = "number") -> str:
    """One value shown as ``kind``."""
    if _is_missing(v):
        return MISSING
    if kind == "money":
        return money(v)
    if kind == "percent":
        return percent(v)
    if kind == "quantity":
        return quantity(v)
    if kind == "days":
        return quantity(v)
    if kind == "score":
        return score(v)
    if kind in {"date", "month"}:
        return date(v, grain="month" if kind == "month" else "day")
    if kind == "text":
        return str(v)
    if isinstance(v, str):
        return v
    return number(v)


def display_frame(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` as text, each column formatted by its kind (for HTML tables and reports).

    ``frame.attrs['column_kinds']`` (set by whoever built the frame) and ``kinds`` override
    the registry.
    """
    overrides = {**dict(frame.attrs.get("column_kinds", {}) or {}), **dict(kinds or {})}
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        name = str(column)
        kind = overrides.get(name) or column_kind(name, frame[column])
        series = frame[column]
        if kind == "number" and pd.api.types.is_integer_dtype(series):
            kind = "quantity"
        out[name] = [value(v, kind) for v in series]
    return out


def axis_formatter(kind: str) -> Callable[[float, Any], str]:
    """A matplotlib tick formatter that reads like the table: no offsets, % for rates."""

    def fmt(v: float, _pos: Any = None) -> str:
        if kind == "percent":
            return percent(v, 0 if abs(v) >= 0.1 or v == 0 else 1)
        if kind == "money":
            if abs(v) >= 1_000_000:
                return money(v, compact=True)
            return money(v, cents=abs(v) < 10 and not float(v).is_integer())
        if abs(v) >= 10 or float(v).is_integer():
            return _fixed(v, 0)
        return _fixed(v, 2)

    return fmt
