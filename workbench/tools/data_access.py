"""The thin data-access layer of the tools: fetch their inputs from any :class:`Warehouse`.

Every statement is a sqlglot AST with values bound as literals (``exp.Literal.string``,
``CAST('2026-06-30' AS DATE)``), rendered by the warehouse for its own dialect, so the
same call works on DuckDB, Redshift and Athena and no caller value is ever spliced into
SQL text. Each function returns a tidy DataFrame with normalised dtypes (dates as
``datetime64``, money as ``float``); all arithmetic happens in the pure tool functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlglot import exp

from workbench.core.errors import DataError
from workbench.data.schema import OPEN_ORDER_STATUSES
from workbench.warehouse.base import Warehouse

__all__ = [
    "date_literal",
    "fetch_delivered_orders",
    "fetch_inventory",
    "fetch_open_orders",
    "fetch_products",
    "fetch_purchase_lines",
    "fetch_sales_by_day",
    "fetch_suppliers",
    "fetch_warehouses",
    "run",
]

#: Tools read whole inputs; a cut-off result would silently give wrong numbers, so fail instead.
MAX_ROWS = 2_000_000


def date_literal(day: dt.date) -> exp.Expression:
    """``CAST('YYYY-MM-DD' AS DATE)``: portable across DuckDB, Redshift and Athena."""
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.build("DATE"))


def _in(column: exp.Column, values: Sequence[str]) -> exp.Expression:
    return column.isin(*[exp.Literal.string(str(v)) for v in values])


def _col(name: str, table: str) -> exp.Column:
    return exp.column(name, table)


def run(
    warehouse: Warehouse,
    query: exp.Expression,
    *,
    dates: Sequence[str] = (),
    floats: Sequence[str] = (),
) -> pd.DataFrame:
    """Execute an AST and normalise column types; refuse silently truncated inputs."""
    result = warehouse.execute(query, row_limit=MAX_ROWS)
    if result.truncated:
        raise DataError(
            "The tool's input is too large to read in one go.",
            hint="Narrow the question to one warehouse, a few products or a shorter period.",
            rows=len(result.frame),
        )
    frame = result.frame.copy()
    for name in dates:
        if name in frame.columns:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
    for name in floats:
        if name in frame.columns:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def _product_filters(
    query: exp.Select, alias: str, product_ids: Sequence[str] | None, category: str | None
) -> exp.Select:
    if product_ids:
        query = query.where(_in(_col("product_id", alias), product_ids))
    if category:
        query = query.where(
            exp.func("LOWER", _col("category", alias)).eq(exp.Literal.string(category.lower()))
        )
    return query


def fetch_products(
    warehouse: Warehouse, *, product_ids: Sequence[str] | None = None, category: str | None = None
) -> pd.DataFrame:
    """Product master rows (id, name, category, standard cost and price, lead time)."""
    cols = [
        "product_id",
        "product_name",
        "category",
        "unit_cost",
        "unit_price",
        "lead_time_days",
        "is_active",
    ]
    query = exp.select(*[_col(c, "p") for c in cols]).from_(exp.table_("product", alias="p"))
    query = _product_filters(query, "p", product_ids, category).order_by(_col("product_id", "p"))
    return run(warehouse, query, floats=["unit_cost", "unit_price"])


def fetch_warehouses(
    warehouse: Warehouse, *, warehouse_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Warehouse rows with coordinates and capacity."""
    cols = [
        "warehouse_id",
        "warehouse_name",
        "city",
        "region",
        "latitude",
        "longitude",
        "capacity_units",
    ]
    query = exp.select(*[_col(c, "w") for c in cols]).from_(exp.table_("warehouse", alias="w"))
    if warehouse_ids:
        query = query.where(_in(_col("warehouse_id", "w"), warehouse_ids))
    return run(
        warehouse, query.order_by(_col("warehouse_id", "w")), floats=["latitude", "longitude"]
    )


def fetch_inventory(
    warehouse: Warehouse,
    *,
    warehouse_id: str | None = None,
    product_ids: Sequence[str] | None = None,
    category: str | None = None,
) -> pd.DataFrame:
    """Current inventory positions joined with the product attributes the formulas need."""
    wp_cols = [
        "warehouse_id",
        "product_id",
        "quantity_on_hand",
        "quantity_reserved",
        "safety_stock",
        "reorder_point",
        "max_stock",
    ]
    p_cols = ["product_name", "category", "unit_cost", "lead_time_days"]
    query = (
        exp.select(*[_col(c, "wp") for c in wp_cols], *[_col(c, "p") for c in p_cols])
        .from_(exp.table_("warehouse_product", alias="wp"))
        .join(
            exp.table_("product", alias="p"),
            on=_col("product_id", "wp").eq(_col("product_id", "p")),
        )
    )
    if warehouse_id:
        query = query.where(_col("warehouse_id", "wp").eq(exp.Literal.string(warehouse_id)))
    query = _product_filters(query, "p", product_ids, category)
    query = query.order_by(_col("warehouse_id", "wp"), _col("product_id", "wp"))
    frame = run(warehouse, query, floats=["unit_cost"])
    for name in [
        "quantity_on_hand",
        "quantity_reserved",
        "safety_stock",
        "reorder_point",
        "max_stock",
        "lead_time_days",
    ]:
        frame[name] = frame[name].astype("int64")
    return frame


def fetch_sales_by_day(
    warehouse: Warehouse,
    *,
    start: dt.date,
    end: dt.date,
    warehouse_id: str | None = None,
    product_ids: Sequence[str] | None = None,
    category: str | None = None,
) -> pd.DataFrame:
    """Units sold per order date, warehouse and product in ``[start, end]``; cancelled orders excluded.

    Days without sales are absent here; :func:`workbench.tools.inventory.daily_demand_grid`
    fills them with zero.
    """
    query = (
        exp.select(
            _col("order_date", "h").as_("date"),
            _col("warehouse_id", "h"),
            _col("product_id", "l"),
            exp.func("SUM", _col("quantity", "l")).as_("quantity"),
        )
        .from_(exp.table_("sales_order_header", alias="h"))
        .join(
            exp.table_("sales_order_line", alias="l"),
            on=_col("order_id", "h").eq(_col("order_id", "l")),
        )
        .where(_col("status", "h").neq(exp.Literal.string("CANCELLED")))
        .where(_col("order_date", "h").between(date_literal(start), date_literal(end)))
    )
    if warehouse_id:
        query = query.where(_col("warehouse_id", "h").eq(exp.Literal.string(warehouse_id)))
    if product_ids:
        query = query.where(_in(_col("product_id", "l"), product_ids))
    if category:
        query = query.join(
            exp.table_("product", alias="p"), on=_col("product_id", "l").eq(_col("product_id", "p"))
        )
        query = _product_filters(query, "p", None, category)
    query = query.group_by(
        _col("order_date", "h"), _col("warehouse_id", "h"), _col("product_id", "l")
    )
    frame = run(warehouse, query, dates=["date"], floats=["quantity"])
    return frame


_ORDER_COLS = [
    "order_id",
    "order_date",
    "customer_id",
    "customer_name",
    "warehouse_id",
    "status",
    "priority",
    "promised_date",
    "ship_date",
    "delivery_date",
    "ship_to_latitude",
    "ship_to_longitude",
]
_ORDER_DATES = ["order_date", "promised_date", "ship_date", "delivery_date"]


def _orders_with_units() -> exp.Select:
    units = (
        exp.select(_col("order_id", "l"), exp.func("SUM", _col("quantity", "l")).as_("units"))
        .from_(exp.table_("sales_order_line", alias="l"))
        .group_by(_col("order_id", "l"))
    )
    return (
        exp.select(
            *[_col(c, "h") for c in _ORDER_COLS],
            exp.func("COALESCE", _col("units", "u"), exp.Literal.number(0)).as_("units"),
        )
        .from_(exp.table_("sales_order_header", alias="h"))
        .join(
            units.subquery("u"),
            on=_col("order_id", "h").eq(_col("order_id", "u")),
            join_type="left",
        )
    )


def fetch_open_orders(
    warehouse: Warehouse, *, warehouse_id: str | None = None, promised_on: dt.date | None = None
) -> pd.DataFrame:
    """Open orders (PENDING, PICKING, SHIPPED) with their units; optionally only those promised on one day."""
    query = _orders_with_units().where(_in(_col("status", "h"), OPEN_ORDER_STATUSES))
    if warehouse_id:
        query = query.where(_col("warehouse_id", "h").eq(exp.Literal.string(warehouse_id)))
    if promised_on is not None:
        query = query.where(_col("promised_date", "h").eq(date_literal(promised_on)))
    query = query.order_by(_col("order_id", "h"))
    frame = run(
        warehouse, query, dates=_ORDER_DATES, floats=["ship_to_latitude", "ship_to_longitude"]
    )
    frame["units"] = pd.to_numeric(frame["units"]).fillna(0).astype("int64")
    return frame


def fetch_delivered_orders(
    warehouse: Warehouse, *, start: dt.date, end: dt.date, warehouse_id: str | None = None
) -> pd.DataFrame:
    """Orders delivered with ``delivery_date`` in ``[start, end]`` (delivery performance uses delivery_date)."""
    query = (
        exp.select(*[_col(c, "h") for c in _ORDER_COLS])
        .from_(exp.table_("sales_order_header", alias="h"))
        .where(_col("status", "h").eq(exp.Literal.string("DELIVERED")))
        .where(_col("delivery_date", "h").between(date_literal(start), date_literal(end)))
    )
    if warehouse_id:
        query = query.where(_col("warehouse_id", "h").eq(exp.Literal.string(warehouse_id)))
    return run(
        warehouse,
        query.order_by(_col("order_id", "h")),
        dates=_ORDER_DATES,
        floats=["ship_to_latitude", "ship_to_longitude"],
    )


def fetch_suppliers(
    warehouse: Warehouse, *, supplier_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    query = exp.select(
        _col("supplier_id", "s"), _col("supplier_name", "s"), _col("country", "s")
    ).from_(exp.table_("supplier", alias="s"))
    if supplier_ids:
        query = query.where(_in(_col("supplier_id", "s"), supplier_ids))
    return run(warehouse, query.order_by(_col("supplier_id", "s")))


def fetch_purchase_lines(
    warehouse: Warehouse,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    supplier_ids: Sequence[str] | None = None,
    product_ids: Sequence[str] | None = None,
    category: str | None = None,
    warehouse_id: str | None = None,
    include_cancelled: bool = False,
) -> pd.DataFrame:
    """PO lines with their header, supplier name and the product's standard cost.

    Filters on the PO ``order_date`` (purchase measures use it). Cancelled POs are left out
    unless asked for: they never count in spend, scores or savings.
    """
    h_cols = [
        "po_id",
        "supplier_id",
        "warehouse_id",
        "order_date",
        "expected_date",
        "received_date",
        "status",
    ]
    l_cols = [
        "line_number",
        "product_id",
        "quantity_ordered",
        "quantity_received",
        "unit_cost",
        "line_total",
    ]
    query = (
        exp.select(
            *[_col(c, "h") for c in h_cols],
            *[_col(c, "l") for c in l_cols],
            _col("product_name", "p"),
            _col("category", "p"),
            _col("unit_cost", "p").as_("standard_cost"),
            _col("supplier_name", "s"),
        )
        .from_(exp.table_("purchase_order_header", alias="h"))
        .join(
            exp.table_("purchase_order_line", alias="l"),
            on=_col("po_id", "h").eq(_col("po_id", "l")),
        )
        .join(
            exp.table_("product", alias="p"), on=_col("product_id", "l").eq(_col("product_id", "p"))
        )
        .join(
            exp.table_("supplier", alias="s"),
            on=_col("supplier_id", "h").eq(_col("supplier_id", "s")),
        )
    )
    if not include_cancelled:
        query = query.where(_col("status", "h").neq(exp.Literal.string("CANCELLED")))
    if start is not None:
        query = query.where(_col("order_date", "h") >= date_literal(start))
    if end is not None:
        query = query.where(_col("order_date", "h") <= date_literal(end))
    if supplier_ids:
        query = query.where(_in(_col("supplier_id", "h"), supplier_ids))
    if warehouse_id:
        query = query.where(_col("warehouse_id", "h").eq(exp.Literal.string(warehouse_id)))
    query = _product_filters(query, "p", product_ids, category)
    query = query.order_by(_col("po_id", "h"), _col("line_number", "l"))
    frame = run(
        warehouse,
        query,
        dates=["order_date", "expected_date", "received_date"],
        floats=["unit_cost", "line_total", "standard_cost"],
    )
    for name in ["quantity_ordered", "quantity_received"]:
        frame[name] = frame[name].astype("int64")
    return frame
