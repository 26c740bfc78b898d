"""The compiler: plans -> SQL ASTs for DuckDB, Redshift and Athena, with snapshot files.

Set WORKBENCH_UPDATE_SNAPSHOTS=1 to rewrite tests/snapshots/ after an intended change.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from tests.questions.compare import load_questions
from workbench.data.schema import Persona
from workbench.semantic.compiler import DIALECTS, PlanCompiler, PlanError
from workbench.semantic.plan import Filter, Ordering, QueryPlan
from workbench.semantic.time import parse_time_window

AS_OF = date(2026, 6, 30)
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("WORKBENCH_UPDATE_SNAPSHOTS") == "1"
QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def compiler() -> PlanCompiler:
    return PlanCompiler()


@pytest.fixture(scope="module")
def plans(workbench) -> dict[str, QueryPlan]:  # type: ignore[no-untyped-def]
    out = {}
    for q in QUESTIONS:
        persona = Persona.parse(q.persona)
        out[q.id] = workbench.sql_agent(persona).planner.plan(
            q.question, persona=persona, as_of=AS_OF
        )
    return out


@pytest.mark.parametrize("dialect", DIALECTS)
def test_snapshots_of_every_question_plan(
    plans: dict[str, QueryPlan], compiler: PlanCompiler, dialect: str
) -> None:
    mismatched = []
    for qid, plan in sorted(plans.items()):
        sql = compiler.compile(plan).sql(dialect, pretty=True) + "\n"
        # Every rendered query parses in its own dialect.
        parsed = sqlglot.parse_one(sql, read=dialect)
        assert parsed is not None
        path = SNAPSHOTS / dialect / f"{qid}.sql"
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sql, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != sql:
            mismatched.append(qid)
    assert not mismatched, (
        f"SQL changed for {mismatched[:10]} ({dialect}); rerun with WORKBENCH_UPDATE_SNAPSHOTS=1 if intended"
    )


def test_no_stale_snapshots() -> None:
    ids = {q.id for q in QUESTIONS}
    stale = [p.name for d in DIALECTS for p in (SNAPSHOTS / d).glob("*.sql") if p.stem not in ids]
    assert not stale


def test_dialect_specific_rendering(compiler: PlanCompiler) -> None:
    plan = QueryPlan(
        metrics=("fulfilment_time", "on_time_delivery_rate"), dimensions=("month",), as_of=AS_OF
    )
    compiled = compiler.compile(plan)
    assert "DATE_DIFF('DAY'" in compiled.sql("duckdb")
    assert "DATEDIFF(DAY" in compiled.sql("redshift")
    assert "DOUBLE PRECISION" in compiled.sql("redshift")
    assert "DATE_TRUNC('MONTH'" in compiled.sql("athena")


def test_window_shared_by_all_measures_goes_to_where(compiler: PlanCompiler) -> None:
    plan = QueryPlan(
        metrics=("revenue", "units_sold"),
        time_window=parse_time_window("last month", AS_OF),
        as_of=AS_OF,
    )
    sql = compiler.compile(plan).sql()
    assert (
        "WHERE sales_order_header.status <> 'CANCELLED' AND sales_order_header.order_date BETWEEN"
        in sql
    )
    assert "CASE" not in sql


def test_measures_with_different_filters_use_case_when(compiler: PlanCompiler) -> None:
    plan = QueryPlan(
        metrics=("open_orders", "overdue_orders", "cancelled_orders"),
        dimensions=("warehouse",),
        as_of=AS_OF,
    )
    sql = compiler.compile(plan).sql()
    assert sql.count("CASE WHEN") == 3
    assert "2026-06-30" in sql  # overdue is relative to the as-of date


def test_metric_across_sources_joins_aggregates_on_keys(compiler: PlanCompiler) -> None:
    compiled = compiler.compile(
        QueryPlan(metrics=("supplier_score",), dimensions=("supplier",), as_of=AS_OF)
    )
    sql = compiled.sql()
    assert "FULL OUTER JOIN m_purchases USING (supplier_id, supplier_name)" in sql
    assert compiled.tables == {
        "purchase_order_header",
        "purchase_order_line",
        "product",
        "supplier",
    }
    assert compiled.columns == ("supplier_id", "supplier_name", "supplier_score")


def test_product_filter_on_orders_is_a_semi_join(compiler: PlanCompiler) -> None:
    plan = QueryPlan(
        metrics=("open_orders",), filters=(Filter("category", "in", ("Plumbing",)),), as_of=AS_OF
    )
    sql = compiler.compile(plan).sql()
    assert (
        "sales_order_header.order_id IN (SELECT sales_order_line.order_id FROM sales_order_line JOIN product"
        in sql
    )


def test_days_of_cover_joins_30_day_demand(compiler: PlanCompiler) -> None:
    sql = compiler.compile(QueryPlan(metrics=("days_of_cover",), as_of=AS_OF)).sql()
    assert (
        "LEFT JOIN (SELECT" in sql
        and "BETWEEN CAST('2026-06-01' AS DATE) AND CAST('2026-06-30' AS DATE)" in sql
    )


def test_values_are_literals_never_sql(workbench, compiler: PlanCompiler) -> None:  # type: ignore[no-untyped-def]
    evil = "x'); DROP TABLE product; --"
    plan = QueryPlan(
        kind="listing", listing="orders", filters=(Filter("customer", "in", (evil,)),), as_of=AS_OF
    )
    sql = compiler.compile(plan).sql()
    assert "'x''); DROP TABLE product; --'" in sql
    assert len(sqlglot.parse(sql, read="duckdb")) == 1
    assert workbench.warehouse.query(sql).empty


def test_invalid_plans_are_refused_with_reasons(compiler: PlanCompiler) -> None:
    with pytest.raises(PlanError, match="unknown metric 'profit'"):
        compiler.compile(QueryPlan(metrics=("profit",), as_of=AS_OF))
    with pytest.raises(PlanError, match="broken down by supplier"):
        compiler.compile(QueryPlan(metrics=("revenue",), dimensions=("supplier",), as_of=AS_OF))
    with pytest.raises(PlanError, match="no dates"):
        compiler.compile(QueryPlan(metrics=("on_hand",), dimensions=("month",), as_of=AS_OF))
    with pytest.raises(PlanError, match="sort"):
        compiler.compile(
            QueryPlan(metrics=("revenue",), order_by=(Ordering("spend"),), as_of=AS_OF)
        )


def test_compiled_plans_are_cached(compiler: PlanCompiler) -> None:
    plan = QueryPlan(metrics=("revenue",), as_of=AS_OF, question="a")
    assert compiler.compile(plan) is compiler.compile(plan.with_(question="b"))
