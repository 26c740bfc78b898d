"""The embedded DuckDB warehouse: results, row limits, timeouts, introspection, errors, registry."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlglot import exp

from workbench.core.config import load_settings
from workbench.core.errors import ConfigError, DataNotFoundError, QueryError, QueryTimeoutError
from workbench.data.generator import generate
from workbench.data.schema import DATA_TABLES, TABLES_BY_NAME
from workbench.warehouse import (
    QueryResult,
    Warehouse,
    available_warehouses,
    create_warehouse,
    register_warehouse,
)
from workbench.warehouse import base as warehouse_base
from workbench.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(scope="module")
def wh(sample_home: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(
        sample_home / "data" / "warehouse.duckdb", row_limit=1_000, timeout=30
    )
    yield warehouse
    warehouse.close()


def test_is_a_warehouse(wh: DuckDBWarehouse) -> None:
    assert isinstance(wh, Warehouse)
    assert wh.name == "duckdb" and wh.dialect == "duckdb"


def test_execute_returns_frame_and_facts(wh: DuckDBWarehouse) -> None:
    result = wh.execute("SELECT warehouse_id, capacity_units FROM warehouse ORDER BY warehouse_id")
    assert isinstance(result, QueryResult)
    assert list(result.frame.columns) == ["warehouse_id", "capacity_units"]
    assert list(result.frame["warehouse_id"]) == ["WH-CENTRAL", "WH-EAST", "WH-WEST"]
    assert result.backend == "duckdb"
    assert result.duration_ms > 0
    assert result.truncated is False
    assert "FROM warehouse" in result.sql


def test_query_accepts_an_ast(wh: DuckDBWarehouse) -> None:
    tree = (
        exp.select(exp.Count(this=exp.Star()).as_("n"))
        .from_("product")
        .where(exp.column("is_active").eq(exp.true()))
    )
    frame = wh.query(tree)
    assert isinstance(frame, pd.DataFrame)
    assert 0 < int(frame.loc[0, "n"]) <= 240


def test_types_are_pandas_friendly(wh: DuckDBWarehouse) -> None:
    frame = wh.query("SELECT unit_cost, lead_time_days, is_active FROM product LIMIT 3")
    assert frame["unit_cost"].dtype.kind == "f"  # DECIMAL comes back as float
    assert frame["lead_time_days"].dtype.kind == "i"
    assert frame["is_active"].dtype == bool


def test_row_limit_and_truncated_flag(wh: DuckDBWarehouse) -> None:
    total = int(wh.query("SELECT count(*) AS n FROM product").loc[0, "n"])
    cut = wh.execute("SELECT product_id FROM product ORDER BY product_id DESC", row_limit=5)
    assert len(cut.frame) == 5 and cut.truncated is True
    # the cut keeps the query's order: the first five of the ordered result
    full = wh.execute("SELECT product_id FROM product ORDER BY product_id DESC", row_limit=total)
    assert full.truncated is False and len(full.frame) == total
    assert list(cut.frame["product_id"]) == list(full.frame["product_id"][:5])
    exact = wh.execute("SELECT product_id FROM product", row_limit=total + 1)
    assert exact.truncated is False


def test_default_row_limit_applies(sample_home: Path) -> None:
    small = DuckDBWarehouse(sample_home / "data" / "warehouse.duckdb", row_limit=7)
    try:
        result = small.execute("SELECT * FROM sales_order_line")
        assert len(result.frame) == 7 and result.truncated
    finally:
        small.close()


def test_timeout_stops_a_slow_query(wh: DuckDBWarehouse) -> None:
    slow = (
        "SELECT sum(a.quantity * b.quantity * c.quantity) FROM sales_order_line a, "
        "sales_order_line b, sales_order_line c"
    )
    start = time.perf_counter()
    with pytest.raises(QueryTimeoutError) as err:
        wh.execute(slow, timeout=0.2)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"the interrupt took {elapsed:.1f}s"
    assert "0.2 seconds" in err.value.message
    assert err.value.hint  # tells the user what to do
    assert err.value.retryable is False
    # the connection is still usable afterwards
    assert int(wh.query("SELECT count(*) AS n FROM warehouse").loc[0, "n"]) == 3


def test_fast_query_not_interrupted_later(wh: DuckDBWarehouse) -> None:
    """A timer armed for one query never interrupts the next one."""
    for _ in range(5):
        wh.execute("SELECT 1 AS x", timeout=0.05)
    time.sleep(0.1)
    assert wh.query("SELECT count(*) AS n FROM sales_order_line").loc[0, "n"] > 0


def test_query_error_names_the_problem(wh: DuckDBWarehouse) -> None:
    with pytest.raises(QueryError) as err:
        wh.execute("SELECT no_such_column FROM product")
    assert not isinstance(err.value, QueryTimeoutError)
    assert "no_such_column" in (err.value.hint or "")
    assert "no_such_column" in (err.value.detail or "")
    assert err.value.message == "The warehouse could not run this query."


def test_tables_with_descriptions_and_counts(wh: DuckDBWarehouse) -> None:
    tables = wh.tables()
    names = [t.name for t in tables]
    assert names == sorted(DATA_TABLES)  # bookkeeping tables (workbench_load) are not listed
    for info in tables:
        spec = TABLES_BY_NAME[info.name]
        assert info.description == spec.description
        assert [c.name for c in info.columns] == list(spec.column_names)
        assert all(c.description for c in info.columns)
        assert info.row_count and info.row_count > 0
    product = next(t for t in tables if t.name == "product")
    types = {c.name: c.type for c in product.columns}
    assert types["unit_cost"] == "DECIMAL(12,2)" and types["lead_time_days"] == "INTEGER"


def test_concurrent_queries(wh: DuckDBWarehouse) -> None:
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(
                int(wh.query("SELECT count(*) AS n FROM sales_order_header").loc[0, "n"])
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1 and len(results) == 6


def test_missing_data_says_how_to_make_it(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "data" / "warehouse.duckdb")
    with pytest.raises(DataNotFoundError) as err:
        wh.query("SELECT 1")
    assert "workbench data generate" in (err.value.hint or "")
    assert err.value.to_dict()["path"].endswith("warehouse.duckdb")


def test_reconnects_when_the_file_is_replaced(sample_home: Path, tmp_path: Path) -> None:
    db = tmp_path / "data" / "warehouse.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copy(sample_home / "data" / "warehouse.duckdb", db)
    wh = DuckDBWarehouse(db)
    try:
        before = int(wh.query("SELECT count(*) AS n FROM product").loc[0, "n"])
        generate(tmp_path, scale="tiny", seed=7)  # atomically swaps in a different file
        after = int(wh.query("SELECT count(*) AS n FROM product").loc[0, "n"])
        assert before == 240 and after == 80
    finally:
        wh.close()


# -- registry ---------------------------------------------------------------------------------
def test_registry_lists_builtin_backends() -> None:
    assert {"duckdb", "redshift", "athena"} <= set(available_warehouses())


def test_create_from_settings(sample_home: Path) -> None:
    settings = load_settings(
        {"warehouse": {"row_limit": 12, "timeout_seconds": 4}}, home=sample_home
    )
    wh = create_warehouse(settings)
    try:
        assert isinstance(wh, DuckDBWarehouse)
        assert wh.path == settings.duckdb_path and wh.row_limit == 12 and wh.timeout == 4
        assert len(wh.query("SELECT * FROM sales_order_line")) == 12
    finally:
        wh.close()


def test_unknown_backend_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    # Settings validation already refuses unknown names; a plugin-less copy reaches the registry.
    bogus = settings.model_copy(
        update={"warehouse": settings.warehouse.model_copy(update={"backend": "oracle"})}
    )
    with pytest.raises(ConfigError) as err:
        create_warehouse(bogus)
    assert err.value.fields["key"] == "warehouse.backend"
    assert "duckdb" in str(err.value) and "oracle" in str(err.value)


def test_register_a_plugin_backend(tmp_path: Path, sample_home: Path) -> None:
    made: list[str] = []

    @register_warehouse("duckdb-copy")
    def factory(settings):  # type: ignore[no-untyped-def]
        made.append(str(settings.home))
        return DuckDBWarehouse(sample_home / "data" / "warehouse.duckdb")

    try:
        settings = load_settings(home=tmp_path)
        custom = settings.model_copy(
            update={"warehouse": settings.warehouse.model_copy(update={"backend": "duckdb-copy"})}
        )
        wh = create_warehouse(custom)
        assert made == [str(tmp_path.resolve())]
        assert "duckdb-copy" in available_warehouses()
        wh.close()
    finally:
        warehouse_base._REGISTRY.pop("duckdb-copy", None)


def test_never_shares_an_unsafe_database_instance(sample_home: Path, tmp_path: Path) -> None:
    """DuckDB shares one instance per file in a process: if someone opened the file without
    our safety settings, we refuse rather than run on an instance with file access enabled."""
    import duckdb

    from workbench.core.errors import DataError

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_home / "data" / "warehouse.duckdb", db)
    plain = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(DataError, match="already open"):
            DuckDBWarehouse(db).query("SELECT 1")
    finally:
        plain.close()
    wh = DuckDBWarehouse(db)
    try:
        assert wh.query("SELECT 1 AS x").loc[0, "x"] == 1
    finally:
        wh.close()


@pytest.mark.parametrize("limit", [1, 2047, 2048, 2049, 4097, 10_000])
def test_row_limit_across_vector_boundaries(wh: DuckDBWarehouse, limit: int) -> None:
    """The engine is read in whole vectors of 2048 rows; the cut is still exact and ordered."""
    sql = "SELECT * FROM sales_order_line ORDER BY line_total DESC, order_id, line_number"
    total = int(wh.query("SELECT count(*) AS n FROM sales_order_line").loc[0, "n"])
    assert total > 10_000
    full = wh.execute(sql, row_limit=total)
    assert full.truncated is False and len(full.frame) == total
    cut = wh.execute(sql, row_limit=limit)
    assert cut.truncated is True and len(cut.frame) == limit
    pd.testing.assert_frame_equal(cut.frame, full.frame.iloc[:limit])


def test_empty_result_keeps_columns_and_types(wh: DuckDBWarehouse) -> None:
    empty = wh.execute("SELECT product_id, unit_cost FROM product WHERE false")
    assert list(empty.frame.columns) == ["product_id", "unit_cost"]
    assert empty.frame.empty and empty.truncated is False
    assert empty.frame["unit_cost"].dtype.kind == "f"
