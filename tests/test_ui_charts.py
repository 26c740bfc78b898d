"""Chart choice follows the result's shape: bars for categories, lines for dates, none for one value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbench.agents.answer import ChartSpec
from workbench.ui.charts import MAX_BARS, choose_chart, render_chart, render_cost_chart

PNG = b"\x89PNG"


def test_categories_with_a_measure_get_bars() -> None:
    frame = pd.DataFrame(
        {
            "warehouse_id": ["WH-EAST", "WH-WEST", "WH-NORTH"],
            "warehouse_name": ["East", "West", "North"],
            "revenue": [10.0, 20.5, 3.0],
        }
    )
    choice = choose_chart(frame, ChartSpec("bar", title="Revenue"))
    assert (choice.kind, choice.x, choice.y, choice.title) == (
        "bar",
        "warehouse_name",
        ("revenue",),
        "Revenue",
    )
    assert render_chart(frame, choice)[:4] == PNG  # type: ignore[index]


def test_dates_get_lines_even_as_strings_or_date_objects() -> None:
    days = [dt.date(2026, 6, d) for d in range(1, 8)]
    for column in (days, [d.isoformat() for d in days], pd.to_datetime(days)):
        frame = pd.DataFrame({"order_date": column, "revenue": range(7), "units": range(7)})
        choice = choose_chart(frame)
        # Dollars and units never share one axis: the first measure's kind decides.
        assert (choice.kind, choice.x, choice.y) == ("line", "order_date", ("revenue",))
        assert render_chart(frame, choice)[:4] == PNG  # type: ignore[index]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"overdue_orders": [42]}),
        pd.DataFrame({"supplier_name": ["Acme"], "score": [0.8]}),
        pd.DataFrame(),
        pd.DataFrame({"product_name": ["a", "b"], "category": ["x", "y"]}),
        pd.DataFrame({"product_id": ["P1", "P2"], "line_number": [1, 2]}),
    ],
    ids=["single-value", "single-row", "empty", "no-measure", "only-id-numbers"],
)
def test_no_chart_for_single_values_or_nothing_to_measure(frame: pd.DataFrame) -> None:
    choice = choose_chart(frame)
    assert choice.kind == "none"
    assert render_chart(frame, choice) is None


def test_many_categories_are_truncated_and_a_numeric_date_name_is_not_a_date() -> None:
    frame = pd.DataFrame(
        {"product_name": [f"p{i}" for i in range(MAX_BARS + 5)], "units": range(MAX_BARS + 5)}
    )
    choice = choose_chart(frame)
    assert choice.kind == "bar" and choice.truncated
    days = pd.DataFrame({"lead_time_days": [1, 2, 3], "supplier_name": ["a", "b", "c"]})
    assert choose_chart(days).kind == "bar"


def test_cost_chart_only_when_something_was_spent() -> None:
    assert render_cost_chart({"redshift": 0.0, "bedrock": 0.0}) is None
    assert render_cost_chart({"redshift": 0.002, "bedrock": 0.001})[:4] == PNG  # type: ignore[index]


def test_label_numbers_are_not_plotted_and_the_agents_axes_are_used_when_they_fit() -> None:
    suppliers = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "supplier_id": ["S1", "S2", "S3"],
            "supplier_name": ["a", "b", "c"],
            "score": [0.9, 0.8, 0.7],
            "fill_rate": [0.9, 0.9, 0.8],
        }
    )
    assert choose_chart(suppliers).y == ("score",)  # a score and a rate: different scales
    rates = suppliers.assign(on_time_rate=[0.8, 0.7, 0.9])[
        ["supplier_name", "fill_rate", "on_time_rate"]
    ]
    assert choose_chart(rates).y == ("fill_rate", "on_time_rate")
    choice = choose_chart(suppliers, ChartSpec("bar", "supplier_name", ("score",), "Score"))
    assert (choice.kind, choice.x, choice.y) == ("bar", "supplier_name", ("score",))
    # The agent's kind never overrides the shape; coordinates are not measures.
    route = pd.DataFrame(
        {
            "vehicle": [1, 1],
            "sequence": [1, 2],
            "customer_name": ["x", "y"],
            "units": [3, 4],
            "latitude": [1.0, 2.0],
            "longitude": [3.0, 4.0],
        }
    )
    choice = choose_chart(route, ChartSpec("bar", "customer_name", ("units",)))
    assert (choice.kind, choice.x, choice.y) == ("route", "longitude", ("latitude",))
    assert choose_chart(route.drop(columns="sequence")).kind == "bar"
    assert choose_chart(pd.DataFrame({"rank": [1, 2], "supplier_name": ["a", "b"]})).kind == "none"
