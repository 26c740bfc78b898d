"""The sample-data generator: determinism, the DATA_MODEL non-triviality claims, loading."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.core.config import load_settings
from workbench.core.errors import DataError
from workbench.data import generator as gen
from workbench.data.checker import check_database
from workbench.data.generator import (
    CATEGORIES,
    SCALES,
    Scale,
    ensure_sample_data,
    generate,
    generate_arrow_tables,
    generate_tables,
    iter_table_chunks,
)
from workbench.data.loader import export_parquet, read_load_info, write_duckdb
from workbench.data.schema import TABLES, TABLES_BY_NAME

TODAY = f"DATE '{AS_OF.isoformat()}'"
OPEN = "status IN ('PENDING', 'PICKING', 'SHIPPED')"


def q(workbench: Workbench, sql: str) -> pd.DataFrame:
    """Trusted test SQL straight to the warehouse (no guard, no row limit worries: small results)."""
    return workbench.warehouse.query(sql)


def scalar(workbench: Workbench, sql: str) -> float:
    return q(workbench, sql).iloc[0, 0]


def table_digest(table: pa.Table, key: tuple[str, ...]) -> str:
    """Order-independent digest of a table's contents (sorted by key, written as Parquet)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.sort_by([(k, "ascending") for k in key]), sink, compression="none")
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


# -- determinism ----------------------------------------------------------------------------
def test_same_inputs_give_identical_tables() -> None:
    a = generate_arrow_tables("tiny", 7, AS_OF)
    b = generate_arrow_tables("tiny", 7, AS_OF)
    for t in TABLES:
        assert table_digest(a[t.name], t.primary_key) == table_digest(b[t.name], t.primary_key), (
            t.name
        )


def test_different_seed_or_end_date_gives_different_data() -> None:
    a = generate_arrow_tables("tiny", 7, AS_OF)
    b = generate_arrow_tables("tiny", 8, AS_OF)
    c = generate_arrow_tables("tiny", 7, AS_OF - dt.timedelta(days=1))
    for other in (b, c):
        differing = [
            t.name
            for t in TABLES
            if table_digest(a[t.name], t.primary_key) != table_digest(other[t.name], t.primary_key)
        ]
        assert {
            "sales_order_header",
            "sales_order_line",
            "purchase_order_line",
            "warehouse_product",
        } <= set(differing)


def test_loaded_database_matches_in_memory_generation(sample_home: Path) -> None:
    """The DuckDB file of the fixture holds exactly what generate_arrow_tables makes (same seed)."""
    expected = generate_arrow_tables("small", 42, AS_OF)
    from workbench.data.loader import connect_read_only

    con = connect_read_only(sample_home / "data" / "warehouse.duckdb")
    try:
        for t in TABLES:
            loaded = con.sql(f'SELECT * FROM "{t.name}"').to_arrow_table()
            exp_table = expected[t.name].cast(loaded.schema)
            assert loaded.num_rows == exp_table.num_rows
            assert table_digest(loaded, t.primary_key) == table_digest(exp_table, t.primary_key), (
                t.name
            )
    finally:
        con.close()


def test_chunking_does_not_change_the_data() -> None:
    base = SCALES["tiny"]
    rechunked = Scale(**{**base.__dict__, "chunk_days": 7})
    a, b = generate_arrow_tables(base, 3, AS_OF), generate_arrow_tables(rechunked, 3, AS_OF)
    for name in ("product", "supplier", "purchase_order_header", "purchase_order_line"):
        assert a[name].equals(b[name]), name
    # Sales are drawn per chunk, so only the volume is comparable; both are valid data sets.
    assert (
        abs(a["sales_order_line"].num_rows - b["sales_order_line"].num_rows)
        < 0.1 * a["sales_order_line"].num_rows
    )


# -- scales, names, types -------------------------------------------------------------------
def test_scales_are_frozen_and_sized_as_promised() -> None:
    small, medium, large = SCALES["small"], SCALES["medium"], SCALES["large"]
    assert small.products >= 200 and small.warehouses == ("WH-EAST", "WH-WEST", "WH-CENTRAL")
    assert small.suppliers == 10 and small.sales_days == 90 and small.po_days == 120
    assert medium.sales_lines == 1_000_000 and large.sales_lines == 10_000_000
    with pytest.raises(AttributeError):
        small.products = 1  # type: ignore[misc]
    with pytest.raises(DataError, match="Unknown data scale 'huge'"):
        next(iter_table_chunks("huge"))
    with pytest.raises(DataError, match="seed"):
        next(iter_table_chunks("tiny", -1))


def test_names_stay_unique_far_beyond_the_name_lists() -> None:
    scale = Scale("names", 6_000, SCALES["small"].warehouses, 400, 2_500, 30, 30, 100, 0.1)
    chunks = iter_table_chunks(scale, 1, AS_OF)
    _, product = next(chunks)
    _, supplier = next(chunks)
    names = product.column("product_name").to_pylist()
    assert len(set(names)) == 6_000
    assert len(set(supplier.column("supplier_name").to_pylist())) == 400
    assert set(product.column("category").to_pylist()) == set(CATEGORIES)


def test_column_types_are_exactly_the_schema_types(workbench: Workbench) -> None:
    frame = q(
        workbench,
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'",
    )
    actual = {(r.table_name, r.column_name): r.data_type for r in frame.itertuples()}
    for t in TABLES:
        for c in t.columns:
            assert actual[(t.name, c.name)] == c.type, f"{t.name}.{c.name}"


def test_generate_tables_returns_exact_decimals_and_dates() -> None:
    frames = generate_tables("tiny", 1, AS_OF)
    assert set(frames) == {t.name for t in TABLES}
    lines = frames["sales_order_line"]
    row = lines.iloc[0]
    assert row["line_total"] == row["quantity"] * row["unit_price"]
    assert str(row["unit_price"]).count(".") == 1 and len(str(row["unit_price"]).split(".")[1]) == 2
    assert isinstance(frames["sales_order_header"]["order_date"].iloc[0], dt.date)
    assert list(frames["product"].columns) == list(TABLES_BY_NAME["product"].column_names)


# -- the non-triviality claims of DATA_MODEL "Sample data" on `small` ------------------------
def test_master_data(workbench: Workbench) -> None:
    wh = q(workbench, "SELECT * FROM warehouse ORDER BY warehouse_id")
    assert dict(zip(wh.warehouse_id, wh.warehouse_name, strict=True)) == {
        "WH-CENTRAL": "Central Distribution Center",
        "WH-EAST": "East Distribution Center",
        "WH-WEST": "West Distribution Center",
    }
    assert (
        wh.city.is_unique
        and wh.latitude.between(25, 50).all()
        and wh.longitude.between(-125, -65).all()
    )
    products = q(workbench, "SELECT * FROM product")
    assert len(products) >= 200 and products.product_name.is_unique
    assert set(products.category) == set(CATEGORIES)
    assert (products.unit_price > products.unit_cost).all()
    suppliers = q(workbench, "SELECT * FROM supplier")
    assert (
        len(suppliers) == 10
        and suppliers.supplier_name.is_unique
        and suppliers.country.nunique() >= 5
    )
    customers = q(
        workbench,
        "SELECT customer_id, COUNT(DISTINCT customer_name) AS names FROM sales_order_header GROUP BY 1",
    )
    assert 100 <= len(customers) <= 1000 and (customers.names == 1).all()


def test_every_warehouse_has_out_of_stock_low_stock_and_reorder_positions(
    workbench: Workbench,
) -> None:
    per_wh = q(
        workbench,
        """SELECT warehouse_id,
                  COUNT(*) FILTER (WHERE quantity_on_hand = 0) AS out_of_stock,
                  COUNT(*) FILTER (WHERE quantity_on_hand > 0 AND quantity_on_hand <= safety_stock) AS low,
                  COUNT(*) FILTER (WHERE quantity_on_hand <= reorder_point) AS below_rop,
                  COUNT(*) FILTER (WHERE quantity_on_hand > reorder_point) AS healthy,
                  COUNT(*) FILTER (WHERE quantity_reserved > 0) AS reserved
           FROM warehouse_product GROUP BY 1""",
    )
    assert len(per_wh) == 3
    for col in ("out_of_stock", "low", "below_rop", "healthy", "reserved"):
        assert (per_wh[col] >= 1).all(), col
    assert (per_wh.below_rop < per_wh.healthy).all()  # problems are the exception, not the rule
    util = q(
        workbench,
        "SELECT SUM(quantity_on_hand) / ANY_VALUE(capacity_units) AS u FROM warehouse_product JOIN warehouse USING (warehouse_id) GROUP BY warehouse_id",
    )
    assert util.u.between(0.4, 0.95).all()


def test_every_warehouse_has_open_overdue_due_today_and_delayed_orders(
    workbench: Workbench,
) -> None:
    per_wh = q(
        workbench,
        f"""SELECT warehouse_id,
                   COUNT(*) FILTER (WHERE {OPEN}) AS open_orders,
                   COUNT(*) FILTER (WHERE {OPEN} AND promised_date < {TODAY}) AS overdue,
                   COUNT(*) FILTER (WHERE {OPEN} AND promised_date = {TODAY}) AS due_today,
                   COUNT(*) FILTER (WHERE status = 'SHIPPED' AND promised_date < {TODAY}) AS delayed
            FROM sales_order_header GROUP BY 1""",
    )
    assert len(per_wh) == 3
    assert (
        (per_wh.open_orders >= 20).all()
        and (per_wh.overdue >= 1).all()
        and (per_wh.delayed >= 1).all()
    )
    # Several route stops per warehouse today, at distinct places.
    assert per_wh.due_today.between(3, 25).all(), per_wh
    stops = q(
        workbench,
        f"SELECT warehouse_id, COUNT(DISTINCT (ship_to_latitude, ship_to_longitude)) AS n FROM sales_order_header WHERE {OPEN} AND promised_date = {TODAY} GROUP BY 1",
    )
    assert (stops.n >= 3).all()


def test_deliveries_priorities_and_cancellations(workbench: Workbench) -> None:
    d = q(
        workbench,
        """SELECT COUNT(*) FILTER (WHERE status = 'DELIVERED' AND delivery_date > promised_date) AS late,
                  COUNT(*) FILTER (WHERE status = 'DELIVERED' AND delivery_date <= promised_date) AS on_time,
                  COUNT(*) FILTER (WHERE priority = 'EXPRESS') AS express,
                  COUNT(*) FILTER (WHERE priority = 'STANDARD') AS standard,
                  COUNT(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
                  COUNT(*) AS orders
           FROM sales_order_header""",
    ).iloc[0]
    assert d.late >= 1 and d.on_time >= 1
    assert 0.6 < d.on_time / (d.on_time + d.late) < 0.98
    assert 0.05 < d.express / d.orders < 0.5 and d.standard > d.express
    assert (
        d.cancelled >= 1
        and scalar(
            workbench, "SELECT COUNT(*) FROM purchase_order_header WHERE status = 'CANCELLED'"
        )
        >= 1
    )
    statuses = set(q(workbench, "SELECT DISTINCT status FROM sales_order_header").status)
    assert statuses == {"PENDING", "PICKING", "SHIPPED", "DELIVERED", "CANCELLED"}


def test_statuses_agree_with_dates(workbench: Workbench) -> None:
    old = q(
        workbench, f"SELECT DISTINCT status FROM sales_order_header WHERE order_date < {TODAY} - 40"
    )
    assert set(old.status) <= {"DELIVERED", "CANCELLED"}
    today = q(
        workbench, f"SELECT DISTINCT status FROM sales_order_header WHERE order_date = {TODAY}"
    )
    assert set(today.status) <= {"PENDING", "CANCELLED"}
    assert (
        scalar(
            workbench,
            f"SELECT COUNT(*) FROM sales_order_header WHERE delivery_date >= {TODAY} OR ship_date >= {TODAY}",
        )
        == 0
    )
    assert pd.Timestamp(
        scalar(workbench, "SELECT MAX(order_date) FROM sales_order_header")
    ) == pd.Timestamp(AS_OF)
    assert scalar(workbench, "SELECT COUNT(DISTINCT order_date) FROM sales_order_header") == 90
    po = q(
        workbench,
        "SELECT status, MIN(order_date) AS first, MAX(order_date) AS last FROM purchase_order_header GROUP BY 1",
    )
    assert set(po.status) == {"OPEN", "PARTIAL", "RECEIVED", "CANCELLED"}
    assert pd.Timestamp(po["first"].min()) >= pd.Timestamp(AS_OF - dt.timedelta(days=119))
    assert pd.Timestamp(po["last"].max()) <= pd.Timestamp(AS_OF)
    assert (
        scalar(
            workbench, f"SELECT COUNT(*) FROM purchase_order_header WHERE received_date >= {TODAY}"
        )
        == 0
    )


def test_purchase_order_quantities_follow_status(workbench: Workbench) -> None:
    po = q(
        workbench,
        """SELECT h.status, SUM(l.quantity_ordered) AS ordered, SUM(l.quantity_received) AS received
           FROM purchase_order_header h JOIN purchase_order_line l USING (po_id) GROUP BY h.po_id, h.status""",
    )
    partial = po[po.status == "PARTIAL"]
    assert (
        len(partial) >= 1 and ((partial.received > 0) & (partial.received < partial.ordered)).all()
    )
    assert (po[po.status == "RECEIVED"].received == po[po.status == "RECEIVED"].ordered).all()
    assert (po[po.status.isin(["OPEN", "CANCELLED"])].received == 0).all()


def test_suppliers_differ_clearly(workbench: Workbench) -> None:
    s = q(
        workbench,
        """SELECT h.supplier_id,
                  AVG(CASE WHEN h.received_date <= h.expected_date THEN 1.0 ELSE 0.0 END) AS on_time,
                  SUM(l.quantity_received) / SUM(l.quantity_ordered) AS fill_rate
           FROM purchase_order_header h JOIN purchase_order_line l USING (po_id)
           WHERE h.status IN ('PARTIAL', 'RECEIVED') GROUP BY 1""",
    )
    on_time = q(
        workbench,
        "SELECT supplier_id, AVG(CASE WHEN received_date <= expected_date THEN 1.0 ELSE 0.0 END) AS r FROM purchase_order_header WHERE status IN ('PARTIAL', 'RECEIVED') GROUP BY 1",
    )
    assert len(s) == 10
    assert on_time.r.max() - on_time.r.min() >= 0.30
    assert s.fill_rate.max() - s.fill_rate.min() >= 0.08 and s.fill_rate.max() > 0.95
    variance = q(
        workbench,
        """SELECT h.supplier_id, SUM((l.unit_cost - p.unit_cost) / p.unit_cost * l.quantity_ordered) / SUM(l.quantity_ordered) AS v
           FROM purchase_order_line l JOIN purchase_order_header h USING (po_id) JOIN product p USING (product_id)
           WHERE h.status <> 'CANCELLED' GROUP BY 1""",
    )
    assert -0.07 <= variance.v.min() <= -0.02 and 0.10 <= variance.v.max() <= 0.17


def test_every_product_is_bought_from_at_least_two_suppliers(workbench: Workbench) -> None:
    n = q(
        workbench,
        """SELECT p.product_id, COUNT(DISTINCT h.supplier_id) AS suppliers FROM product p
           LEFT JOIN purchase_order_line l USING (product_id)
           LEFT JOIN purchase_order_header h ON h.po_id = l.po_id AND h.status <> 'CANCELLED' GROUP BY 1""",
    )
    assert (n.suppliers >= 2).all(), n[n.suppliers < 2]


def test_demand_has_trend_weekly_seasonality_and_noise(workbench: Workbench) -> None:
    daily = q(
        workbench,
        """SELECT h.order_date AS day, SUM(l.quantity) AS units FROM sales_order_header h JOIN sales_order_line l USING (order_id)
           WHERE h.status <> 'CANCELLED' GROUP BY 1 ORDER BY 1""",
    )
    daily["weekday"] = pd.to_datetime(daily.day).dt.day_of_week
    first, last = daily.units.iloc[:28].sum(), daily.units.iloc[-28:].sum()
    assert last > 1.1 * first  # trend
    by_weekday = daily.groupby("weekday").units.mean()
    assert by_weekday.loc[[0, 1, 2, 3]].min() > 1.8 * by_weekday.loc[6]  # weekly seasonality
    weekdays = daily[daily.weekday < 5].units
    assert weekdays.std() / weekdays.mean() > 0.05  # noise


def test_dormant_products_and_recent_sales_coverage(workbench: Workbench) -> None:
    sold = q(
        workbench,
        f"""SELECT p.product_id, p.is_active,
                   COUNT(*) FILTER (WHERE h.order_date > {TODAY} - 60) AS last60,
                   COUNT(*) FILTER (WHERE h.order_date > {TODAY} - 30) AS last30
            FROM product p LEFT JOIN sales_order_line l USING (product_id)
            LEFT JOIN sales_order_header h ON h.order_id = l.order_id AND h.status <> 'CANCELLED' GROUP BY 1, 2""",
    )
    assert (sold.last60 == 0).sum() >= 3
    assert (sold.last30 > 0).mean() >= 0.8
    assert (sold[~sold.is_active].last60 == 0).all() and (~sold.is_active).sum() >= 1


def test_column_rules_hold(workbench: Workbench) -> None:
    broken = {
        "reserved > on hand": "SELECT COUNT(*) FROM warehouse_product WHERE quantity_reserved > quantity_on_hand",
        "stock levels": "SELECT COUNT(*) FROM warehouse_product WHERE NOT (safety_stock < reorder_point AND reorder_point < max_stock)",
        "line total": "SELECT COUNT(*) FROM sales_order_line WHERE line_total <> quantity * unit_price",
        "po line total": "SELECT COUNT(*) FROM purchase_order_line WHERE line_total <> quantity_ordered * unit_cost",
        "ship date": "SELECT COUNT(*) FROM sales_order_header WHERE (ship_date IS NULL) = (status IN ('SHIPPED', 'DELIVERED'))",
        "delivery date": "SELECT COUNT(*) FROM sales_order_header WHERE (delivery_date IS NULL) = (status = 'DELIVERED')",
        "date order": "SELECT COUNT(*) FROM sales_order_header WHERE delivery_date < ship_date OR ship_date < order_date",
        "received date": "SELECT COUNT(*) FROM purchase_order_header WHERE (received_date IS NULL) = (status IN ('PARTIAL', 'RECEIVED'))",
    }
    for name, sql in broken.items():
        assert scalar(workbench, sql) == 0, name


def test_delivery_locations_are_near_the_fulfilling_warehouse(workbench: Workbench) -> None:
    frame = q(
        workbench,
        """SELECT h.ship_to_latitude AS lat, h.ship_to_longitude AS lon, w.latitude AS wlat, w.longitude AS wlon
           FROM sales_order_header h JOIN warehouse w USING (warehouse_id)""",
    )
    lat1, lat2 = frame.lat.map(math.radians), frame.wlat.map(math.radians)
    dlat, dlon = lat2 - lat1, (frame.wlon - frame.lon).map(math.radians)
    a = (dlat / 2).map(math.sin) ** 2 + lat1.map(math.cos) * lat2.map(math.cos) * (dlon / 2).map(
        math.sin
    ) ** 2
    km = 2 * 6371.0088 * a.map(math.sqrt).map(math.asin)
    assert km.max() <= 52 and km.median() > 15


def test_checker_passes_on_the_sample(sample_home: Path, workbench: Workbench) -> None:
    workbench.warehouse.query("SELECT 1")  # an open Workbench must not stop the checker
    report = check_database(sample_home / "data" / "warehouse.duckdb")
    assert report.ok, report.to_frame().to_string()


# -- loading: atomic file, load record, data version, export --------------------------------
def test_load_record_and_data_version(sample_home: Path, workbench: Workbench) -> None:
    info = read_load_info(sample_home / "data" / "warehouse.duckdb")
    assert info is not None and (info.scale, info.seed, info.end_date) == ("small", 42, AS_OF)
    assert info.rows["sales_order_line"] == scalar(
        workbench, "SELECT COUNT(*) FROM sales_order_line"
    )
    assert workbench.warehouse.data_version() == info.load_id


def test_regenerating_replaces_the_file_atomically(tmp_path: Path) -> None:
    first = generate(tmp_path, scale="tiny", seed=1, end_date=AS_OF)
    assert first.path == tmp_path / "data" / "warehouse.duckdb" and first.rows["product"] == 80
    reader = duckdb.connect(str(first.path), read_only=True)  # a reader holding the old file
    try:
        second = generate(tmp_path, scale="tiny", seed=2, end_date=AS_OF)
        assert second.load_id != first.load_id
        assert (
            reader.execute("SELECT CAST(load_id AS VARCHAR) FROM workbench_load").fetchone()[0]
            == first.load_id
        )
    finally:
        reader.close()
    info = read_load_info(second.path)
    assert info is not None and info.load_id == second.load_id and info.seed == 2
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["warehouse.duckdb"]


def test_a_failed_generation_leaves_the_old_data_untouched(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    good = generate(db, scale="tiny", seed=1, end_date=AS_OF)
    before = db.read_bytes()

    def crashing_chunks():  # type: ignore[no-untyped-def]
        chunks = iter_table_chunks("tiny", 5, AS_OF)
        yield next(chunks)
        yield next(chunks)
        raise RuntimeError("simulated crash half-way")

    with pytest.raises(RuntimeError, match="simulated crash"):
        write_duckdb(db, crashing_chunks(), scale="tiny", seed=5, end_date=AS_OF)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]
    info = read_load_info(db)
    assert info is not None and info.load_id == good.load_id


def test_export_parquet_writes_one_typed_file_per_table(
    sample_home: Path, tmp_path: Path, workbench: Workbench
) -> None:
    written = export_parquet(sample_home / "data" / "warehouse.duckdb", tmp_path / "export")
    assert set(written) == {t.name for t in TABLES}
    for t in TABLES:
        table = pq.read_table(written[t.name])
        assert table.column_names == list(t.column_names)
        assert table.num_rows == scalar(workbench, f'SELECT COUNT(*) FROM "{t.name}"')
    lines = pq.read_table(written["sales_order_line"])
    assert lines.schema.field("line_total").type == pa.decimal128(14, 2)
    assert (
        pq.read_table(written["sales_order_header"]).schema.field("order_date").type == pa.date32()
    )


def test_ensure_sample_data_generates_only_when_missing(tmp_path: Path) -> None:
    settings = load_settings(
        {"data": {"scale": "tiny", "seed": 3, "end_date": "2026-01-31"}}, home=tmp_path
    )
    assert ensure_sample_data(settings) is True
    info = read_load_info(settings.duckdb_path)
    assert info is not None and (info.scale, info.seed, info.end_date) == (
        "tiny",
        3,
        dt.date(2026, 1, 31),
    )
    assert ensure_sample_data(settings) is False
    assert read_load_info(settings.duckdb_path).load_id == info.load_id  # type: ignore[union-attr]


def test_generate_defaults_to_today(tmp_path: Path) -> None:
    report = generate(tmp_path / "w.duckdb", scale="tiny")
    assert report.end_date == dt.date.today() and report.seed == 42
    assert gen.resolve_db_path(tmp_path) == tmp_path / "data" / "warehouse.duckdb"


def test_invalid_custom_scales_are_refused() -> None:
    with pytest.raises(DataError, match=r"products must be at least 20.*warehouses must be among"):
        Scale("bad", 5, ("WH-MARS",), 10, 10, 10, 10, 100, 1.0)
    with pytest.raises(DataError, match="suppliers must be at least 2"):
        Scale("bad", 50, ("WH-EAST",), 1, 10, 10, 10, 100, 1.0)
