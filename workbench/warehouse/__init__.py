"""Warehouse backends (ports, adapters, registry) and the SQL safety guard."""

from __future__ import annotations

from workbench.warehouse.base import (
    ColumnInfo,
    QueryResult,
    TableInfo,
    Warehouse,
    available_warehouses,
    create_warehouse,
    register_warehouse,
)
from workbench.warehouse.guard import CheckedQuery, SqlGuard, check_sql

__all__ = [
    "CheckedQuery",
    "ColumnInfo",
    "QueryResult",
    "SqlGuard",
    "TableInfo",
    "Warehouse",
    "available_warehouses",
    "check_sql",
    "create_warehouse",
    "register_warehouse",
]
