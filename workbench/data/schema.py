"""The data model of ``DATA_MODEL.md``, defined once.

Backends, DDL, the generator, the checker, the SQL guard's allow-lists and the personas
all read these definitions; nothing else lists table or column names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlglot
from sqlglot import exp


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQL type in DuckDB spelling
    description: str = ""
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, ref_table, ref_column)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, type_: str, description: str = "", nullable: bool = True) -> Column:
    return Column(name, type_, description, nullable)


TABLES: tuple[Table, ...] = (
    Table(
        "product",
        "Products sold and stocked; one row per product.",
        (
            _c("product_id", "VARCHAR", "Product id, e.g. P0001", False),
            _c("product_name", "VARCHAR", "Unique human-readable name", False),
            _c(
                "category",
                "VARCHAR",
                "Product category (Electrical, Hardware, Plumbing, ...)",
                False,
            ),
            _c("unit_cost", "DECIMAL(12,2)", "Standard cost paid to suppliers", False),
            _c("unit_price", "DECIMAL(12,2)", "List selling price", False),
            _c("lead_time_days", "INTEGER", "Standard replenishment lead time in days", False),
            _c("is_active", "BOOLEAN", "Whether the product is still sold", False),
        ),
        ("product_id",),
    ),
    Table(
        "warehouse",
        "Distribution centers; one row per warehouse.",
        (
            _c("warehouse_id", "VARCHAR", "Warehouse id, e.g. WH-EAST", False),
            _c("warehouse_name", "VARCHAR", "Name, e.g. East Distribution Center", False),
            _c("city", "VARCHAR", "City", False),
            _c("region", "VARCHAR", "Region", False),
            _c("latitude", "DOUBLE", "Latitude, for routing", False),
            _c("longitude", "DOUBLE", "Longitude, for routing", False),
            _c("capacity_units", "INTEGER", "Storage capacity in units", False),
        ),
        ("warehouse_id",),
    ),
    Table(
        "warehouse_product",
        "Current inventory position per warehouse and product.",
        (
            _c("warehouse_id", "VARCHAR", "Warehouse", False),
            _c("product_id", "VARCHAR", "Product", False),
            _c("quantity_on_hand", "INTEGER", "Units on hand", False),
            _c("quantity_reserved", "INTEGER", "Units allocated to open orders", False),
            _c("safety_stock", "INTEGER", "Safety stock level", False),
            _c("reorder_point", "INTEGER", "Reorder point", False),
            _c("max_stock", "INTEGER", "Maximum stock level", False),
            _c("last_updated", "TIMESTAMP", "When the position was last updated", False),
        ),
        ("warehouse_id", "product_id"),
        (("warehouse_id", "warehouse", "warehouse_id"), ("product_id", "product", "product_id")),
    ),
    Table(
        "supplier",
        "Suppliers; one row per supplier.",
        (
            _c("supplier_id", "VARCHAR", "Supplier id, e.g. S001", False),
            _c("supplier_name", "VARCHAR", "Unique supplier name", False),
            _c("country", "VARCHAR", "Country", False),
        ),
        ("supplier_id",),
    ),
    Table(
        "sales_order_header",
        "Customer sales orders; one row per order.",
        (
            _c("order_id", "VARCHAR", "Order id, e.g. SO-000001", False),
            _c("order_date", "DATE", "Date the order was placed", False),
            _c("customer_id", "VARCHAR", "Customer id", False),
            _c("customer_name", "VARCHAR", "Customer name", False),
            _c("warehouse_id", "VARCHAR", "Fulfilling warehouse", False),
            _c("status", "VARCHAR", "PENDING, PICKING, SHIPPED, DELIVERED or CANCELLED", False),
            _c("priority", "VARCHAR", "STANDARD or EXPRESS", False),
            _c("promised_date", "DATE", "Delivery date promised to the customer", False),
            _c("ship_date", "DATE", "Ship date; null until shipped"),
            _c("delivery_date", "DATE", "Delivery date; null until delivered"),
            _c("ship_to_latitude", "DOUBLE", "Delivery latitude", False),
            _c("ship_to_longitude", "DOUBLE", "Delivery longitude", False),
        ),
        ("order_id",),
        (("warehouse_id", "warehouse", "warehouse_id"),),
    ),
    Table(
        "sales_order_line",
        "Lines of sales orders.",
        (
            _c("order_id", "VARCHAR", "Order", False),
            _c("line_number", "INTEGER", "Line number within the order", False),
            _c("product_id", "VARCHAR", "Product", False),
            _c("quantity", "INTEGER", "Units ordered", False),
            _c("unit_price", "DECIMAL(12,2)", "Price per unit", False),
            _c("line_total", "DECIMAL(14,2)", "quantity * unit_price", False),
        ),
        ("order_id", "line_number"),
        (("order_id", "sales_order_header", "order_id"), ("product_id", "product", "product_id")),
    ),
    Table(
        "purchase_order_header",
        "Purchase orders to suppliers; one row per PO.",
        (
            _c("po_id", "VARCHAR", "PO id, e.g. PO-000001", False),
            _c("supplier_id", "VARCHAR", "Supplier", False),
            _c("warehouse_id", "VARCHAR", "Receiving warehouse", False),
            _c("order_date", "DATE", "Date the PO was placed", False),
            _c("expected_date", "DATE", "Promised receipt date", False),
            _c("received_date", "DATE", "Receipt date; null until received"),
            _c("status", "VARCHAR", "OPEN, PARTIAL, RECEIVED or CANCELLED", False),
        ),
        ("po_id",),
        (("supplier_id", "supplier", "supplier_id"), ("warehouse_id", "warehouse", "warehouse_id")),
    ),
    Table(
        "purchase_order_line",
        "Lines of purchase orders.",
        (
            _c("po_id", "VARCHAR", "PO", False),
            _c("line_number", "INTEGER", "Line number within the PO", False),
            _c("product_id", "VARCHAR", "Product", False),
            _c("quantity_ordered", "INTEGER", "Units ordered", False),
            _c("quantity_received", "INTEGER", "Units received so far", False),
            _c("unit_cost", "DECIMAL(12,2)", "Agreed price per unit on this PO", False),
            _c("line_total", "DECIMAL(14,2)", "quantity_ordered * unit_cost", False),
        ),
        ("po_id", "line_number"),
        (("po_id", "purchase_order_header", "po_id"), ("product_id", "product", "product_id")),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
DATA_TABLES: frozenset[str] = frozenset(TABLES_BY_NAME)

ORDER_STATUSES = ("PENDING", "PICKING", "SHIPPED", "DELIVERED", "CANCELLED")
OPEN_ORDER_STATUSES = ("PENDING", "PICKING", "SHIPPED")
ORDER_PRIORITIES = ("STANDARD", "EXPRESS")
PO_STATUSES = ("OPEN", "PARTIAL", "RECEIVED", "CANCELLED")
PENDING_PO_STATUSES = ("OPEN", "PARTIAL")


class Persona(StrEnum):
    WAREHOUSE_MANAGER = "warehouse_manager"
    FIELD_ENGINEER = "field_engineer"
    PROCUREMENT_SPECIALIST = "procurement_specialist"

    @property
    def label(self) -> str:
        return PERSONA_LABELS[self]

    @classmethod
    def parse(cls, value: str | Persona) -> Persona:
        """Accept an id, a label or a loose spelling ("Field Engineer", "field-engineer")."""
        if isinstance(value, Persona):
            return value
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            from workbench.core.errors import PermissionDeniedError

            allowed = ", ".join(p.value for p in cls)
            raise PermissionDeniedError(
                f"Unknown persona '{value}'. Choose one of: {allowed}.", persona=str(value)
            ) from None


PERSONA_LABELS: dict[Persona, str] = {
    Persona.WAREHOUSE_MANAGER: "Warehouse Manager",
    Persona.FIELD_ENGINEER: "Field Engineer",
    Persona.PROCUREMENT_SPECIALIST: "Procurement Specialist",
}

_SALES = frozenset(
    {"product", "warehouse", "warehouse_product", "sales_order_header", "sales_order_line"}
)
PERSONA_TABLES: dict[Persona, frozenset[str]] = {
    Persona.WAREHOUSE_MANAGER: _SALES,
    Persona.FIELD_ENGINEER: _SALES,
    Persona.PROCUREMENT_SPECIALIST: frozenset(
        {
            "product",
            "warehouse",
            "warehouse_product",
            "supplier",
            "purchase_order_header",
            "purchase_order_line",
        }
    ),
}


def personas_for_tables(tables: set[str] | frozenset[str]) -> list[Persona]:
    """The personas allowed to read all of ``tables`` (used to say who can answer a refused question)."""
    return [p for p, allowed in PERSONA_TABLES.items() if set(tables) <= allowed]


_DIALECT_TYPES = {
    # Athena/Trino and Redshift have no unbounded VARCHAR spelled the same way; sqlglot maps most
    # types, these two need help for Hive-style Athena DDL.
    "athena": {"VARCHAR": "STRING"},
}


def create_table_ast(
    table: Table, *, dialect: str = "duckdb", location: str | None = None
) -> exp.Create:
    """``CREATE TABLE`` for one table as a sqlglot AST (render it with ``.sql(dialect)``).

    Athena tables are external Parquet tables (Hive DDL, no constraints); ``location`` is the
    S3 prefix holding one folder per table.
    """
    athena = dialect == "athena"
    cols: list[exp.Expression] = []
    for col in table.columns:
        type_sql = _DIALECT_TYPES.get(dialect, {}).get(col.type, col.type)
        constraints = (
            []
            if col.nullable or athena
            else [exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())]
        )
        cols.append(
            exp.ColumnDef(
                this=exp.to_identifier(col.name),
                kind=exp.DataType.build(type_sql, dialect="hive" if athena else "duckdb"),
                constraints=constraints,
            )
        )
    if not athena:
        cols.append(exp.PrimaryKey(expressions=[exp.to_identifier(k) for k in table.primary_key]))
    schema = exp.Schema(this=exp.to_table(table.name), expressions=cols)
    properties = None
    if athena:
        props: list[exp.Expression] = [
            exp.ExternalProperty(),
            exp.FileFormatProperty(this=exp.var("PARQUET"), hive_format=True),
        ]
        if location:
            prefix = location.rstrip("/")
            props.append(exp.LocationProperty(this=exp.Literal.string(f"{prefix}/{table.name}/")))
        properties = exp.Properties(expressions=props)
    return exp.Create(this=schema, kind="TABLE", exists=True, properties=properties)


def render_ddl(dialect: str = "duckdb", *, location: str | None = None) -> list[str]:
    """The DDL of every table for ``duckdb``, ``redshift`` or ``athena`` (``location``: Athena's S3 prefix)."""
    if dialect not in {"duckdb", "redshift", "athena"}:
        raise ValueError(f"unsupported dialect {dialect!r}; use duckdb, redshift or athena")
    return [
        create_table_ast(t, dialect=dialect, location=location).sql(dialect=dialect) for t in TABLES
    ]


def parses_in(sql: str, dialect: str) -> bool:
    """Whether ``sql`` parses in ``dialect`` (used by tests and the loaders' self-checks)."""
    try:
        sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.ParseError:
        return False
    return True
