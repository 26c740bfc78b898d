"""Time expressions of DATA_MODEL "Time", resolved against a fixed as-of date (a Tuesday)."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.semantic.time import TimeWindow, find_time_window, parse_time_window, period_window

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("revenue today", "2026-06-30", "2026-06-30"),
        # Ahead of today (planned dates only: promised, expected).
        ("orders due tomorrow", "2026-07-01", "2026-07-01"),
        ("the day after tomorrow", "2026-07-02", "2026-07-02"),
        ("POs expected in the next 7 days", "2026-07-01", "2026-07-07"),
        ("arriving over the next 2 weeks", "2026-07-01", "2026-07-14"),
        ("due next week", "2026-07-06", "2026-07-12"),
        ("expected next month", "2026-07-01", "2026-07-31"),
        ("sales yesterday", "2026-06-29", "2026-06-29"),
        ("last 7 days", "2026-06-24", "2026-06-30"),
        ("in the past 30 days", "2026-06-01", "2026-06-30"),
        ("over the last thirty days", "2026-06-01", "2026-06-30"),
        ("last 2 weeks", "2026-06-17", "2026-06-30"),
        ("this week", "2026-06-29", "2026-06-30"),
        ("last week", "2026-06-22", "2026-06-28"),
        ("this month", "2026-06-01", "2026-06-30"),
        ("month to date", "2026-06-01", "2026-06-30"),
        ("last month", "2026-05-01", "2026-05-31"),
        ("the month before last", "2026-04-01", "2026-04-30"),
        ("this quarter", "2026-04-01", "2026-06-30"),
        ("last quarter", "2026-01-01", "2026-03-31"),
        ("this year", "2026-01-01", "2026-06-30"),
        ("ytd", "2026-01-01", "2026-06-30"),
        ("last year", "2025-01-01", "2025-12-31"),
        ("on 2026-05-01", "2026-05-01", "2026-05-01"),
        ("from 2026-05-01 to 2026-05-31", "2026-05-01", "2026-05-31"),
        ("between May 1 and May 15", "2026-05-01", "2026-05-15"),
        ("2026-06-01 - 2026-06-15", "2026-06-01", "2026-06-15"),
        ("in May", "2026-05-01", "2026-05-31"),
        ("March 2025", "2025-03-01", "2025-03-31"),
        ("from April to June", "2026-04-01", "2026-06-30"),
        ("Q1", "2026-01-01", "2026-03-31"),
        ("first quarter of 2026", "2026-01-01", "2026-03-31"),
        ("in 2025", "2025-01-01", "2025-12-31"),
        ("since June 15", "2026-06-15", "2026-06-30"),
        ("3 days ago", "2026-06-27", "2026-06-27"),
        ("the past week", "2026-06-24", "2026-06-30"),
        ("1st of June", "2026-06-01", "2026-06-01"),
        # A month after the as-of date without a year is last year's.
        ("in September", "2025-09-01", "2025-09-30"),
    ],
)
def test_time_expressions(text: str, start: str, end: str) -> None:
    window = parse_time_window(text, AS_OF)
    assert window is not None, text
    assert (window.start.isoformat(), window.end.isoformat()) == (start, end)


@pytest.mark.parametrize(
    "text", ["how many products", "more than 2025 units", "may I see stock", "top 5 suppliers"]
)
def test_no_false_time_expressions(text: str) -> None:
    assert parse_time_window(text, AS_OF) is None


def test_first_and_longest_expression_with_span() -> None:
    window, span = find_time_window("orders due today versus last month", AS_OF)  # type: ignore[misc]
    assert window.label == "today" and span == (11, 16)
    window, span = find_time_window("revenue between 2026-05-01 and 2026-05-31 by week", AS_OF)  # type: ignore[misc]
    assert (window.start, window.end) == (date(2026, 5, 1), date(2026, 5, 31))
    assert "between" in "revenue between 2026-05-01 and 2026-05-31 by week"[span[0] : span[1]]


def test_weeks_start_on_monday() -> None:
    sunday = date(2026, 6, 28)
    assert period_window("week", 0, sunday).start == date(2026, 6, 22)
    assert period_window("week", 1, sunday) == TimeWindow(
        date(2026, 6, 15), date(2026, 6, 21), "last week"
    )


def test_window_round_trip_and_validation() -> None:
    window = TimeWindow(date(2026, 5, 1), date(2026, 5, 31), "last month")
    assert TimeWindow.from_dict(window.to_dict()) == window
    assert window.days == 31
    with pytest.raises(ValueError):
        TimeWindow(date(2026, 5, 2), date(2026, 5, 1), "backwards")
