"""Analyst SQL that passes the guard but would take the host: bounded by the sandbox worker.

Each query of tests/data/heavy_queries.yaml runs through ``Workbench.sql`` (a worker process
with an address-space cap, DuckDB's memory_limit and threads, killed on timeout) and must
stop with a clear error of the kind it lists; the next query still works. No wall time is
asserted here: ``python -m benchmarks bounded`` prints the times and peak memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.app import Workbench
from workbench.core.errors import QueryError, QueryTimeoutError, WorkbenchError

HEAVY = yaml.safe_load(
    (Path(__file__).parent / "data" / "heavy_queries.yaml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def bounded(sample_home: Path) -> Any:
    wb = Workbench(home=sample_home, config={"warehouse": {"timeout_seconds": 3}})
    yield wb
    wb.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", HEAVY, ids=lambda c: c["id"])
def test_a_heavy_query_stops_with_a_clear_error(bounded: Any, case: dict[str, Any]) -> None:
    with pytest.raises(WorkbenchError) as caught:
        bounded.sql(case["sql"])
    err = caught.value
    if isinstance(err, QueryTimeoutError):
        kind = "timeout"
    elif isinstance(err, QueryError) and err.fields.get("reason") == "memory":
        kind = "memory"
    else:
        kind = "error"
    assert kind in case["stops"], (kind, err.message)
    assert err.message and len(err.message) < 400
    # The worker is replaced: the next query answers.
    assert int(bounded.sql("SELECT count(*) AS n FROM product")["n"].iloc[0]) > 0
