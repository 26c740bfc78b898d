"""The presentation layer: how numbers read, and that nothing shown formats numbers on its own.

The scan walks the syntax tree of every module whose output people read (dashboards,
reports, the notebook display, answer sentences, specialists) and fails on a number format
spec (``f"{x:,.2f}"``, ``"{:.1%}".format``, ``"%.2f" %``, ``float_format=``) outside
``workbench/core/present.py``.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core import present

ROOT = Path(__file__).resolve().parents[1]
SHOWN = (
    "workbench/ui",
    "workbench/orchestrator",
    "workbench/agents",
    "workbench/llm/agent.py",
    "workbench/reports",
    "workbench/notebook",
    "workbench/semantic/answer_text.py",
)
#: A format spec that formats a number: grouping, precision, or a numeric type.
NUMBER_SPEC = re.compile(r"^[^a-zA-Z]*[,_]|\.\d+|[dfFeEgG%n]$")
PRINTF_NUMBER = re.compile(r"%[-+ 0#]*\d*(\.\d+)?[dfFeEgG]")
FORMAT_CALL_NUMBER = re.compile(r"\{[^{}]*:[^{}]*(,|\.\d+|[dfFeEgG%])\}")


def _spec_text(node: ast.JoinedStr) -> str:
    return "".join(v.value for v in node.values if isinstance(v, ast.Constant))


def ad_hoc_formatting(source: str) -> list[tuple[int, str]]:
    """(line, what) for every number formatting in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = _spec_text(node.format_spec)
            if spec and NUMBER_SPEC.search(spec):
                found.append((node.lineno, f"format spec {spec!r}"))
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "format"
                and isinstance(func.value, ast.Constant)
                and isinstance(func.value.value, str)
                and FORMAT_CALL_NUMBER.search(func.value.value)
            ):
                found.append((node.lineno, f"str.format {func.value.value!r}"))
            if isinstance(func, ast.Name) and func.id == "format" and len(node.args) > 1:
                found.append((node.lineno, "format()"))
            for keyword in node.keywords:
                if keyword.arg == "float_format":
                    found.append((node.lineno, "float_format="))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
            and PRINTF_NUMBER.search(node.left.value)
        ):
            found.append((node.lineno, f"printf {node.left.value!r}"))
    return found


def _shown_modules() -> list[Path]:
    files: list[Path] = []
    for entry in SHOWN:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def test_the_scan_finds_each_kind_of_ad_hoc_formatting() -> None:
    samples = [
        'x = f"{v:,.2f}"',
        'x = f"{v:.1%}"',
        'x = f"{v:,}"',
        'x = f"{n:d} rows"',
        'x = "{:.2f}".format(v)',
        'x = "%.1f" % v',
        "x = frame.to_html(float_format=str)",
        'x = format(v, ",.0f")',
    ]
    for sample in samples:
        assert ad_hoc_formatting(sample), sample
    assert not ad_hoc_formatting('x = f"{name!r} {value} {present.money(v)}"')
    assert not ad_hoc_formatting('x = f"{name:>10}"')  # alignment of text is not a number


def test_no_number_is_formatted_outside_the_presentation_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _shown_modules()
        for line, what in ad_hoc_formatting(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "format through workbench.core.present:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1803.0, "1,803"), (1803, "1,803"), (12.5, "12.5"), (np.int64(7), "7"), (-0.0001, "0")],
)
def test_quantities_stay_whole_and_never_read_minus_zero(value: object, expected: str) -> None:
    assert present.quantity(value) == expected


def test_money_percent_dates_counts_and_costs() -> None:
    assert present.money(12345.678) == "$12,346"
    assert present.money(12.5) == "$12.50"
    assert present.money(-0.001) == "$0.00"
    assert present.money(2_500_000, compact=True) == "$2.50M"
    assert present.money(-1234) == "-$1,234"
    assert present.percent(0.871) == "87.1%"
    assert present.percent(-0.0001) == "0.0%"
    assert present.date(pd.Timestamp("2026-03-01 00:00:00")) == "2026-03-01"
    assert present.date(dt.date(2026, 3, 1), grain="month") == "Mar 2026"
    assert present.count(1, "row") == "1 row"
    assert present.count(1204, "row") == "1,204 rows"
    assert present.count(500, "row", more=True) == "500+ rows"
    assert present.count(2, "entry") == "2 entries"
    assert present.cost(0.00123) == "$0.0012"
    assert present.local_cost(0.0, 0.0021) == ("local, no charge", "$0.0021")
    assert present.local_cost(0.5, 0.5) == ("$0.50", "$0.50")
    assert present.duration(240) == "240 ms" and present.duration(1830) == "1.8 s"


def test_columns_read_like_the_sentence() -> None:
    frame = pd.DataFrame(
        {
            "warehouse_id": ["WH-EAST", "WH-WEST"],
            "on_time_rate": [0.8712, 0.9],
            "quantity_on_hand": [1803.0, 0.0],
            "spend": [1234567.891, -0.001],
            "month": pd.to_datetime(["2026-03-01", "2026-04-01"]),
            "avg_lead_time_days": [3.25, 4.0],
        }
    )
    shown = present.display_frame(frame)
    assert shown.iloc[0].tolist() == ["WH-EAST", "87.1%", "1,803", "$1,234,568", "Mar 2026", "3.2"]
    assert shown.iloc[1].tolist() == ["WH-WEST", "90.0%", "0", "$0.00", "Apr 2026", "4"]
    assert present.display_frame(frame, {"spend": "number"}).iloc[0]["spend"] == "1,234,567.89"


def test_registered_kinds_win_over_names_and_bad_kinds_are_refused() -> None:
    present.register_columns({"zz_test_measure": "percent"})
    assert present.column_kind("zz_test_measure") == "percent"
    with pytest.raises(ValueError, match="kind must be one of"):
        present.register_columns({"x": "dollars"})


def test_axes_format_like_tables() -> None:
    assert present.axis_formatter("percent")(0.25) == "25%"
    assert present.axis_formatter("money")(3_000_000) == "$3.00M"
    assert present.axis_formatter("quantity")(1500.0) == "1,500"
