"""Time expressions of business questions, resolved against an as-of date (DATA_MODEL "Time").

"today" is the as-of date; "last N days" is the N days ending today inclusive; "this
week/month/quarter/year" runs from the start of the period to today; "last week/month/..."
is the whole previous calendar period (weeks start on Monday). Explicit dates, months,
quarters, years and ranges ("from 2026-05-01 to 2026-05-31", "between May 1 and May 15")
are understood too. Parsing is pure: the same text and as-of date give the same window.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from workbench.semantic.numbers import ARTICLES, CARDINALS, VAGUE_COUNTS

__all__ = [
    "TimeWindow",
    "coerce_date",
    "find_time_window",
    "parse_time_window",
    "period_window",
]


@dataclass(frozen=True)
class TimeWindow:
    """An inclusive date range with the words a person would use for it."""

    start: date  # inclusive
    end: date  # inclusive
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimeWindow:
        return cls(
            coerce_date(data["start"]), coerce_date(data["end"]), str(data.get("label") or "")
        )

    def describe(self) -> str:
        """The label, or the dates when there is no label."""
        return self.label or f"{self.start.isoformat()} to {self.end.isoformat()}"


def coerce_date(value: date | str) -> date:
    """A ``date`` from a date or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


# --- calendar helpers ------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_window(unit: str, offset: int, as_of: date) -> TimeWindow:
    """Calendar period ``unit`` (week/month/quarter/year) ``offset`` periods back.

    ``offset=0`` is the current period up to the as-of date; ``offset=1`` is the whole
    previous period; ``offset=-1`` the whole next one.
    """
    if unit == "week":
        start = as_of - timedelta(days=as_of.weekday()) - timedelta(weeks=offset)
        end = start + timedelta(days=6)
    elif unit == "month":
        start = _add_months(as_of.replace(day=1), -offset)
        end = _month_end(start.year, start.month)
    elif unit == "quarter":
        start = _add_months(_quarter_start(as_of), -3 * offset)
        end = _add_months(start, 3) - timedelta(days=1)
    elif unit == "year":
        start = date(as_of.year - offset, 1, 1)
        end = date(as_of.year - offset, 12, 31)
    else:
        raise ValueError(f"unknown period unit {unit!r}")
    if offset == 0:
        end = as_of
        label = f"this {unit}"
    elif offset == -1:
        label = f"next {unit}"
    elif offset == 1:
        label = f"last {unit}"
    else:
        label = f"{offset} {unit}s ago"
    return TimeWindow(start, end, label)


# --- vocabulary --------------------------------------------------------------------------

#: The shared number words, with articles ("a week") and vague counts ("last few days").
_NUMBER_WORDS = {**CARDINALS, **ARTICLES, **VAGUE_COUNTS}
_NUM = (
    r"(?P<n>\d{1,4}|"
    + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
    + r")"
)

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

_UNIT = r"(?P<unit>day|week|month|quarter|year|wk|wek|mnth|mth|mos|yr|qtr|dy)s?"
_PERIOD = r"(?P<unit>week|month|quarter|year|wk|wek|mnth|mth|yr|qtr)"
#: Abbreviations and common slips of the period words ("last wk", "this qtr", "past 6 mos").
_UNIT_ALIASES = {"wk": "week", "wek": "week", "mnth": "month", "mth": "month", "mos": "month",
                 "yr": "year", "qtr": "quarter", "dy": "day"}  # fmt: skip


class _Match:
    """A match whose ``unit`` group reads abbreviations as the full period word."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def __getitem__(self, key: str) -> str | Any:
        value = self._m[key]
        if key == "unit" and value:
            return _UNIT_ALIASES.get(value.lower(), value)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._m, name)


_ORD = r"(?:st|nd|rd|th)?"

# One explicit calendar day, in the spellings people type.
_DAY = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}"  # 2026-05-01
    r"|\d{4}/\d{1,2}/\d{1,2}"  # 2026/05/01
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?"  # May 1, 2026 / May 1st
    rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"  # 1 May 2026 / 1st of May
    r")"
)


def _num(token: str) -> int:
    token = token.lower().strip()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _parse_day(text: str, as_of: date) -> date | None:
    """One explicit day; a day without a year is the most recent such day up to ``as_of``."""
    t = text.lower().strip().rstrip(".")
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", t)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = re.fullmatch(rf"(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}}){_ORD}(?:,?\s+(?P<y>\d{{4}}))?", t)
    if not m:
        m = re.fullmatch(
            rf"(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MONTH})(?:,?\s+(?P<y>\d{{4}}))?", t
        )
    if not m:
        return None
    month = _MONTHS[m["mon"].rstrip(".")]
    year = int(m["y"]) if m["y"] else as_of.year
    try:
        day = date(year, month, int(m["d"]))
    except ValueError:
        return None
    if not m["y"] and day > as_of:
        try:
            day = day.replace(year=year - 1)
        except ValueError:
            return None
    return day


def _month_window(month_name: str, year: str | None, as_of: date) -> TimeWindow:
    month = _MONTHS[month_name.lower().rstrip(".")]
    y = int(year) if year else as_of.year
    if not year and date(y, month, 1) > as_of:
        y -= 1
    start = date(y, month, 1)
    return TimeWindow(start, _month_end(y, month), f"{calendar.month_name[month]} {y}")


# --- rules: (regex, builder) -------------------------------------------------------------

_Builder = Callable[[re.Match[str], date], TimeWindow | None]
_RULES: list[tuple[re.Pattern[str], _Builder]] = []


def _rule(pattern: str) -> Callable[[_Builder], _Builder]:
    def deco(fn: _Builder) -> _Builder:
        def wrapped(m: re.Match[str], as_of: date) -> TimeWindow | None:
            return fn(cast("re.Match[str]", _Match(m)), as_of)

        _RULES.append(
            (re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE), wrapped)
        )
        return fn

    return deco


@_rule(rf"(?:between|from)\s+(?P<a>{_DAY})\s+(?:and|to|until|till|through|thru|-)\s+(?P<b>{_DAY})")
@_rule(rf"(?P<a>{_DAY})\s*(?:to|until|till|through|thru|-|–)\s*(?P<b>{_DAY})")
def _range(m: re.Match[str], as_of: date) -> TimeWindow | None:
    a, b = _parse_day(m["a"], as_of), _parse_day(m["b"], as_of)
    if a is None or b is None:
        return None
    if b < a:
        a, b = b, a
    return TimeWindow(a, b, f"{a.isoformat()} to {b.isoformat()}")


@_rule(
    rf"(?:between|from)\s+(?P<ma>{_MONTH})(?:\s+(?P<ya>\d{{4}}))?\s+(?:and|to|until|through|-)\s+(?P<mb>{_MONTH})(?:\s+(?P<yb>\d{{4}}))?"
)
def _month_range(m: re.Match[str], as_of: date) -> TimeWindow | None:
    a = _month_window(m["ma"], m["ya"] or m["yb"], as_of)
    b = _month_window(m["mb"], m["yb"], as_of)
    if b.start < a.start:
        a = _month_window(m["ma"], str(b.start.year - 1), as_of)
    return TimeWindow(a.start, b.end, f"{a.label} to {b.label}")


@_rule(rf"(?:since|after|starting(?:\s+from)?|from)\s+(?P<a>{_DAY})")
def _since(m: re.Match[str], as_of: date) -> TimeWindow | None:
    a = _parse_day(m["a"], as_of)
    if a is None or a > as_of:
        return None
    return TimeWindow(a, as_of, f"since {a.isoformat()}")


@_rule(
    rf"(?:since|starting(?:\s+(?:from|in))?)\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?P<mon>{_MONTH})(?:\s+(?:of\s+)?(?P<y>\d{{4}}))?"
)
def _since_month(m: re.Match[str], as_of: date) -> TimeWindow | None:
    """'since March' = from March 1 up to today."""
    start = _month_window(m["mon"], m["y"], as_of).start
    if start > as_of:
        return None
    return TimeWindow(start, as_of, f"since {calendar.month_name[start.month]} {start.year}")


@_rule(rf"(?:on\s+|for\s+)?(?P<a>{_DAY})")
def _single_day(m: re.Match[str], as_of: date) -> TimeWindow | None:
    a = _parse_day(m["a"], as_of)
    return None if a is None else TimeWindow(a, a, a.isoformat())


@_rule(r"today(?:'s)?|this\s+day|so\s+far\s+today")
def _today(m: re.Match[str], as_of: date) -> TimeWindow:
    return TimeWindow(as_of, as_of, "today")


@_rule(r"yesterday(?:'s)?")
def _yesterday(m: re.Match[str], as_of: date) -> TimeWindow:
    d = as_of - timedelta(days=1)
    return TimeWindow(d, d, "yesterday")


# --- ahead of today: only dates that are planned (promised, expected) can fall there ---------


@_rule(r"(?:for\s+|by\s+)?tomorrow(?:'s)?")
def _tomorrow(m: re.Match[str], as_of: date) -> TimeWindow:
    d = as_of + timedelta(days=1)
    return TimeWindow(d, d, "tomorrow")


@_rule(r"(?:for\s+)?(?:the\s+)?day\s+after\s+tomorrow")
def _day_after_tomorrow(m: re.Match[str], as_of: date) -> TimeWindow:
    d = as_of + timedelta(days=2)
    return TimeWindow(d, d, d.isoformat())


@_rule(rf"(?:in\s+|over\s+|during\s+|for\s+|within\s+)?(?:the\s+)?(?:next|coming|upcoming)\s+{_NUM}\s+{_UNIT}")
def _next_n(m: re.Match[str], as_of: date) -> TimeWindow | None:
    """'the next 7 days' = the 7 days after today (tomorrow through today + 7)."""
    n, unit = _num(m["n"]), m["unit"].lower()
    if n <= 0:
        return None
    start = as_of + timedelta(days=1)
    if unit == "day":
        end = as_of + timedelta(days=n)
    elif unit == "week":
        end = as_of + timedelta(days=7 * n)
    else:
        end = _add_months(as_of, n * {"month": 1, "quarter": 3, "year": 12}[unit])
    return TimeWindow(start, end, f"next {n} {unit}s" if n != 1 else f"next {unit}")


@_rule(rf"(?:(?:in|during|for|over)\s+)?(?:the\s+)?(?:next|coming|upcoming|following)\s+{_PERIOD}")
def _next_period(m: re.Match[str], as_of: date) -> TimeWindow:
    """'next week / month / quarter / year' = the whole next calendar period."""
    unit = m["unit"].lower()
    following = period_window(unit, -1, as_of)
    return TimeWindow(following.start, following.end, f"next {unit}")


@_rule(r"(?:the\s+)?day\s+before\s+yesterday")
def _day_before_yesterday(m: re.Match[str], as_of: date) -> TimeWindow:
    d = as_of - timedelta(days=2)
    return TimeWindow(d, d, d.isoformat())


@_rule(
    rf"(?:in\s+|over\s+|during\s+|for\s+|within\s+)?(?:the\s+)?(?:last|past|previous|prior|trailing|recent|rolling)\s+{_NUM}\s+{_UNIT}"
)
def _last_n(m: re.Match[str], as_of: date) -> TimeWindow | None:
    n, unit = _num(m["n"]), m["unit"].lower()
    if n <= 0:
        return None
    if unit == "day":
        return TimeWindow(
            as_of - timedelta(days=n - 1), as_of, f"last {n} days" if n != 1 else "today"
        )
    if unit == "week":
        return TimeWindow(
            as_of - timedelta(days=7 * n - 1), as_of, f"last {n} weeks" if n != 1 else "last 7 days"
        )
    if unit == "month":
        return TimeWindow(
            _add_months(as_of, -n) + timedelta(days=1),
            as_of,
            f"last {n} months" if n != 1 else "past month",
        )
    if unit == "quarter":
        return TimeWindow(
            _add_months(as_of, -3 * n) + timedelta(days=1), as_of, f"last {n} quarters"
        )
    return TimeWindow(_add_months(as_of, -12 * n) + timedelta(days=1), as_of, f"last {n} years")


@_rule(
    rf"(?<!due\s)(?<!expected\s)(?<!arriving\s)(?<!next\s)(?:in|over|for|within)\s+(?:the\s+)?{_NUM}\s+{_UNIT}(?!\s+ago)"
)
def _in_n(m: re.Match[str], as_of: date) -> TimeWindow | None:
    # "no sales in 60 days", "units sold over 90 days": a past span ending today.
    return _last_n(m, as_of)


@_rule(rf"{_NUM}\s+(?P<unit>day|week)s?\s+ago")
def _ago(m: re.Match[str], as_of: date) -> TimeWindow | None:
    n, unit = _num(m["n"]), m["unit"].lower()
    if unit == "day":
        d = as_of - timedelta(days=n)
        return TimeWindow(d, d, d.isoformat())
    w = period_window("week", n, as_of)
    return TimeWindow(w.start, w.end, f"{n} weeks ago")


@_rule(r"(?:in\s+|over\s+|during\s+)?(?:the\s+)?past\s+(?P<unit>week|month|quarter|year)")
def _past_period(m: re.Match[str], as_of: date) -> TimeWindow:
    # "the past week" is a rolling period ending today ("last week" is the calendar week).
    unit = m["unit"].lower()
    if unit == "week":
        return TimeWindow(as_of - timedelta(days=6), as_of, "last 7 days")
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return TimeWindow(_add_months(as_of, -months) + timedelta(days=1), as_of, f"past {unit}")


@_rule(
    rf"(?:(?:in|during|for|over)\s+)?(?:this|the\s+current|current|so\s+far\s+this)\s+{_PERIOD}(?:\s+so\s+far|\s+to\s+date)?"
)
def _this_period(m: re.Match[str], as_of: date) -> TimeWindow:
    return period_window(m["unit"].lower(), 0, as_of)


@_rule(rf"(?:since|from)\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+{_PERIOD}")
def _since_period_start(m: re.Match[str], as_of: date) -> TimeWindow:
    return period_window(m["unit"].lower(), 0, as_of)


@_rule(rf"{_PERIOD}[\s-]+to[\s-]+date|(?P<abbr>mtd|ytd|qtd|wtd)")
def _to_date(m: re.Match[str], as_of: date) -> TimeWindow:
    abbr = (m["abbr"] or "").lower()
    unit = {"mtd": "month", "ytd": "year", "qtd": "quarter", "wtd": "week"}.get(abbr) or m[
        "unit"
    ].lower()
    return period_window(unit, 0, as_of)


@_rule(rf"(?:(?:in|during|for|over)\s+)?(?:the\s+)?(?:last|previous|prior|preceding)\s+{_PERIOD}")
@_rule(rf"(?:a|one)\s+{_PERIOD}\s+ago")
def _last_period(m: re.Match[str], as_of: date) -> TimeWindow:
    return period_window(m["unit"].lower(), 1, as_of)


@_rule(rf"(?:(?:in|during|for|over)\s+)?(?:the\s+)?{_PERIOD}\s+before\s+last")
def _period_before_last(m: re.Match[str], as_of: date) -> TimeWindow:
    return period_window(m["unit"].lower(), 2, as_of)


@_rule(
    r"(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?:(?P<q>q[1-4])|(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)(?:\s+(?:of\s+)?(?P<y>\d{4}))?"
)
def _quarter(m: re.Match[str], as_of: date) -> TimeWindow | None:
    if m["q"]:
        q = int(m["q"][1])
    else:
        q = {
            "first": 1,
            "1st": 1,
            "second": 2,
            "2nd": 2,
            "third": 3,
            "3rd": 3,
            "fourth": 4,
            "4th": 4,
        }[m["ord"].lower()]
    year = int(m["y"]) if m["y"] else as_of.year
    start = date(year, 3 * (q - 1) + 1, 1)
    if not m["y"] and start > as_of:
        start = start.replace(year=year - 1)
    end = _add_months(start, 3) - timedelta(days=1)
    return TimeWindow(start, end, f"Q{q} {start.year}")


@_rule(
    rf"(?:in\s+|during\s+|for\s+|of\s+|and\s+)?(?P<mon>{_MONTH})(?:\s+(?:of\s+)?(?P<y>\d{{4}}))?"
)
def _month(m: re.Match[str], as_of: date) -> TimeWindow | None:
    word = m["mon"].lower().rstrip(".")
    prefixed = m.group(0).lower().split()[0] in {"in", "during", "for", "of", "and"}
    # Short forms that are ordinary English words need a year or a preposition to count.
    if word in {
        "may",
        "mar",
        "jan",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "feb",
        "apr",
        "sept",
    } and not (m["y"] or prefixed):
        return None
    return _month_window(word, m["y"], as_of)


_ORDINAL_WEEKS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
}


@_rule(
    rf"(?:(?:in|during|for)\s+)?(?:the\s+)?(?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|last|final)"
    rf"\s+week\s+(?:of|in)\s+(?P<mon>{_MONTH})(?:\s+(?:of\s+)?(?P<y>\d{{4}}))?"
)
def _week_of_month(m: re.Match[str], as_of: date) -> TimeWindow:
    """'the first week of June' = June 1-7 (weeks of a month are counted from its 1st day);
    'the last week of June' = its last seven days."""
    month = _month_window(m["mon"], m["y"], as_of)
    nth = m["nth"].lower()
    if nth in {"last", "final"}:
        start = month.end - timedelta(days=6)
    else:
        start = month.start + timedelta(days=7 * _ORDINAL_WEEKS[nth])
    end = min(start + timedelta(days=6), month.end)
    return TimeWindow(start, end, f"{nth} week of {month.label}")


@_rule(r"(?:(?:in|during|for|of)\s+(?:the\s+year\s+)?|(?:the\s+)?year\s+)(?P<y>(?:19|20)\d{2})")
def _year(m: re.Match[str], as_of: date) -> TimeWindow:
    y = int(m["y"])
    end = date(y, 12, 31)
    return TimeWindow(date(y, 1, 1), end, str(y))


# --- public API -----------------------------------------------------------------------------


def find_time_window(text: str, as_of: date) -> tuple[TimeWindow, tuple[int, int]] | None:
    """The first time expression in ``text`` (the longest one where several start together)."""
    if not text:
        return None
    best: tuple[int, int, TimeWindow] | None = None
    for pattern, build in _RULES:
        for m in pattern.finditer(text):
            start, end = m.span()
            if best is not None and (start > best[0] or (start == best[0] and end <= best[1])):
                continue
            window = build(m, as_of)
            if window is not None:
                best = (start, end, window)
    if best is None:
        return None
    return best[2], (best[0], best[1])


def find_time_windows(text: str, as_of: date) -> list[tuple[TimeWindow, tuple[int, int]]]:
    """Every non-overlapping time expression in ``text``, left to right."""
    out: list[tuple[TimeWindow, tuple[int, int]]] = []
    pos = 0
    while pos < len(text):
        found = find_time_window(text[pos:], as_of)
        if found is None:
            break
        window, (a, b) = found
        out.append((window, (pos + a, pos + b)))
        pos += max(b, a + 1)
    return out


def parse_time_window(text: str, as_of: date) -> TimeWindow | None:
    """The first time expression in ``text`` resolved against ``as_of``, or None."""
    found = find_time_window(text, as_of)
    return found[0] if found else None


@_rule(
    rf"(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?P<half>first|1st|second|2nd|last)\s+half\s+of\s+(?P<mon>{_MONTH})(?:\s+(?P<y>\d{{4}}))?"
)
def _half_month(m: re.Match[str], as_of: date) -> TimeWindow | None:
    """'the first half of June' = June 1-15; 'the second half' = the 16th to the month's end."""
    month = _month_window(m["mon"], m["y"], as_of)
    first = m["half"].lower() in {"first", "1st"}
    start = month.start if first else month.start.replace(day=16)
    end = month.start.replace(day=15) if first else month.end
    name = f"{calendar.month_name[month.start.month]} {month.start.year}"
    return TimeWindow(start, end, f"the {'first' if first else 'second'} half of {name}")


@_rule(
    r"(?:in\s+|during\s+|for\s+)?(?:iso\s+)?(?:week|wk)\s*#?\s*(?P<w>\d{1,2})(?:\s+(?:of\s+)?(?P<y>\d{4}))?"
)
def _iso_week(m: re.Match[str], as_of: date) -> TimeWindow | None:
    """'week 23', 'wk 23 2026': the ISO week (Monday to Sunday), of this year unless named."""
    week = int(m["w"])
    year = int(m["y"]) if m["y"] else as_of.year
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    if not m["y"] and start > as_of:
        start = date.fromisocalendar(year - 1, week, 1)
    return TimeWindow(
        start, start + timedelta(days=6), f"ISO week {week} of {start.isocalendar()[0]}"
    )
