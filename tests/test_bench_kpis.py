"""The KPI benchmark stays runnable: DuckDB SQL and pandas agree on the sample data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.bench_kpis import KPIS, assert_same, run_scale


def test_every_kpi_agrees_on_sample_data(
    sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = run_scale("small", sample_home / "data" / "warehouse.duckdb", repeats=1)
    assert [r["kpi"] for r in figures["kpis"]] == [k.name for k in KPIS]
    assert len(KPIS) >= 20
    assert all(
        r["result_rows"] > 0 and r["duckdb_ms"] > 0 and r["pandas_ms"] > 0 for r in figures["kpis"]
    )
    assert "supplier_score" in capsys.readouterr().out


def test_assert_same_detects_differences() -> None:
    a = pd.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0]})
    assert_same("same", a, a.iloc[::-1], ("k",))  # order does not matter
    with pytest.raises(AssertionError, match="column v differs"):
        assert_same("diff", a, a.assign(v=[1.0, 2.001]), ("k",))
    with pytest.raises(AssertionError, match="rows"):
        assert_same("rows", a, a.iloc[:1], ("k",))
    with pytest.raises(AssertionError, match="empty"):
        assert_same("empty", a.iloc[:0], a.iloc[:0], ("k",))
