"""Every plan of the question set renders to SQL that Redshift and Athena (Trino) accept.

The offline planner plans each gold question, our compiler renders the plan per dialect,
and sqlglot must parse it back in that dialect. Then the same ASTs run through the offline
Redshift Data API and Athena adapters (see tests/aws/stack.py) and must return the rows
DuckDB returns.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlglot

from tests.conftest import AS_OF
from tests.questions.compare import load_questions
from workbench.semantic.compiler import PlanCompiler
from workbench.semantic.planner.offline import OfflinePlanner
from workbench.warehouse.duckdb import DuckDBWarehouse

QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> Iterator[DuckDBWarehouse]:
    wh = DuckDBWarehouse(sample_home / "data" / "warehouse.duckdb", row_limit=5000)
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def compiled(duck: DuckDBWarehouse) -> dict[str, Any]:
    planner = OfflinePlanner.for_warehouse(duck)
    compiler = PlanCompiler(planner.model)
    out: dict[str, Any] = {}
    for q in QUESTIONS:
        plan = planner.plan(q.question, persona=q.persona, as_of=AS_OF)
        out[q.id] = compiler.compile(plan).ast
    return out


def test_the_question_set_is_there() -> None:
    assert len(QUESTIONS) >= 30


@pytest.mark.parametrize("dialect", ["redshift", "trino", "athena"])
def test_every_plan_parses_in_the_dialect(compiled: dict[str, Any], dialect: str) -> None:
    failures = []
    for qid, ast in compiled.items():
        sql = ast.sql(dialect=dialect)
        try:
            parsed = sqlglot.parse(sql, read=dialect)
        except sqlglot.errors.ParseError as exc:
            failures.append(f"{qid}: {exc}")
            continue
        if len(parsed) != 1 or parsed[0] is None:
            failures.append(f"{qid}: {len(parsed)} statements")
    assert not failures, "\n".join(failures)


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    def norm(v: Any) -> Any:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat() if v == v.normalize() else v.isoformat()
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float):
            return round(v, 4)
        return v

    return [tuple(norm(v) for v in row) for row in frame.itertuples(index=False, name=None)]


@pytest.fixture(scope="module")
def stack(sample_home: Path) -> Iterator[Any]:
    from tests.aws.stack import offline_aws

    with offline_aws(sample_home, page_size=500) as s:
        yield s


@pytest.mark.parametrize("backend", ["redshift", "athena"])
def test_plans_return_the_same_rows_on_the_aws_backends(
    backend: str, compiled: dict[str, Any], duck: DuckDBWarehouse, stack: Any
) -> None:
    from workbench.warehouse.athena import AthenaWarehouse
    from workbench.warehouse.redshift import RedshiftServerlessWarehouse

    wh = (
        RedshiftServerlessWarehouse.from_settings(stack.settings)
        if backend == "redshift"
        else AthenaWarehouse.from_settings(stack.settings)
    )
    mismatches = []
    # Redshift runs every question; Athena (slower offline: awswrangler reads each result
    # file from S3) every third, which still covers each question file and plan kind.
    questions = QUESTIONS if backend == "redshift" else QUESTIONS[::3]
    for q in questions:
        ast = compiled[q.id]
        expected = _rows(duck.execute(ast, row_limit=5000).frame)
        got = _rows(wh.execute(ast, row_limit=5000).frame)
        if q.compare != "ordered":
            expected, got = sorted(expected, key=repr), sorted(got, key=repr)
        if got != expected:
            mismatches.append(
                f"{q.id}: {ast.sql(dialect=wh.dialect)[:300]}\n  duckdb {expected[:3]}\n  {backend} {got[:3]}"
            )
    assert not mismatches, f"{len(mismatches)}/{len(questions)} differ:\n" + "\n".join(mismatches)
