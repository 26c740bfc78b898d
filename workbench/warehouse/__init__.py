"""Warehouse backends (ports, adapters, registry) and the SQL safety guard."""

from __future__ import annotations

from workbench.warehouse.base import (
    ColumnInfo,
    IsolatingWarehouse,
    QueryResult,
    TableInfo,
    Warehouse,
    available_warehouses,
    create_warehouse,
    execute_untrusted,
    register_warehouse,
)
from workbench.warehouse.guard import CheckedQuery, SqlGuard, check_sql

__all__ = [
    "CheckedQuery",
    "ColumnInfo",
    "IsolatingWarehouse",
    "QueryResult",
    "SqlGuard",
    "TableInfo",
    "Warehouse",
    "available_warehouses",
    "check_sql",
    "create_warehouse",
    "execute_untrusted",
    "register_warehouse",
]
