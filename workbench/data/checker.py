"""Consistency checks for a warehouse file: keys, references, value rules, enums and types.

Every rule runs and every failure is reported at once (like a linter), each with the number
of offending rows and one example, so a broken load can be fixed in one pass. Problems that
make checking impossible (not a DuckDB file, missing tables or columns) raise ``DataError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from workbench.core.errors import DataError
from workbench.data.loader import connect_read_only
from workbench.data.schema import (
    ORDER_PRIORITIES,
    ORDER_STATUSES,
    PO_STATUSES,
    TABLES,
    Table,
)

__all__ = ["CheckIssue", "CheckReport", "check_database", "table_row_counts"]

_CORRUPTION = (
    duckdb.IOException,
    duckdb.InternalException,
    duckdb.SerializationException,
    duckdb.FatalException,
)


@dataclass(frozen=True)
class CheckIssue:
    """One failed rule: where, which rule, how many rows, and one example row."""

    table: str
    column: str
    rule: str
    count: int
    example: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "rule": self.rule,
            "count": self.count,
            "example": self.example,
        }


@dataclass(frozen=True)
class CheckReport:
    """The outcome of :func:`check_database`. ``ok`` when no rule failed."""

    path: Path
    issues: tuple[CheckIssue, ...] = ()
    rules_checked: int = 0
    rules: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [i.to_dict() for i in self.issues],
            columns=["table", "column", "rule", "count", "example"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "rules_checked": self.rules_checked,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass(frozen=True)
class _Rule:
    table: str
    column: str
    rule: str
    #: A query returning one row per violation (its columns become the example).
    query: exp.Query


def _where(
    table: Table,
    column: str,
    rule: str,
    condition: str | exp.Condition,
    show: tuple[str, ...] = (),
) -> _Rule:
    """Rows of ``table`` where ``condition`` (a violation) holds; shows the key and ``show`` columns."""
    cols = [*table.primary_key, *(c for c in (column, *show) if c and c not in table.primary_key)]
    cond = (
        condition
        if isinstance(condition, exp.Expression)
        else sqlglot.condition(condition, dialect="duckdb")
    )
    query = exp.select(*[exp.column(c) for c in dict.fromkeys(cols)]).from_(table.name).where(cond)
    return _Rule(table.name, column, rule, query)


def _sql(table: str, column: str, rule: str, sql: str) -> _Rule:
    query = sqlglot.parse_one(sql, read="duckdb")
    assert isinstance(query, exp.Query)
    return _Rule(table, column, rule, query)


def _not_in(column: str, values: tuple[str, ...]) -> exp.Condition:
    col = exp.column(column)
    return exp.and_(
        col.is_(exp.null()).not_(), col.isin(*[exp.Literal.string(v) for v in values]).not_()
    )


def _rules() -> Iterator[_Rule]:
    t = {table.name: table for table in TABLES}
    # Keys, non-null columns and references, from the schema itself.
    for table in TABLES:
        keys = ", ".join(table.primary_key)
        yield _sql(
            table.name,
            keys,
            "primary_key_unique",
            f"SELECT {keys}, COUNT(*) AS copies FROM {table.name} GROUP BY {keys} HAVING COUNT(*) > 1",
        )
        for col in table.columns:
            if not col.nullable:
                yield _where(table, col.name, "not_null", f"{col.name} IS NULL")
        for col_name, ref_table, ref_col in table.foreign_keys:
            shown = ", ".join(f"c.{k}" for k in dict.fromkeys((*table.primary_key, col_name)))
            yield _sql(
                table.name,
                col_name,
                f"foreign_key:{ref_table}.{ref_col}",
                f"SELECT {shown} FROM {table.name} AS c LEFT JOIN {ref_table} AS r ON r.{ref_col} = c.{col_name} "
                f"WHERE c.{col_name} IS NOT NULL AND r.{ref_col} IS NULL",
            )
    p, w, wp = t["product"], t["warehouse"], t["warehouse_product"]
    soh, sol, poh, pol = (
        t["sales_order_header"],
        t["sales_order_line"],
        t["purchase_order_header"],
        t["purchase_order_line"],
    )
    yield _sql(
        "product",
        "product_name",
        "unique",
        "SELECT product_name, COUNT(*) AS copies FROM product GROUP BY product_name HAVING COUNT(*) > 1",
    )
    yield _where(p, "unit_cost", "positive", "unit_cost <= 0")
    yield _where(p, "unit_price", "price_above_cost", "unit_price <= unit_cost", ("unit_cost",))
    yield _where(p, "lead_time_days", "positive", "lead_time_days <= 0")
    yield _where(w, "capacity_units", "positive", "capacity_units <= 0")
    yield _where(w, "latitude", "range", "latitude NOT BETWEEN -90 AND 90")
    yield _where(w, "longitude", "range", "longitude NOT BETWEEN -180 AND 180")
    yield _where(wp, "quantity_on_hand", "non_negative", "quantity_on_hand < 0")
    yield _where(wp, "quantity_reserved", "non_negative", "quantity_reserved < 0")
    yield _where(
        wp,
        "quantity_reserved",
        "reserved_within_on_hand",
        "quantity_reserved > quantity_on_hand",
        ("quantity_on_hand",),
    )
    yield _where(wp, "safety_stock", "non_negative", "safety_stock < 0")
    yield _where(
        wp,
        "reorder_point",
        "above_safety_stock",
        "reorder_point <= safety_stock",
        ("safety_stock",),
    )
    yield _where(
        wp, "max_stock", "above_reorder_point", "max_stock <= reorder_point", ("reorder_point",)
    )
    yield _sql(
        "supplier",
        "supplier_name",
        "unique",
        "SELECT supplier_name, COUNT(*) AS copies FROM supplier GROUP BY supplier_name HAVING COUNT(*) > 1",
    )
    # Sales orders: enums, dates in order, dates present exactly when the status says so.
    yield _where(soh, "status", "allowed_values", _not_in("status", ORDER_STATUSES))
    yield _where(soh, "priority", "allowed_values", _not_in("priority", ORDER_PRIORITIES))
    yield _where(
        soh, "promised_date", "not_before_order_date", "promised_date < order_date", ("order_date",)
    )
    yield _where(
        soh,
        "ship_date",
        "null_unless_shipped",
        "ship_date IS NOT NULL AND status NOT IN ('SHIPPED', 'DELIVERED')",
        ("status",),
    )
    yield _where(
        soh,
        "ship_date",
        "set_when_shipped",
        "ship_date IS NULL AND status IN ('SHIPPED', 'DELIVERED')",
        ("status",),
    )
    yield _where(
        soh,
        "delivery_date",
        "null_unless_delivered",
        "delivery_date IS NOT NULL AND status <> 'DELIVERED'",
        ("status",),
    )
    yield _where(
        soh,
        "delivery_date",
        "set_when_delivered",
        "delivery_date IS NULL AND status = 'DELIVERED'",
        ("status",),
    )
    yield _where(
        soh, "ship_date", "not_before_order_date", "ship_date < order_date", ("order_date",)
    )
    yield _where(
        soh, "delivery_date", "not_before_ship_date", "delivery_date < ship_date", ("ship_date",)
    )
    yield _where(soh, "ship_to_latitude", "range", "ship_to_latitude NOT BETWEEN -90 AND 90")
    yield _where(soh, "ship_to_longitude", "range", "ship_to_longitude NOT BETWEEN -180 AND 180")
    yield _sql(
        "sales_order_header",
        "order_id",
        "has_lines",
        "SELECT h.order_id FROM sales_order_header AS h LEFT JOIN (SELECT DISTINCT order_id FROM sales_order_line) AS l "
        "ON l.order_id = h.order_id WHERE l.order_id IS NULL",
    )
    yield _where(sol, "line_number", "positive", "line_number <= 0")
    yield _where(sol, "quantity", "positive", "quantity <= 0")
    yield _where(sol, "unit_price", "positive", "unit_price <= 0")
    yield _where(
        sol,
        "line_total",
        "equals_quantity_times_price",
        "line_total <> quantity * unit_price",
        ("quantity", "unit_price"),
    )
    # Purchase orders.
    yield _where(poh, "status", "allowed_values", _not_in("status", PO_STATUSES))
    yield _where(
        poh, "expected_date", "not_before_order_date", "expected_date < order_date", ("order_date",)
    )
    yield _where(
        poh,
        "received_date",
        "null_unless_received",
        "received_date IS NOT NULL AND status NOT IN ('PARTIAL', 'RECEIVED')",
        ("status",),
    )
    yield _where(
        poh,
        "received_date",
        "set_when_received",
        "received_date IS NULL AND status IN ('PARTIAL', 'RECEIVED')",
        ("status",),
    )
    yield _where(
        poh, "received_date", "not_before_order_date", "received_date < order_date", ("order_date",)
    )
    yield _sql(
        "purchase_order_header",
        "po_id",
        "has_lines",
        "SELECT h.po_id FROM purchase_order_header AS h LEFT JOIN (SELECT DISTINCT po_id FROM purchase_order_line) AS l "
        "ON l.po_id = h.po_id WHERE l.po_id IS NULL",
    )
    yield _where(pol, "line_number", "positive", "line_number <= 0")
    yield _where(pol, "quantity_ordered", "positive", "quantity_ordered <= 0")
    yield _where(
        pol,
        "quantity_received",
        "within_ordered",
        "quantity_received < 0 OR quantity_received > quantity_ordered",
        ("quantity_ordered",),
    )
    yield _where(pol, "unit_cost", "positive", "unit_cost <= 0")
    yield _where(
        pol,
        "line_total",
        "equals_quantity_times_cost",
        "line_total <> quantity_ordered * unit_cost",
        ("quantity_ordered", "unit_cost"),
    )
    yield _sql(
        "purchase_order_line",
        "quantity_received",
        "zero_unless_received",
        "SELECT l.po_id, l.line_number, h.status, l.quantity_received FROM purchase_order_line AS l "
        "JOIN purchase_order_header AS h ON h.po_id = l.po_id WHERE h.status IN ('OPEN', 'CANCELLED') AND l.quantity_received <> 0",
    )
    yield _sql(
        "purchase_order_line",
        "quantity_received",
        "complete_when_received",
        "SELECT l.po_id, l.line_number, l.quantity_ordered, l.quantity_received FROM purchase_order_line AS l "
        "JOIN purchase_order_header AS h ON h.po_id = l.po_id WHERE h.status = 'RECEIVED' AND l.quantity_received <> l.quantity_ordered",
    )
    yield _sql(
        "purchase_order_line",
        "quantity_received",
        "partial_when_partial",
        "SELECT l.po_id, SUM(l.quantity_ordered) AS ordered, SUM(l.quantity_received) AS received FROM purchase_order_line AS l "
        "JOIN purchase_order_header AS h ON h.po_id = l.po_id WHERE h.status = 'PARTIAL' GROUP BY l.po_id "
        "HAVING SUM(l.quantity_received) <= 0 OR SUM(l.quantity_received) >= SUM(l.quantity_ordered)",
    )


def _structure(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, dict[str, str]]:
    """Columns and types per data table; raises when tables or columns are missing."""
    try:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    except duckdb.Error as exc:
        raise DataError(
            f"{path} could not be read (it may be corrupted).", detail=str(exc), path=str(path)
        ) from None
    found: dict[str, dict[str, str]] = {}
    for table, column, dtype in rows:
        found.setdefault(table, {})[column] = str(dtype).upper()
    missing_tables = [t.name for t in TABLES if t.name not in found]
    missing_columns = [
        f"{t.name}.{c}"
        for t in TABLES
        if t.name in found
        for c in t.column_names
        if c not in found[t.name]
    ]
    if missing_tables or missing_columns:
        parts = []
        if missing_tables:
            parts.append(f"missing table(s): {', '.join(missing_tables)}")
        if missing_columns:
            parts.append(f"missing column(s): {', '.join(missing_columns)}")
        raise DataError(
            f"{path} does not hold the workbench data model ({'; '.join(parts)}).",
            hint="Regenerate it with 'workbench data generate --force'.",
            path=str(path),
            missing_tables=missing_tables,
            missing_columns=missing_columns,
        )
    return found


def _example(columns: list[str], row: tuple[Any, ...]) -> str:
    return ", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True))


def check_database(path: str | os.PathLike[str]) -> CheckReport:
    """Run every rule on a warehouse file and report all failures at once."""
    db = Path(path)
    con = connect_read_only(db)
    issues: list[CheckIssue] = []
    names: list[str] = []
    try:
        found = _structure(con, db)
        for table in TABLES:
            for col in table.columns:
                names.append(f"{table.name}.{col.name}:type")
                actual = found[table.name][col.name]
                if actual != col.type.upper():
                    issues.append(
                        CheckIssue(
                            table.name, col.name, "type", 1, f"expected {col.type}, found {actual}"
                        )
                    )
        for rule in _rules():
            names.append(f"{rule.table}.{rule.column}:{rule.rule}")
            inner = rule.query.subquery("v")
            query = (
                exp.select(
                    exp.Window(this=exp.Count(this=exp.Star())).as_("_violations"), exp.Star()
                )
                .from_(inner)
                .limit(1)
            )
            try:
                cur = con.execute(query.sql(dialect="duckdb"))
                row = cur.fetchone()
                columns = [d[0] for d in cur.description or ()]
            except _CORRUPTION as exc:
                raise DataError(
                    f"{db} could not be read (it may be corrupted).", detail=str(exc), path=str(db)
                ) from None
            except duckdb.Error as exc:
                issues.append(
                    CheckIssue(
                        rule.table,
                        rule.column,
                        rule.rule,
                        1,
                        f"rule could not run: {exc}".splitlines()[0],
                    )
                )
                continue
            if row is not None:
                issues.append(
                    CheckIssue(
                        rule.table,
                        rule.column,
                        rule.rule,
                        int(row[0]),
                        _example(columns[1:], row[1:]),
                    )
                )
    finally:
        con.close()
    return CheckReport(db, tuple(issues), len(names), tuple(names))


def table_row_counts(path: str | os.PathLike[str]) -> dict[str, int]:
    """Rows per data table (missing tables are reported as a DataError)."""
    db = Path(path)
    con = connect_read_only(db)
    try:
        _structure(con, db)
        counts: dict[str, int] = {}
        for t in TABLES:
            row = con.execute(
                exp.select(exp.Count(this=exp.Star())).from_(t.name).sql("duckdb")
            ).fetchone()
            counts[t.name] = int(row[0]) if row else 0
        return counts
    finally:
        con.close()
