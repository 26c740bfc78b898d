"""The data checker: passes on generated data, reports every kind of violation, fails clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import AS_OF
from workbench.core.errors import DataError, DataNotFoundError
from workbench.data.checker import check_database, table_row_counts
from workbench.data.generator import SCALES, Scale, generate

SAMPLE = Path("data") / "warehouse.duckdb"


@pytest.fixture
def broken_db(sample_home: Path, tmp_path: Path) -> Path:
    """A writable copy of the sample warehouse for a test to corrupt."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_home / SAMPLE, target)
    return target


def corrupt(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def found(report_issues: tuple, table: str, column: str, rule: str) -> bool:  # type: ignore[type-arg]
    return any((i.table, i.column, i.rule) == (table, column, rule) for i in report_issues)


def rebuild_without_constraints(table: str) -> list[str]:
    """DDL enforces keys and NOT NULL; to test the checker on data loaded elsewhere, drop them."""
    return [
        f"CREATE TABLE _copy AS SELECT * FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE _copy RENAME TO {table}",
    ]


def test_passes_on_small_sample(sample_home: Path) -> None:
    report = check_database(sample_home / SAMPLE)
    assert report.ok and report.issues == ()
    assert report.rules_checked > 100 and report.to_frame().empty


@pytest.mark.parametrize(
    "scale",
    [
        SCALES["tiny"],
        # A mid-size scale (5 warehouses, half a year, ~150k lines): the shape of medium, fast enough to test.
        Scale(
            "mid", 600, SCALES["medium"].warehouses, 20, 800, 180, 180, 150_000, 2.0, chunk_days=45
        ),
    ],
    ids=lambda s: s.name,
)
def test_passes_on_other_scales(scale: Scale, tmp_path: Path) -> None:
    report = generate(tmp_path, scale=scale, seed=11, end_date=AS_OF)
    result = check_database(report.path)
    assert result.ok, result.to_frame().to_string()
    assert table_row_counts(report.path) == report.rows


VIOLATIONS = [
    (
        "UPDATE warehouse_product SET quantity_reserved = quantity_on_hand + 5 WHERE product_id = 'P0001'",
        "warehouse_product",
        "quantity_reserved",
        "reserved_within_on_hand",
    ),
    (
        "UPDATE warehouse_product SET reorder_point = safety_stock WHERE product_id = 'P0002'",
        "warehouse_product",
        "reorder_point",
        "above_safety_stock",
    ),
    (
        "UPDATE warehouse_product SET max_stock = reorder_point WHERE product_id = 'P0003'",
        "warehouse_product",
        "max_stock",
        "above_reorder_point",
    ),
    (
        "UPDATE warehouse_product SET quantity_on_hand = -1, quantity_reserved = 0 WHERE product_id = 'P0004'",
        "warehouse_product",
        "quantity_on_hand",
        "non_negative",
    ),
    (
        "UPDATE product SET unit_price = unit_cost WHERE product_id = 'P0005'",
        "product",
        "unit_price",
        "price_above_cost",
    ),
    (
        "UPDATE product SET lead_time_days = 0 WHERE product_id = 'P0006'",
        "product",
        "lead_time_days",
        "positive",
    ),
    (
        "UPDATE sales_order_line SET line_total = line_total + 0.01 WHERE line_number = 1 AND order_id = 'SO-000010'",
        "sales_order_line",
        "line_total",
        "equals_quantity_times_price",
    ),
    (
        "UPDATE sales_order_line SET quantity = 0 WHERE line_number = 1 AND order_id = 'SO-000011'",
        "sales_order_line",
        "quantity",
        "positive",
    ),
    (
        "UPDATE sales_order_header SET status = 'LOST' WHERE order_id = 'SO-000012'",
        "sales_order_header",
        "status",
        "allowed_values",
    ),
    (
        "UPDATE sales_order_header SET priority = 'URGENT' WHERE order_id = 'SO-000013'",
        "sales_order_header",
        "priority",
        "allowed_values",
    ),
    (
        "UPDATE sales_order_header SET ship_date = order_date WHERE status = 'PENDING'",
        "sales_order_header",
        "ship_date",
        "null_unless_shipped",
    ),
    (
        "UPDATE sales_order_header SET ship_date = NULL WHERE status = 'SHIPPED'",
        "sales_order_header",
        "ship_date",
        "set_when_shipped",
    ),
    (
        "UPDATE sales_order_header SET delivery_date = NULL WHERE order_id = (SELECT MAX(order_id) FROM sales_order_header WHERE status = 'DELIVERED')",
        "sales_order_header",
        "delivery_date",
        "set_when_delivered",
    ),
    (
        "UPDATE sales_order_header SET delivery_date = promised_date WHERE status = 'SHIPPED'",
        "sales_order_header",
        "delivery_date",
        "null_unless_delivered",
    ),
    (
        "UPDATE sales_order_header SET delivery_date = ship_date - 1 WHERE status = 'DELIVERED' AND order_id < 'SO-000100'",
        "sales_order_header",
        "delivery_date",
        "not_before_ship_date",
    ),
    (
        "UPDATE sales_order_header SET ship_date = order_date - 2 WHERE status = 'DELIVERED' AND order_id < 'SO-000050'",
        "sales_order_header",
        "ship_date",
        "not_before_order_date",
    ),
    (
        "UPDATE sales_order_header SET ship_to_latitude = 123.0 WHERE order_id = 'SO-000014'",
        "sales_order_header",
        "ship_to_latitude",
        "range",
    ),
    (
        "UPDATE sales_order_header SET warehouse_id = 'WH-MOON' WHERE order_id = 'SO-000015'",
        "sales_order_header",
        "warehouse_id",
        "foreign_key:warehouse.warehouse_id",
    ),
    (
        "UPDATE sales_order_line SET product_id = 'P9999' WHERE order_id = 'SO-000016'",
        "sales_order_line",
        "product_id",
        "foreign_key:product.product_id",
    ),
    (
        "DELETE FROM sales_order_line WHERE order_id = 'SO-000017'",
        "sales_order_header",
        "order_id",
        "has_lines",
    ),
    (
        "UPDATE purchase_order_line SET quantity_received = quantity_ordered + 1 WHERE po_id = (SELECT MAX(po_id) FROM purchase_order_header WHERE status = 'CANCELLED')",
        "purchase_order_line",
        "quantity_received",
        "within_ordered",
    ),
    (
        "UPDATE purchase_order_line SET quantity_received = 1 WHERE po_id = (SELECT MIN(po_id) FROM purchase_order_header WHERE status = 'OPEN')",
        "purchase_order_line",
        "quantity_received",
        "zero_unless_received",
    ),
    (
        "UPDATE purchase_order_line SET quantity_received = quantity_ordered - 1 WHERE po_id = (SELECT MAX(po_id) FROM purchase_order_header WHERE status = 'RECEIVED')",
        "purchase_order_line",
        "quantity_received",
        "complete_when_received",
    ),
    (
        "UPDATE purchase_order_line SET quantity_received = quantity_ordered WHERE po_id = (SELECT MIN(po_id) FROM purchase_order_header WHERE status = 'PARTIAL')",
        "purchase_order_line",
        "quantity_received",
        "partial_when_partial",
    ),
    (
        "UPDATE purchase_order_line SET line_total = line_total * 2 WHERE po_id = 'PO-000002'",
        "purchase_order_line",
        "line_total",
        "equals_quantity_times_cost",
    ),
    (
        "UPDATE purchase_order_header SET received_date = order_date + 3 WHERE status = 'OPEN'",
        "purchase_order_header",
        "received_date",
        "null_unless_received",
    ),
    (
        "UPDATE purchase_order_header SET received_date = NULL WHERE status = 'RECEIVED'",
        "purchase_order_header",
        "received_date",
        "set_when_received",
    ),
    (
        "UPDATE purchase_order_header SET status = 'LOST' WHERE po_id = 'PO-000003'",
        "purchase_order_header",
        "status",
        "allowed_values",
    ),
    (
        "UPDATE purchase_order_header SET supplier_id = 'S999' WHERE po_id = 'PO-000004'",
        "purchase_order_header",
        "supplier_id",
        "foreign_key:supplier.supplier_id",
    ),
    (
        "UPDATE supplier SET supplier_name = (SELECT supplier_name FROM supplier WHERE supplier_id = 'S001') WHERE supplier_id = 'S002'",
        "supplier",
        "supplier_name",
        "unique",
    ),
    (
        "UPDATE warehouse SET capacity_units = 0 WHERE warehouse_id = 'WH-EAST'",
        "warehouse",
        "capacity_units",
        "positive",
    ),
]


def test_reports_each_kind_of_violation_in_one_pass(broken_db: Path) -> None:
    """Every violation above (each on different rows) is reported by a single check run."""
    corrupt(broken_db, *(v[0] for v in VIOLATIONS))
    report = check_database(broken_db)
    missing = [f"{t}.{c}:{r}" for _, t, c, r in VIOLATIONS if not found(report.issues, t, c, r)]
    assert not missing, f"not reported: {missing}\n{report.to_frame().to_string()}"
    assert all(i.count >= 1 and i.example for i in report.issues)


def test_one_violation_gives_exactly_one_issue(broken_db: Path) -> None:
    corrupt(
        broken_db,
        "UPDATE warehouse_product SET max_stock = reorder_point WHERE product_id = 'P0003'",
    )
    report = check_database(broken_db)
    assert [(i.table, i.column, i.rule, i.count) for i in report.issues] == [
        ("warehouse_product", "max_stock", "above_reorder_point", 3)
    ]
    assert report.issues[0].example.startswith("warehouse_id=")


def test_reports_every_issue_at_once_with_counts_and_examples(broken_db: Path) -> None:
    corrupt(
        broken_db,
        "UPDATE warehouse_product SET quantity_reserved = quantity_on_hand + 1 WHERE warehouse_id = 'WH-EAST' AND product_id IN ('P0001', 'P0002', 'P0003')",
        "UPDATE sales_order_header SET status = 'LOST' WHERE order_id = 'SO-000001'",
        "UPDATE product SET unit_price = unit_cost - 1 WHERE product_id = 'P0007'",
    )
    report = check_database(broken_db)
    keys = {(i.table, i.column, i.rule) for i in report.issues}
    assert {
        ("warehouse_product", "quantity_reserved", "reserved_within_on_hand"),
        ("sales_order_header", "status", "allowed_values"),
        ("product", "unit_price", "price_above_cost"),
    } <= keys
    reserved = next(i for i in report.issues if i.rule == "reserved_within_on_hand")
    assert (
        reserved.count == 3
        and "warehouse_id=WH-EAST" in reserved.example
        and "quantity_on_hand=" in reserved.example
    )
    payload = report.to_dict()
    assert payload["ok"] is False and len(payload["issues"]) == len(report.issues)


def test_reports_duplicate_keys_nulls_and_wrong_types(broken_db: Path) -> None:
    corrupt(
        broken_db,
        *rebuild_without_constraints("supplier"),
        "INSERT INTO supplier SELECT * FROM supplier WHERE supplier_id = 'S001'",
        *rebuild_without_constraints("sales_order_header"),
        "UPDATE sales_order_header SET customer_name = NULL WHERE order_id = 'SO-000020'",
        "ALTER TABLE product ALTER unit_cost TYPE DOUBLE",
    )
    report = check_database(broken_db)
    dup = next(i for i in report.issues if (i.table, i.rule) == ("supplier", "primary_key_unique"))
    assert dup.count == 1 and "supplier_id=S001" in dup.example and "copies=2" in dup.example
    assert found(report.issues, "sales_order_header", "customer_name", "not_null")
    typ = next(
        i for i in report.issues if (i.table, i.column, i.rule) == ("product", "unit_cost", "type")
    )
    assert "expected DECIMAL(12,2), found DOUBLE" in typ.example


def test_missing_tables_and_columns_fail_clearly(broken_db: Path) -> None:
    corrupt(
        broken_db, "DROP TABLE purchase_order_line", "ALTER TABLE product DROP COLUMN is_active"
    )
    with pytest.raises(
        DataError,
        match=r"missing table\(s\): purchase_order_line; missing column\(s\): product.is_active",
    ) as info:
        check_database(broken_db)
    assert info.value.fields["missing_tables"] == ["purchase_order_line"]


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a database\n" * 100, b"DUCK" + bytes(range(256)) * 64],
    ids=["empty", "text", "binary-garbage"],
)
def test_non_duckdb_files_fail_with_a_data_error(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "warehouse.duckdb"
    bogus.write_bytes(content)
    with pytest.raises(DataError) as info:
        check_database(bogus)
    assert "not a readable DuckDB database" in str(
        info.value
    ) or "does not hold the workbench data model" in str(info.value)
    assert "generate --force" in str(info.value)


def test_a_damaged_duckdb_file_fails_with_a_data_error(broken_db: Path) -> None:
    data = bytearray(broken_db.read_bytes())
    # Overwrite the storage after the headers: catalog and table blocks become garbage.
    for i in range(12_288, len(data), 7):
        data[i] = (data[i] * 31 + 17) % 256
    broken_db.write_bytes(bytes(data))
    with pytest.raises(DataError):
        check_database(broken_db)


def test_a_missing_file_says_how_to_create_data(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="No warehouse file") as info:
        check_database(tmp_path / "nothing.duckdb")
    assert "workbench data generate" in str(info.value)
