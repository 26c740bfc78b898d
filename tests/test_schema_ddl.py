"""The data model is defined once (workbench.data.schema) and rendered per dialect.

The DuckDB DDL runs in an in-memory DuckDB and yields exactly the tables, columns and types of
DATA_MODEL.md; the Redshift and Athena DDL parse in their own dialects.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from workbench.core.errors import PermissionDeniedError
from workbench.data.schema import (
    DATA_TABLES,
    PERSONA_TABLES,
    TABLES,
    TABLES_BY_NAME,
    Persona,
    parses_in,
    personas_for_tables,
    render_ddl,
)

DATA_MODEL = Path(__file__).resolve().parents[1] / "docs" / "DATA_MODEL.md"

# DATA_MODEL.md types -> what DuckDB's information_schema reports for them.
DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "decimal(12,2)": "DECIMAL(12,2)",
    "decimal(14,2)": "DECIMAL(14,2)",
}

#: The contract, transcribed from DATA_MODEL.md (a test below re-reads the file when present).
EXPECTED: dict[str, dict[str, str]] = {
    "product": {
        "product_id": "varchar", "product_name": "varchar", "category": "varchar",
        "unit_cost": "decimal(12,2)", "unit_price": "decimal(12,2)", "lead_time_days": "integer",
        "is_active": "boolean",
    },
    "warehouse": {
        "warehouse_id": "varchar", "warehouse_name": "varchar", "city": "varchar", "region": "varchar",
        "latitude": "double", "longitude": "double", "capacity_units": "integer",
    },
    "warehouse_product": {
        "warehouse_id": "varchar", "product_id": "varchar", "quantity_on_hand": "integer",
        "quantity_reserved": "integer", "safety_stock": "integer", "reorder_point": "integer",
        "max_stock": "integer", "last_updated": "timestamp",
    },
    "supplier": {"supplier_id": "varchar", "supplier_name": "varchar", "country": "varchar"},
    "sales_order_header": {
        "order_id": "varchar", "order_date": "date", "customer_id": "varchar", "customer_name": "varchar",
        "warehouse_id": "varchar", "status": "varchar", "priority": "varchar", "promised_date": "date",
        "ship_date": "date", "delivery_date": "date", "ship_to_latitude": "double",
        "ship_to_longitude": "double",
    },
    "sales_order_line": {
        "order_id": "varchar", "line_number": "integer", "product_id": "varchar", "quantity": "integer",
        "unit_price": "decimal(12,2)", "line_total": "decimal(14,2)",
    },
    "purchase_order_header": {
        "po_id": "varchar", "supplier_id": "varchar", "warehouse_id": "varchar", "order_date": "date",
        "expected_date": "date", "received_date": "date", "status": "varchar",
    },
    "purchase_order_line": {
        "po_id": "varchar", "line_number": "integer", "product_id": "varchar",
        "quantity_ordered": "integer", "quantity_received": "integer", "unit_cost": "decimal(12,2)",
        "line_total": "decimal(14,2)",
    },
}  # fmt: skip


def _parse_data_model(text: str) -> dict[str, dict[str, str]]:
    """Tables and column types from the markdown tables of DATA_MODEL.md."""
    tables: dict[str, dict[str, str]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = re.match(r"^### (\w+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = {}
            continue
        if current and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] in ("column", "") or len(cells) < 2:
                continue
            for name in cells[0].split(","):  # "latitude, longitude"
                tables[current][name.strip()] = cells[1].replace(" ", "")
        if line.startswith("## ") and not line.startswith("## Tables"):
            current = None
    return {k: v for k, v in tables.items() if v}


def test_transcription_matches_data_model_md() -> None:
    assert _parse_data_model(DATA_MODEL.read_text(encoding="utf-8")) == EXPECTED


def test_schema_module_matches_contract() -> None:
    assert frozenset(EXPECTED) == DATA_TABLES
    for table in TABLES:
        declared = {c.name: c.type.lower().replace(" ", "") for c in table.columns}
        assert list(declared) == list(EXPECTED[table.name]), table.name
        assert declared == EXPECTED[table.name], table.name
        assert table.description
        assert all(c.description for c in table.columns), table.name
        assert set(table.primary_key) <= set(declared)
        for column, ref_table, ref_column in table.foreign_keys:
            assert column in declared and ref_column in TABLES_BY_NAME[ref_table].column_names


def test_duckdb_ddl_executes_and_matches_names_and_types() -> None:
    con = duckdb.connect()
    for statement in render_ddl("duckdb"):
        con.execute(statement)
    for statement in render_ddl("duckdb"):  # IF NOT EXISTS: re-running is harmless
        con.execute(statement)
    rows = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    actual: dict[str, dict[str, str]] = {}
    nullable: dict[tuple[str, str], bool] = {}
    for table, column, dtype, is_nullable in rows:
        actual.setdefault(table, {})[column] = dtype
        nullable[(table, column)] = is_nullable == "YES"
    expected = {t: {c: DUCKDB_TYPES[ty] for c, ty in cols.items()} for t, cols in EXPECTED.items()}
    assert actual == expected
    # only the "null until ..." columns are nullable
    assert {k for k, v in nullable.items() if v} == {
        ("sales_order_header", "ship_date"),
        ("sales_order_header", "delivery_date"),
        ("purchase_order_header", "received_date"),
    }


def test_duckdb_primary_keys_enforced() -> None:
    con = duckdb.connect()
    for statement in render_ddl("duckdb"):
        con.execute(statement)
    con.execute("INSERT INTO supplier VALUES ('S001', 'Acme', 'US')")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO supplier VALUES ('S001', 'Other', 'DE')")


@pytest.mark.parametrize("dialect", ["duckdb", "redshift", "athena"])
def test_each_statement_parses_in_its_dialect(dialect: str) -> None:
    statements = render_ddl(dialect)
    assert len(statements) == len(TABLES)
    for table, statement in zip(TABLES, statements, strict=True):
        assert parses_in(statement, dialect), statement
        tree = sqlglot.parse_one(statement, read=dialect)
        assert isinstance(tree, exp.Create)
        schema = tree.this
        assert isinstance(schema, exp.Schema)
        assert schema.this.name == table.name
        columns = [c.name for c in schema.expressions if isinstance(c, exp.ColumnDef)]
        assert columns == list(table.column_names)


def test_redshift_ddl_details() -> None:
    ddl = render_ddl("redshift")
    sales = next(s for s in ddl if "sales_order_line" in s)
    assert "DECIMAL(14, 2)" in sales and "PRIMARY KEY (order_id, line_number)" in sales
    assert "NOT NULL" in sales
    assert "DOUBLE PRECISION" in next(
        s for s in ddl if s.startswith("CREATE TABLE IF NOT EXISTS warehouse ")
    )


def test_athena_ddl_is_external_parquet() -> None:
    ddl = render_ddl("athena", location="s3://bucket/prefix/")
    for table, statement in zip(TABLES, ddl, strict=True):
        assert statement.startswith("CREATE EXTERNAL TABLE IF NOT EXISTS")
        assert "STORED AS PARQUET" in statement
        assert f"LOCATION 's3://bucket/prefix/{table.name}/'" in statement
        assert (
            "NOT NULL" not in statement and "PRIMARY KEY" not in statement
        )  # Hive DDL has neither
    assert "STRING" in ddl[0] and "VARCHAR" not in ddl[0]
    assert "LOCATION" not in render_ddl("athena")[0]


def test_unknown_dialect_rejected() -> None:
    with pytest.raises(ValueError, match="duckdb, redshift or athena"):
        render_ddl("oracle")


def test_personas_and_tables() -> None:
    sales = {"product", "warehouse", "warehouse_product", "sales_order_header", "sales_order_line"}
    procurement = {
        "product",
        "warehouse",
        "warehouse_product",
        "supplier",
        "purchase_order_header",
        "purchase_order_line",
    }
    assert PERSONA_TABLES[Persona.WAREHOUSE_MANAGER] == sales
    assert PERSONA_TABLES[Persona.FIELD_ENGINEER] == sales
    assert PERSONA_TABLES[Persona.PROCUREMENT_SPECIALIST] == procurement
    assert personas_for_tables({"supplier"}) == [Persona.PROCUREMENT_SPECIALIST]
    assert personas_for_tables({"sales_order_line", "supplier"}) == []
    assert Persona.parse("Field Engineer") is Persona.FIELD_ENGINEER
    assert Persona.parse("procurement-specialist") is Persona.PROCUREMENT_SPECIALIST
    assert Persona.WAREHOUSE_MANAGER.label == "Warehouse Manager"
    with pytest.raises(PermissionDeniedError, match="warehouse_manager"):
        Persona.parse("ceo")
