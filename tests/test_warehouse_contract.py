"""The warehouse contract: every backend answers the same SQL with the same rows and dtypes.

Parametrized over DuckDB (the sample file), Redshift Serverless (Data API) and Athena
(awswrangler over Glue/S3). The AWS backends run offline on moto patched by
:mod:`tests.aws.moto_duckdb`: the sample data is loaded into them by the real loader,
statements run asynchronously (polling, cancel), Redshift results come in small pages
(``NextToken``), and Athena results are read from the CSV file in S3 like on AWS.
Expected values come from the sample DuckDB file itself.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import sqlglot

from tests.conftest import AS_OF, SAMPLE_SCALE, SAMPLE_SEED
from workbench.core.errors import QueryError, QueryTimeoutError
from workbench.data.schema import DATA_TABLES
from workbench.warehouse.base import Warehouse

BACKENDS = ["duckdb", "redshift", "athena"]
SLOW_SQL = "SELECT COUNT(*) AS n FROM sales_order_line a CROSS JOIN sales_order_line b CROSS JOIN product c WHERE (a.quantity * 7 + b.quantity * 13 + c.lead_time_days) % 1000003 = 1"


@dataclass
class Backend:
    warehouse: Warehouse
    reload: Callable[[], None]
    after_timeout: Callable[[], None] = lambda: None


@pytest.fixture(scope="module")
def contract_home(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample home (the DuckDB backend's reload rewrites it)."""
    home = tmp_path_factory.mktemp("contract_home")
    shutil.copytree(sample_home, home, dirs_exist_ok=True)
    return home


@pytest.fixture(scope="module")
def reference(contract_home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A direct connection to a snapshot of the sample data: the source of expected values."""
    snapshot = contract_home.parent / "contract_reference.duckdb"
    shutil.copyfile(contract_home / "data" / "warehouse.duckdb", snapshot)
    con = duckdb.connect(str(snapshot), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def stack(contract_home: Path) -> Iterator[Any]:
    from tests.aws.stack import offline_aws

    # Seven rows a page: every multi-row Redshift result crosses several NextToken pages.
    with offline_aws(contract_home, page_size=7) as s:
        yield s


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, contract_home: Path) -> Iterator[Backend]:
    name = request.param
    if name == "duckdb":
        from workbench.data.generator import generate
        from workbench.warehouse.duckdb import DuckDBWarehouse

        db = contract_home / "data" / "warehouse.duckdb"
        wh = DuckDBWarehouse(db, row_limit=1000, timeout=20)

        def reload() -> None:
            generate(contract_home, scale=SAMPLE_SCALE, seed=SAMPLE_SEED, end_date=AS_OF)

        yield Backend(wh, reload)
        wh.close()
        return
    stack = request.getfixturevalue("stack")
    if name == "redshift":
        from workbench.warehouse.redshift import RedshiftServerlessWarehouse

        rs = RedshiftServerlessWarehouse.from_settings(stack.settings)

        def after_timeout() -> None:
            statuses = [st.job.status for st in stack.redshift.statements.values()]
            assert "ABORTED" in statuses, (
                "the timed-out statement was not cancelled on the workgroup"
            )

        yield Backend(rs, lambda: stack.load("redshift"), after_timeout)
        rs.close()
        return
    from workbench.warehouse.athena import AthenaWarehouse

    ath = AthenaWarehouse.from_settings(stack.settings)

    def athena_after_timeout() -> None:
        assert any(job.status == "ABORTED" for job in stack.athena.jobs.values()), (
            "the timed-out query was not stopped"
        )

    yield Backend(ath, lambda: stack.load("athena"), athena_after_timeout)
    ath.close()


def _ref(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as plain Python values with floats rounded, NULLs as None (backend-neutral)."""

    def norm(v: Any) -> Any:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime().replace(tzinfo=None)
        if hasattr(v, "item"):
            v = v.item()
        return round(v, 6) if isinstance(v, float) else v

    return [tuple(norm(v) for v in row) for row in frame.itertuples(index=False, name=None)]


# -- the contract ---------------------------------------------------------------------------
def test_simple_select_values_and_dtypes(
    backend: Backend, reference: duckdb.DuckDBPyConnection
) -> None:
    sql = "SELECT product_id, product_name, unit_cost, lead_time_days, is_active FROM product ORDER BY product_id LIMIT 25"
    result = backend.warehouse.execute(sql)
    frame = result.frame
    assert list(frame.columns) == [
        "product_id",
        "product_name",
        "unit_cost",
        "lead_time_days",
        "is_active",
    ]
    assert _records(frame) == _records(_ref(reference, sql))
    assert pd.api.types.is_string_dtype(frame["product_id"])
    assert pd.api.types.is_float_dtype(frame["unit_cost"])  # DECIMAL arrives as float64 everywhere
    assert pd.api.types.is_integer_dtype(frame["lead_time_days"])
    assert pd.api.types.is_bool_dtype(frame["is_active"])
    assert (
        result.backend == backend.warehouse.name and result.duration_ms > 0 and not result.truncated
    )


def test_aggregates_match_reference(backend: Backend, reference: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "SELECT h.status, COUNT(*) AS lines, SUM(l.quantity) AS units, SUM(l.line_total) AS revenue, AVG(l.unit_price) AS avg_price "
        "FROM sales_order_line l JOIN sales_order_header h ON h.order_id = l.order_id GROUP BY h.status ORDER BY h.status"
    )
    frame = backend.warehouse.execute(sql).frame
    expected = _ref(reference, sql)
    assert _records(frame[["status", "lines", "units"]]) == _records(
        expected[["status", "lines", "units"]]
    )
    assert frame["revenue"].round(2).tolist() == expected["revenue"].round(2).tolist()
    assert frame["avg_price"].tolist() == pytest.approx(expected["avg_price"].tolist(), rel=1e-9)
    assert pd.api.types.is_integer_dtype(frame["lines"])


def test_dates_and_date_arithmetic(backend: Backend, reference: duckdb.DuckDBPyConnection) -> None:
    bounds = (
        "SELECT MIN(order_date) AS first_day, MAX(order_date) AS last_day FROM sales_order_header"
    )
    frame = backend.warehouse.execute(bounds).frame
    assert pd.api.types.is_datetime64_any_dtype(frame["first_day"])
    assert _records(frame) == _records(_ref(reference, bounds))
    assert frame["last_day"].iloc[0].date() <= AS_OF
    # The last 30 days, as the compiler builds it: an AST each adapter renders in its own dialect.
    window = sqlglot.parse_one(
        "SELECT COUNT(*) AS orders FROM sales_order_header "
        f"WHERE order_date BETWEEN CAST('{AS_OF}' AS DATE) - INTERVAL '29' DAY AND CAST('{AS_OF}' AS DATE)",
        read="duckdb",
    )
    got = backend.warehouse.execute(window).frame
    assert (
        int(got["orders"].iloc[0]) == int(reference.execute(window.sql("duckdb")).fetchone()[0]) > 0
    )


def test_decimals_keep_cents(backend: Backend, reference: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT SUM(line_total) AS spend, SUM(quantity_ordered * unit_cost) AS recomputed FROM purchase_order_line"
    frame = backend.warehouse.execute(sql).frame
    expected = reference.execute(sql).fetchone()
    assert round(float(frame["spend"].iloc[0]), 2) == float(expected[0])
    assert round(float(frame["recomputed"].iloc[0]), 2) == float(expected[1])


def test_nulls_come_back_as_missing(backend: Backend, reference: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT order_id, status, delivery_date FROM sales_order_header WHERE delivery_date IS NULL ORDER BY order_id LIMIT 5"
    frame = backend.warehouse.execute(sql).frame
    assert len(frame) == 5
    assert frame["delivery_date"].isna().all()
    assert pd.api.types.is_datetime64_any_dtype(frame["delivery_date"])
    assert _records(frame) == _records(_ref(reference, sql))
    count = "SELECT COUNT(*) - COUNT(ship_date) AS unshipped FROM sales_order_header"
    assert (
        int(backend.warehouse.execute(count).frame.iloc[0, 0])
        == int(reference.execute(count).fetchone()[0])
        > 0
    )


def test_empty_result_keeps_columns(backend: Backend) -> None:
    frame = backend.warehouse.execute(
        "SELECT order_id, order_date FROM sales_order_header WHERE 1 = 0"
    ).frame
    assert list(frame.columns) == ["order_id", "order_date"]
    assert len(frame) == 0


def test_row_limit_truncates(backend: Backend) -> None:
    sql = "SELECT order_id FROM sales_order_header ORDER BY order_id LIMIT 40"
    cut = backend.warehouse.execute(sql, row_limit=10)
    assert len(cut.frame) == 10 and cut.truncated
    assert cut.frame["order_id"].tolist() == sorted(cut.frame["order_id"].tolist())
    whole = backend.warehouse.execute(sql, row_limit=40)
    assert len(whole.frame) == 40 and not whole.truncated
    assert whole.frame["order_id"].tolist()[:10] == cut.frame["order_id"].tolist()


def test_errors_surface_as_query_error(backend: Backend) -> None:
    with pytest.raises(QueryError) as info:
        backend.warehouse.execute("SELECT no_such_column FROM product")
    assert not isinstance(info.value, QueryTimeoutError)
    assert "no_such_column" in (info.value.detail or "")
    # The warehouse stays usable after a failed query.
    assert len(backend.warehouse.execute("SELECT product_id FROM product LIMIT 1").frame) == 1


def test_timeout_cancels_and_raises(backend: Backend) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        backend.warehouse.execute(SLOW_SQL, timeout=0.5)
    assert time.monotonic() - started < 15
    backend.after_timeout()
    assert len(backend.warehouse.execute("SELECT warehouse_id FROM warehouse").frame) >= 1


def test_tables_lists_the_data_tables(backend: Backend) -> None:
    tables = {t.name: t for t in backend.warehouse.tables()}
    assert set(tables) >= DATA_TABLES
    product_columns = [c.name for c in tables["product"].columns]
    assert product_columns[:3] == ["product_id", "product_name", "category"]
    assert tables["product"].description
    assert any(c.description for c in tables["sales_order_header"].columns)


def test_data_version_stable_then_changes_after_reload(backend: Backend) -> None:
    first = backend.warehouse.data_version()
    assert first == backend.warehouse.data_version()
    backend.reload()
    getattr(backend.warehouse, "invalidate", lambda: None)()
    second = backend.warehouse.data_version()
    assert second != first
    assert second == backend.warehouse.data_version()
    assert len(backend.warehouse.execute("SELECT product_id FROM product").frame) > 0
