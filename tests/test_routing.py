"""Route solvers: exact against brute force, feasibility and constraints on generated instances.

Solver quality (gap to optimum, time) is measured in benchmarks/bench_routing.py, never
asserted here; these tests only check that every plan is a valid plan.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.errors import ToolArgumentError, ToolError
from workbench.tools import logistics as lg
from workbench.tools.routing import (
    RouteProblem,
    distance_matrix,
    held_karp,
    max_route_km_for_shift,
    nearest_neighbour_routes,
    route_length,
    solve_routes,
)
from workbench.tools.routing import presentation as rp

_FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _matrix(seed: int, n: int, spread: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return distance_matrix(40 + rng.random(n + 1) * spread, -74 + rng.random(n + 1) * spread)


def _brute_force(matrix: np.ndarray) -> float:
    n = matrix.shape[0] - 1
    return min(route_length(matrix, list(p)) for p in itertools.permutations(range(1, n + 1)))


@_FAST
@given(seed=st.integers(0, 10_000), n=st.integers(1, 7))
def test_exact_solver_equals_brute_force(seed: int, n: int) -> None:
    matrix = _matrix(seed, n)
    plan = solve_routes(matrix)
    assert plan.method == "exact" and sorted(plan.routes[0]) == list(range(1, n + 1))
    assert plan.total_km == pytest.approx(_brute_force(matrix), rel=1e-12, abs=1e-9)
    assert route_length(matrix, held_karp(matrix)) == pytest.approx(plan.total_km)
    # The proven optimum is never longer than the naive order it is compared with.
    assert plan.saving_km >= -1e-9


def _check_plan(problem: RouteProblem, routes: list[list[int]]) -> None:
    assert sorted(s for r in routes for s in r) == list(range(1, problem.stops + 1))
    assert sum(1 for r in routes if r) <= problem.vehicles
    for route in routes:
        if problem.capacity is not None:
            assert problem.route_units(route) <= problem.capacity
        if problem.max_route_km is not None:
            assert route_length(problem.matrix, route) <= problem.max_route_km + 1e-6


@st.composite
def _fleet_instances(draw: st.DrawFn) -> dict:
    n = draw(st.integers(3, 25))
    seed = draw(st.integers(0, 10_000))
    matrix = _matrix(seed, n)
    demands = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    capacity = draw(st.integers(max(30, max(demands)), 120))
    kwargs: dict = {"demands": demands, "capacity": capacity}
    if draw(st.booleans()):
        # Long enough for any single stop's round trip, so a plan exists with enough trucks.
        longest = float((matrix[0, 1:] + matrix[1:, 0]).max())
        kwargs["max_route_km"] = longest * draw(st.floats(1.0, 3.0))
        kwargs["vehicles"] = n
    else:
        kwargs["vehicles"] = -(-sum(demands) // capacity) + draw(st.integers(0, 3)) or 1
    kwargs["fleet"] = draw(st.sampled_from(["fixed", "fewest"]))
    return {"matrix": matrix, **kwargs}


@_FAST
@given(case=_fleet_instances(), method=st.sampled_from(["auto", "ortools"]))
def test_fleet_plans_are_feasible(case: dict, method: str) -> None:
    matrix = case.pop("matrix")
    plan = solve_routes(matrix, time_limit_seconds=0.15, method=method, **case)
    problem = RouteProblem.build(matrix, **case)
    _check_plan(problem, plan.routes)
    assert plan.total_km == pytest.approx(sum(route_length(matrix, r) for r in plan.routes))
    naive = nearest_neighbour_routes(problem)
    assert sorted(s for r in naive for s in r) == list(range(1, problem.stops + 1))
    for route in naive:  # the naive order obeys the same truck limits (its fleet may be larger)
        assert problem.capacity is None or problem.route_units(route) <= problem.capacity
        assert (
            problem.max_route_km is None
            or route_length(matrix, route) <= problem.max_route_km + 1e-6
        )
    assert plan.naive_km == pytest.approx(sum(route_length(matrix, r) for r in naive))


def test_long_single_tour_uses_fast_tsp_and_beats_the_naive_order() -> None:
    matrix = _matrix(5, 60)
    plan = solve_routes(matrix, time_limit_seconds=0.3)
    assert plan.method == "fast_tsp" and sorted(plan.routes[0]) == list(range(1, 61))
    assert plan.total_km <= plan.naive_km
    assert plan.saving_share is not None and plan.saving_share >= 0


def test_fewest_uses_no_more_trucks_than_the_capacity_needs_plus_slack() -> None:
    matrix = _matrix(9, 30)
    plan = solve_routes(
        matrix, demands=[10] * 30, vehicles=10, capacity=100, fleet="fewest", time_limit_seconds=0.3
    )
    assert plan.vehicles_used == 3


def test_infeasible_stops_are_refused_by_name() -> None:
    matrix = _matrix(3, 4)
    names = ["SO-1", "SO-2", "SO-3", "SO-4"]
    with pytest.raises(ToolError, match=r"SO-2 \(80 units\)") as too_big:
        solve_routes(matrix, demands=[10, 80, 1, 1], vehicles=4, capacity=50, stop_names=names)
    assert too_big.value.fields["stops"] == ["SO-2"]
    far = matrix.copy()
    far[0, 3] = far[3, 0] = 500.0
    with pytest.raises(ToolError, match=r"SO-3 \(1000.0 km round trip\)"):
        solve_routes(far, vehicles=4, max_route_km=300, stop_names=names)
    with pytest.raises(ToolError, match="at least 3 vehicles"):
        solve_routes(matrix, demands=[30, 30, 30, 30], vehicles=2, capacity=50)
    with pytest.raises(ToolError, match="One vehicle cannot deliver"):
        solve_routes(matrix, max_route_km=float(matrix[0, 1:].max()) * 2 + 1e-3)


def test_bad_arguments_are_refused() -> None:
    matrix = _matrix(1, 3)
    with pytest.raises(ToolArgumentError, match="fleet"):
        solve_routes(matrix, fleet="some")
    with pytest.raises(ToolArgumentError, match="Unknown routing method"):
        solve_routes(matrix, method="magic")
    with pytest.raises(ToolArgumentError, match="one tour"):
        solve_routes(matrix, vehicles=2, capacity=2, method="fast_tsp")
    with pytest.raises(ToolArgumentError):
        max_route_km_for_shift(0, 40)
    assert max_route_km_for_shift(8, 35) == 280


def test_route_answer_carries_the_saving_and_the_distance_basis() -> None:
    rng = np.random.default_rng(21)
    depot = {"warehouse_id": "W1", "warehouse_name": "Depot", "latitude": 40.0, "longitude": -74.0}
    stops = pd.DataFrame(
        {
            "order_id": [f"SO-{i}" for i in range(20)],
            "latitude": 40 + rng.random(20) - 0.5,
            "longitude": -74 + rng.random(20) - 0.5,
            "units": rng.integers(1, 10, 20),
        }
    )
    frame, summary = lg.optimize_delivery_route(
        depot, stops, vehicles=3, vehicle_capacity=60, shift_hours=8, time_limit_seconds=0.2
    )
    assert summary["max_route_km"] == 8 * lg.DEFAULT_AVERAGE_SPEED_KMH
    assert summary["nearest_neighbour_km"] == pytest.approx(
        summary["total_km"] + summary["saving_km"], abs=2e-3
    )
    assert "great-circle" in summary["distance_basis"]
    for _, rows in frame.groupby("vehicle"):  # cumulative km adds up the legs, per vehicle
        assert rows["cumulative_km"].iloc[-1] == pytest.approx(rows["leg_km"].sum(), abs=5e-3)
    sentence = rp.saving_sentence(summary)
    assert rp.format_km(summary["nearest_neighbour_km"]) in sentence


def test_cli_route_answer_states_the_saving(sample_home: Path) -> None:
    from workbench.cli import _register, cli

    _register()
    args = ["--home", str(sample_home), "ask", "optimize today's delivery route from WH-EAST"]
    args += ["-p", "field_engineer", "--as-of", "2026-06-30"]
    text = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert text.exit_code == 0, text.output
    assert "nearest stop next" in text.output or "nearest-neighbour order" in text.output
    assert "great-circle" in text.output
    payload = json.loads(
        CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False).output
    )
    assert "nearest stop next" in payload["answer"] or "nearest-neighbour" in payload["answer"]


def test_fixed_seed_gives_the_same_fleet_plan_for_the_same_input() -> None:
    matrix = _matrix(17, 9)
    kwargs = {"demands": [3] * 9, "vehicles": 3, "capacity": 10, "time_limit_seconds": 0.2}
    first, second = solve_routes(matrix, **kwargs), solve_routes(matrix, **kwargs)
    assert first.method == "pyvrp" and first.routes == second.routes


def test_route_plan_is_drawn_as_a_map() -> None:
    from workbench.agents.answer import ChartSpec
    from workbench.ui.charts import choose_chart, render_chart

    rng = np.random.default_rng(4)
    depot = {"warehouse_id": "W1", "latitude": 40.0, "longitude": -74.0}
    stops = pd.DataFrame(
        {
            "order_id": [f"SO-{i}" for i in range(12)],
            "latitude": 40 + rng.random(12) - 0.5,
            "longitude": -74 + rng.random(12) - 0.5,
            "units": [5] * 12,
        }
    )
    frame, _ = lg.optimize_delivery_route(
        depot, stops, vehicles=2, vehicle_capacity=30, time_limit_seconds=0.1
    )
    choice = choose_chart(frame, ChartSpec("route", "longitude", ("latitude",), "Route"))
    assert choice.kind == "route"
    png = render_chart(frame, choice)
    assert png is not None and png.startswith(b"\x89PNG")
