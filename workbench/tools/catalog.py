"""The built-in tools: JSON-schema contracts plus the runners that fetch inputs and call the pure functions.

Each runner takes the warehouse and JSON arguments (ids, ISO dates, numbers), fetches its
inputs through :mod:`workbench.tools.data_access`, computes with the pure functions of
:mod:`~workbench.tools.inventory`, :mod:`~workbench.tools.logistics` and
:mod:`~workbench.tools.supplier`, and returns a JSON-safe :class:`ToolResult`. Nothing here
reads the clock: time-dependent tools require ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from workbench.core.errors import ToolArgumentError, ToolError
from workbench.tools import data_access as da
from workbench.tools import inventory as inv
from workbench.tools import logistics as lg
from workbench.tools import supplier as sp
from workbench.tools.registry import ToolSpec
from workbench.tools.result import ToolResult
from workbench.warehouse.base import Warehouse

__all__ = ["CATALOG", "SALES_TABLES", "STOCK_TABLES", "SUPPLY_TABLES"]

STOCK_TABLES = frozenset({"product", "warehouse", "warehouse_product"})
SALES_TABLES = STOCK_TABLES | {"sales_order_header", "sales_order_line"}
SUPPLY_TABLES = frozenset({"product", "supplier", "purchase_order_header", "purchase_order_line"})
_KEYS = ["warehouse_id", "product_id"]

# -- schema building blocks --------------------------------------------------------------------
_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_WAREHOUSE = {**_ID, "description": "Warehouse id, e.g. WH-EAST. Omit for every warehouse."}
_PRODUCTS = {
    "type": "array",
    "items": {**_ID, "description": "Product id, e.g. P0001"},
    "minItems": 1,
    "maxItems": 1000,
    "uniqueItems": True,
    "description": "Product ids to include. Omit for every product.",
}
_CATEGORY = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "description": "Product category, e.g. Plumbing.",
}
_AS_OF = {
    "type": "string",
    "format": "date",
    "description": "The as-of date ('today') in ISO format, YYYY-MM-DD.",
}
_DATE = {"type": "string", "format": "date"}
_SERVICE = {
    "type": "number",
    "minimum": 0.5,
    "maximum": 0.9999,
    "default": inv.DEFAULT_SERVICE_LEVEL,
    "description": "Cycle service level as a fraction, e.g. 0.95 for 95%.",
}
_SUPPLIERS = {
    "type": "array",
    "items": _ID,
    "minItems": 1,
    "maxItems": 500,
    "uniqueItems": True,
    "description": "Supplier ids, e.g. S001.",
}


def _schema(properties: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_SCOPE = {"warehouse_id": _WAREHOUSE, "product_ids": _PRODUCTS, "category": _CATEGORY}
_PERIOD = {
    "start_date": {
        **_DATE,
        "description": "First PO order date to include (default: 365 days before as_of).",
    },
    "end_date": {**_DATE, "description": "Last PO order date to include (default: as_of)."},
}


# -- shared helpers ------------------------------------------------------------------------------
def _day(value: str | dt.date, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ToolArgumentError(
            f"'{name}' must be a date like 2026-06-30, got {value!r}.", argument=name
        ) from None


def _period(
    as_of: dt.date, start_date: str | None, end_date: str | None, default_days: int = 365
) -> tuple[dt.date, dt.date]:
    end = _day(end_date, "end_date") if end_date else as_of
    start = (
        _day(start_date, "start_date") if start_date else end - dt.timedelta(days=default_days - 1)
    )
    if start > end:
        raise ToolArgumentError(
            f"The period starts ({start}) after it ends ({end}).", argument="start_date"
        )
    return start, end


def _check_warehouse(warehouse: Warehouse, warehouse_id: str | None) -> pd.DataFrame:
    """All warehouses (or the one asked for); an unknown id fails with the closest known ones."""
    all_wh = da.fetch_warehouses(warehouse)
    if warehouse_id is None:
        return all_wh
    found = all_wh[all_wh["warehouse_id"].str.upper() == warehouse_id.upper()]
    if found.empty:
        known = all_wh["warehouse_id"].tolist()
        close = difflib.get_close_matches(warehouse_id.upper(), known, n=2, cutoff=0.4)
        raise ToolArgumentError(
            f"There is no warehouse '{warehouse_id}'.",
            hint=f"Did you mean {' or '.join(close)}?"
            if close
            else f"Known warehouses: {', '.join(known)}.",
            argument="warehouse_id",
        )
    return found.reset_index(drop=True)


def _canonical_warehouse(warehouse: Warehouse, warehouse_id: str | None) -> str | None:
    return (
        None
        if warehouse_id is None
        else str(_check_warehouse(warehouse, warehouse_id)["warehouse_id"].iloc[0])
    )


def _check_products(warehouse: Warehouse, product_ids: Sequence[str] | None) -> list[str] | None:
    if not product_ids:
        return None
    wanted = [p.upper() for p in product_ids]
    found = set(da.fetch_products(warehouse, product_ids=wanted)["product_id"])
    missing = [p for p in wanted if p not in found]
    if missing:
        raise ToolArgumentError(
            f"Unknown product id(s): {', '.join(missing[:10])}.",
            hint="Product ids look like P0001; 'workbench sql \"SELECT product_id, product_name FROM product\"' lists them.",
            argument="product_ids",
        )
    return wanted


def _inventory(
    warehouse: Warehouse,
    warehouse_id: str | None,
    product_ids: Sequence[str] | None,
    category: str | None,
) -> tuple[pd.DataFrame, str | None, list[str] | None]:
    wid = _canonical_warehouse(warehouse, warehouse_id)
    pids = _check_products(warehouse, product_ids)
    positions = da.fetch_inventory(warehouse, warehouse_id=wid, product_ids=pids, category=category)
    if positions.empty:
        scope = (
            ", ".join(x for x in [wid or "", category or "", ", ".join(pids or [])] if x)
            or "the data"
        )
        raise ToolError(
            f"No inventory positions match {scope}.",
            hint="Check the warehouse, product ids or category.",
        )
    return positions, wid, pids


def _daily_demand(
    warehouse: Warehouse,
    positions: pd.DataFrame,
    as_of: dt.date,
    wid: str | None,
    pids: list[str] | None,
    category: str | None,
    days: int,
    *,
    trim_to_history: bool = False,
) -> pd.DataFrame:
    """Zero-filled daily demand per position over the ``days`` ending ``as_of``.

    With ``trim_to_history`` the window starts no earlier than the first sale seen, so a
    forecast is not fitted on months of zeros from before the records begin.
    """
    start, end = inv.demand_window(as_of, days)
    sales = da.fetch_sales_by_day(
        warehouse, start=start, end=end, warehouse_id=wid, product_ids=pids, category=category
    )
    if trim_to_history and not sales.empty:
        start = max(start, pd.Timestamp(sales["date"].min()).date())
    return inv.daily_demand_grid(sales, positions[_KEYS], start, end)


def _recent_demand(
    warehouse: Warehouse,
    as_of: str,
    warehouse_id: str | None,
    product_ids: Sequence[str] | None,
    category: str | None,
) -> tuple[dt.date, pd.DataFrame, pd.DataFrame]:
    """The as-of day, the positions in scope and their daily demand over the glossary's 30 days."""
    day = _day(as_of, "as_of")
    positions, wid, pids = _inventory(warehouse, warehouse_id, product_ids, category)
    daily = _daily_demand(warehouse, positions, day, wid, pids, category, inv.DEMAND_WINDOW_DAYS)
    return day, positions, daily


def _service_summary(day: dt.date, service_level: float, out: pd.DataFrame) -> dict[str, Any]:
    """The summary fields every service-level calculation reports."""
    return {
        "as_of": day,
        "service_level": service_level,
        "z": inv.z_score(service_level),
        "demand_window_days": inv.DEMAND_WINDOW_DAYS,
        "positions": len(out),
    }


def _attributes(positions: pd.DataFrame) -> pd.DataFrame:
    return positions[["warehouse_id", "product_id", "product_name", "category"]]


def _ceil(series: pd.Series) -> pd.Series:
    return series.map(lambda v: math.ceil(round(v, 9)) if pd.notna(v) else v).astype("int64")


# -- inventory tools -------------------------------------------------------------------------
def run_safety_stock(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    service_level: float = inv.DEFAULT_SERVICE_LEVEL,
) -> ToolResult:
    day, positions, daily = _recent_demand(warehouse, as_of, warehouse_id, product_ids, category)
    lead = positions.drop_duplicates("product_id").set_index("product_id")["lead_time_days"]
    ss = inv.safety_stock(daily, lead, service_level)
    current = positions[[*_KEYS, "product_name", "category", "safety_stock"]].rename(
        columns={"safety_stock": "current_safety_stock"}
    )
    out = current.merge(ss, on=_KEYS)
    out["recommended_safety_stock"] = _ceil(out["safety_stock"])
    out["lead_time_days"] = out["lead_time_days"].astype("int64")
    out["change"] = out["recommended_safety_stock"] - out["current_safety_stock"]
    cols = [
        *_KEYS,
        "product_name",
        "category",
        "lead_time_days",
        "mean_daily_demand",
        "std_daily_demand",
        "z",
        "safety_stock",
        "recommended_safety_stock",
        "current_safety_stock",
        "change",
    ]
    return ToolResult.from_frame(
        "safety_stock",
        out[cols],
        {
            **_service_summary(day, service_level, out),
            "total_safety_stock": float(out["safety_stock"].sum()),
            "total_recommended_safety_stock": int(out["recommended_safety_stock"].sum()),
            "total_current_safety_stock": int(out["current_safety_stock"].sum()),
            "positions_below_recommendation": int((out["change"] > 0).sum()),
        },
    )


def run_reorder_point(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    service_level: float = inv.DEFAULT_SERVICE_LEVEL,
) -> ToolResult:
    day, positions, daily = _recent_demand(warehouse, as_of, warehouse_id, product_ids, category)
    lead = positions.drop_duplicates("product_id").set_index("product_id")["lead_time_days"]
    rop = inv.reorder_point(daily, lead, service_level)
    pos = positions[
        [
            *_KEYS,
            "product_name",
            "category",
            "quantity_on_hand",
            "quantity_reserved",
            "reorder_point",
            "max_stock",
        ]
    ].rename(columns={"reorder_point": "current_reorder_point"})
    out = pos.merge(rop, on=_KEYS)
    out["recommended_reorder_point"] = _ceil(out["reorder_point"])
    out["lead_time_days"] = out["lead_time_days"].astype("int64")
    out["reorder_now"] = out["quantity_on_hand"] <= out["reorder_point"]
    out["suggested_order_quantity"] = (
        (out["max_stock"] - out["quantity_on_hand"]).clip(lower=0).where(out["reorder_now"], 0)
    )
    cols = [
        *_KEYS, "product_name", "category", "lead_time_days", "mean_daily_demand", "std_daily_demand", "lead_time_demand",
        "safety_stock", "reorder_point", "recommended_reorder_point", "current_reorder_point", "quantity_on_hand",
        "reorder_now", "suggested_order_quantity",
    ]  # fmt: skip
    out = out[cols].sort_values(
        ["reorder_now", *_KEYS], ascending=[False, True, True], ignore_index=True
    )
    return ToolResult.from_frame(
        "reorder_point",
        out,
        {
            **_service_summary(day, service_level, out),
            "reorder_now": int(out["reorder_now"].sum()),
            "suggested_units": int(out["suggested_order_quantity"].sum()),
        },
    )


def run_economic_order_quantity(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    order_cost: float = inv.DEFAULT_ORDER_COST,
    holding_rate: float = inv.DEFAULT_HOLDING_RATE,
) -> ToolResult:
    day, positions, daily = _recent_demand(warehouse, as_of, warehouse_id, product_ids, category)
    cost = positions.drop_duplicates("product_id").set_index("product_id")["unit_cost"]
    eoq = inv.economic_order_quantity(daily, cost, order_cost, holding_rate)
    out = _attributes(positions).merge(eoq, on=_KEYS)
    out["recommended_order_quantity"] = _ceil(out["economic_order_quantity"])
    cols = [
        *_KEYS, "product_name", "category", "unit_cost", "mean_daily_demand", "annual_demand", "holding_cost_per_unit",
        "economic_order_quantity", "recommended_order_quantity", "orders_per_year", "annual_order_cost",
        "annual_holding_cost", "annual_total_cost",
    ]  # fmt: skip
    return ToolResult.from_frame(
        "economic_order_quantity",
        out[cols],
        {
            "as_of": day,
            "order_cost": order_cost,
            "holding_rate": holding_rate,
            "demand_window_days": inv.DEMAND_WINDOW_DAYS,
            "positions": len(out),
            "annual_total_cost": float(out["annual_total_cost"].sum()),
        },
    )


def run_identify_low_stock(
    warehouse: Warehouse,
    *,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
) -> ToolResult:
    positions, _, _ = _inventory(warehouse, warehouse_id, product_ids, category)
    low = inv.identify_low_stock(positions)
    cols = [
        *_KEYS, "product_name", "category", "quantity_on_hand", "quantity_reserved", "available", "safety_stock",
        "reorder_point", "max_stock", "out_of_stock", "below_reorder_point", "shortfall_to_safety_stock",
        "suggested_order_quantity",
    ]  # fmt: skip
    return ToolResult.from_frame(
        "identify_low_stock",
        low[cols],
        {
            "positions_checked": len(positions),
            "low_stock": len(low),
            "out_of_stock": int(low["out_of_stock"].sum()),
            "suggested_units": int(low["suggested_order_quantity"].sum()),
            "suggested_value": float((low["suggested_order_quantity"] * low["unit_cost"]).sum()),
        },
    )


def run_identify_stockout_risk(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    include_all: bool = False,
) -> ToolResult:
    day, positions, daily = _recent_demand(warehouse, as_of, warehouse_id, product_ids, category)
    risk = inv.identify_stockout_risk(positions, daily)
    shown = risk if include_all else risk[risk["at_risk"]]
    cols = [
        *_KEYS,
        "product_name",
        "category",
        "available",
        "mean_daily_demand",
        "days_of_cover",
        "no_demand",
        "lead_time_days",
        "at_risk",
        "shortfall_units",
    ]
    return ToolResult.from_frame(
        "identify_stockout_risk",
        shown[cols],
        {
            "as_of": day,
            "demand_window_days": inv.DEMAND_WINDOW_DAYS,
            "positions_checked": len(risk),
            "at_risk": int(risk["at_risk"].sum()),
            "no_demand": int((risk["mean_daily_demand"] == 0).sum()),
        },
    )


def run_forecast_demand(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    horizon_days: int = 14,
    history_days: int = 365,
    backtest_days: int = 14,
) -> ToolResult:
    day = _day(as_of, "as_of")
    positions, wid, pids = _inventory(warehouse, warehouse_id, product_ids, category)
    daily = _daily_demand(
        warehouse, positions, day, wid, pids, category, history_days, trim_to_history=True
    )
    by_product = daily.groupby(["product_id", "date"], as_index=False).agg(
        quantity=("quantity", "sum")
    )
    per, days = inv.forecast_demand(by_product, horizon_days, backtest_days=backtest_days)
    names = positions.drop_duplicates("product_id").set_index("product_id")
    per.insert(1, "product_name", per["product_id"].map(names["product_name"]))
    per.insert(2, "category", per["product_id"].map(names["category"]))
    total = days.groupby("date", as_index=False).agg(forecast=("forecast", "sum"))
    actual = float(per["backtest_actual"].sum())
    pooled = float(per["backtest_abs_error"].sum()) / actual if actual > 0 else None
    per = per.sort_values(
        ["forecast_total", "product_id"], ascending=[False, True], ignore_index=True
    )
    cols = [
        "product_id",
        "product_name",
        "category",
        "method",
        "forecast_total",
        "forecast_daily_mean",
        "history_mean",
        "backtest_wmape",
        "backtest_mape",
        "baseline_wmape",
        "backtest_days",
    ]
    daily_named = days.assign(product_name=days["product_id"].map(names["product_name"]))[
        ["date", "product_id", "product_name", "forecast"]
    ]
    return ToolResult.from_frame(
        "forecast_demand",
        per[cols],
        {
            "as_of": day,
            "warehouse_id": wid,
            "horizon_days": horizon_days,
            "forecast_start": day + dt.timedelta(days=1),
            "forecast_end": day + dt.timedelta(days=horizon_days),
            "history_start": by_product["date"].min() if len(by_product) else None,
            "history_days": int(by_product["date"].nunique()),
            "backtest_days": backtest_days,
            "products": len(per),
            "forecast_total": float(total["forecast"].sum()),
            "backtest_wmape": pooled,
            "methods": per["method"].value_counts().to_dict(),
        },
        tables={"daily": daily_named, "total": total},
    )


# -- logistics tools -------------------------------------------------------------------------
def run_optimize_delivery_route(
    warehouse: Warehouse,
    *,
    warehouse_id: str,
    as_of: str,
    vehicles: int = 1,
    vehicle_capacity: int | None = None,
    max_route_km: float | None = None,
    shift_hours: float | None = None,
    average_speed_kmh: float = lg.DEFAULT_AVERAGE_SPEED_KMH,
    fleet: str = "fixed",
    time_limit_seconds: float = 1.0,
) -> ToolResult:
    day = _day(as_of, "as_of")
    depot = {str(k): v for k, v in _check_warehouse(warehouse, warehouse_id).iloc[0].items()}
    orders = da.fetch_open_orders(
        warehouse, warehouse_id=str(depot["warehouse_id"]), promised_on=day
    )
    stops = orders.rename(
        columns={"ship_to_latitude": "latitude", "ship_to_longitude": "longitude"}
    )[["order_id", "customer_name", "priority", "status", "latitude", "longitude", "units"]]
    frame, summary = lg.optimize_delivery_route(
        depot,
        stops,
        vehicles=vehicles,
        vehicle_capacity=vehicle_capacity,
        max_route_km=max_route_km,
        shift_hours=shift_hours,
        average_speed_kmh=average_speed_kmh,
        fleet=fleet,
        time_limit_seconds=time_limit_seconds,
    )
    summary.update(as_of=day, warehouse_name=depot["warehouse_name"])
    return ToolResult.from_frame("optimize_delivery_route", frame, summary)


def run_check_fulfillment_status(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
) -> ToolResult:
    day = _day(as_of, "as_of")
    whs = _check_warehouse(warehouse, warehouse_id)
    wid = str(whs["warehouse_id"].iloc[0]) if warehouse_id else None
    start, end = _period(day, start_date, end_date, default_days=30)
    open_orders = da.fetch_open_orders(warehouse, warehouse_id=wid)
    delivered = da.fetch_delivered_orders(warehouse, start=start, end=end, warehouse_id=wid)
    status = lg.check_fulfillment_status(open_orders, delivered, day, whs["warehouse_id"].tolist())
    totals = status.drop(columns="warehouse_id").sum(numeric_only=True)
    delivered_n = int(totals["delivered"])
    return ToolResult.from_frame(
        "check_fulfillment_status",
        status,
        {
            "as_of": day,
            "delivery_period_start": start,
            "delivery_period_end": end,
            "open_orders": int(totals["open_orders"]),
            "overdue_orders": int(totals["overdue_orders"]),
            "due_today": int(totals["due_today"]),
            "delayed_shipments": int(totals["delayed_shipments"]),
            "delivered": delivered_n,
            "on_time_rate": float(totals["on_time_deliveries"] / delivered_n)
            if delivered_n
            else None,
            "avg_fulfilment_days": float(
                lg._days(delivered["delivery_date"], delivered["order_date"]).mean()
            )
            if delivered_n
            else None,
        },
    )


def run_identify_delayed_orders(
    warehouse: Warehouse,
    *,
    as_of: str,
    warehouse_id: str | None = None,
    shipped_only: bool = False,
) -> ToolResult:
    day = _day(as_of, "as_of")
    wid = _canonical_warehouse(warehouse, warehouse_id)
    late = lg.identify_delayed_orders(
        da.fetch_open_orders(warehouse, warehouse_id=wid), day, shipped_only=shipped_only
    )
    cols = [
        "order_id",
        "warehouse_id",
        "customer_name",
        "status",
        "priority",
        "order_date",
        "promised_date",
        "ship_date",
        "days_late",
        "delayed_shipment",
        "units",
    ]
    return ToolResult.from_frame(
        "identify_delayed_orders",
        late[cols],
        {
            "as_of": day,
            "shipped_only": shipped_only,
            "delayed_orders": len(late),
            "delayed_shipments": int(late["delayed_shipment"].sum()),
            "express": int((late["priority"] == "EXPRESS").sum()),
            "max_days_late": int(late["days_late"].max()) if len(late) else 0,
            "units": int(late["units"].sum()) if len(late) else 0,
        },
    )


def run_calculate_warehouse_capacity(
    warehouse: Warehouse, *, warehouse_id: str | None = None
) -> ToolResult:
    whs = _check_warehouse(warehouse, warehouse_id)
    wid = str(whs["warehouse_id"].iloc[0]) if warehouse_id else None
    out = lg.calculate_warehouse_capacity(whs, da.fetch_inventory(warehouse, warehouse_id=wid))
    cap = int(out["capacity_units"].sum())
    on_hand = int(out["quantity_on_hand"].sum())
    return ToolResult.from_frame(
        "calculate_warehouse_capacity",
        out,
        {
            "warehouses": len(out),
            "capacity_units": cap,
            "quantity_on_hand": on_hand,
            "utilization": on_hand / cap if cap else None,
            "free_units": cap - on_hand,
        },
    )


# -- supplier tools ---------------------------------------------------------------------------
def _po_lines(
    warehouse: Warehouse,
    as_of: dt.date,
    start_date: str | None,
    end_date: str | None,
    *,
    supplier_ids: list[str] | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    warehouse_id: str | None = None,
    default_days: int | None = 365,
) -> tuple[pd.DataFrame, dt.date, dt.date]:
    """The PO lines of the period.

    ``default_days=None`` with no ``start_date`` reads all history up to the end, and the
    period then starts at the first PO found.
    """
    start, end = _period(as_of, start_date, end_date, default_days or 1)
    unbounded = default_days is None and not start_date
    pids = _check_products(warehouse, product_ids)
    lines = da.fetch_purchase_lines(
        warehouse,
        start=None if unbounded else start,
        end=end,
        supplier_ids=[s.upper() for s in supplier_ids] if supplier_ids else None,
        product_ids=pids,
        category=category,
        warehouse_id=warehouse_id.upper() if warehouse_id else None,
    )
    if lines.empty:
        raise ToolError(
            f"No purchase orders match {f'up to {end}' if unbounded else f'between {start} and {end}'}.",
            hint="Widen the period or drop a filter.",
        )
    if unbounded:
        start = pd.Timestamp(lines["order_date"].min()).date()
    return lines, start, end


def run_analyze_supplier_performance(
    warehouse: Warehouse,
    *,
    as_of: str,
    start_date: str | None = None,
    end_date: str | None = None,
    supplier_ids: list[str] | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    warehouse_id: str | None = None,
) -> ToolResult:
    day = _day(as_of, "as_of")
    lines, start, end = _po_lines(
        warehouse,
        day,
        start_date,
        end_date,
        supplier_ids=supplier_ids,
        product_ids=product_ids,
        category=category,
        warehouse_id=warehouse_id,
        default_days=None,
    )
    perf = sp.analyze_supplier_performance(lines)
    best = perf.iloc[0]
    return ToolResult.from_frame(
        "analyze_supplier_performance",
        perf,
        {
            "as_of": day,
            "period_start": start,
            "period_end": end,
            "suppliers": len(perf),
            "best_supplier_id": best["supplier_id"],
            "best_supplier_name": best["supplier_name"],
            "best_score": best["score"],
            "worst_supplier_name": perf.dropna(subset=["score"]).iloc[-1]["supplier_name"]
            if perf["score"].notna().any()
            else None,
            "total_spend": float(perf["spend"].sum()),
        },
    )


def run_compare_supplier_costs(
    warehouse: Warehouse,
    *,
    as_of: str,
    product_ids: list[str] | None = None,
    category: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
) -> ToolResult:
    day = _day(as_of, "as_of")
    lines, start, end = _po_lines(
        warehouse, day, start_date, end_date, product_ids=product_ids, category=category
    )
    costs = sp.compare_supplier_costs(lines)
    multi = costs.groupby("product_id")["supplier_id"].transform("count") > 1
    return ToolResult.from_frame(
        "compare_supplier_costs",
        costs,
        {
            "as_of": day,
            "period_start": start,
            "period_end": end,
            "products": int(costs["product_id"].nunique()),
            "products_with_several_suppliers": int(costs.loc[multi, "product_id"].nunique()),
            "max_premium_vs_cheapest": float(costs["premium_vs_cheapest"].max()),
        },
    )


def run_identify_cost_savings(
    warehouse: Warehouse,
    *,
    as_of: str,
    start_date: str | None = None,
    end_date: str | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
    min_supplier_score: float = sp.DEFAULT_MIN_SUPPLIER_SCORE,
) -> ToolResult:
    day = _day(as_of, "as_of")
    lines, start, end = _po_lines(
        warehouse, day, start_date, end_date, product_ids=product_ids, category=category
    )
    savings, summary = sp.identify_cost_savings(lines, min_supplier_score=min_supplier_score)
    summary.update(as_of=day, period_start=start, period_end=end)
    return ToolResult.from_frame("identify_cost_savings", savings, summary)


def run_analyze_purchase_trends(
    warehouse: Warehouse,
    *,
    as_of: str,
    start_date: str | None = None,
    end_date: str | None = None,
    supplier_ids: list[str] | None = None,
    product_ids: list[str] | None = None,
    category: str | None = None,
) -> ToolResult:
    day = _day(as_of, "as_of")
    if start_date is None:
        anchor = _day(end_date, "end_date") if end_date else day
        start_date = (pd.Timestamp(anchor).to_period("M") - 11).to_timestamp().date().isoformat()
    lines, start, end = _po_lines(
        warehouse,
        day,
        start_date,
        end_date,
        supplier_ids=supplier_ids,
        product_ids=product_ids,
        category=category,
    )
    by_supplier, by_month = sp.analyze_purchase_trends(lines, end)
    full = by_month[~by_month["partial_month"]]
    last = full.iloc[-1] if len(full) else by_month.iloc[-1]
    share = by_supplier.groupby("supplier_name")["spend"].sum().sort_values(ascending=False)
    return ToolResult.from_frame(
        "analyze_purchase_trends",
        by_supplier,
        {
            "as_of": day,
            "period_start": start,
            "period_end": end,
            "months": len(by_month),
            "total_spend": float(by_month["spend"].sum()),
            "last_full_month": last["month"],
            "last_full_month_spend": float(last["spend"]),
            "last_full_month_change_pct": last["change_pct"],
            "top_supplier_name": share.index[0],
            "top_supplier_spend": float(share.iloc[0]),
        },
        tables={"by_month": by_month},
    )


# -- the catalog -------------------------------------------------------------------------------
CATALOG: tuple[ToolSpec, ...] = (
    ToolSpec(
        "safety_stock",
        "Recommended safety stock per warehouse and product: z(service level) x standard deviation of daily demand "
        "over the last 30 days x sqrt(lead time), compared with the current setting.",
        _schema({**_SCOPE, "as_of": _AS_OF, "service_level": _SERVICE}, ["as_of"]),
        run_safety_stock,
        "inventory",
        SALES_TABLES,
        columns={"service_level": "percent", "z": "score"},
    ),
    ToolSpec(
        "reorder_point",
        "Reorder point per warehouse and product: mean daily demand x lead time + safety stock; flags positions to reorder now.",
        _schema({**_SCOPE, "as_of": _AS_OF, "service_level": _SERVICE}, ["as_of"]),
        run_reorder_point,
        "inventory",
        SALES_TABLES,
        columns={"service_level": "percent"},
    ),
    ToolSpec(
        "economic_order_quantity",
        "Economic order quantity sqrt(2 D S / H) per warehouse and product, with D = 30-day mean daily demand x 365, "
        "S = cost per order and H = holding rate x unit cost.",
        _schema(
            {
                **_SCOPE,
                "as_of": _AS_OF,
                "order_cost": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1_000_000,
                    "default": inv.DEFAULT_ORDER_COST,
                    "description": "Cost of placing one order.",
                },
                "holding_rate": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 5,
                    "default": inv.DEFAULT_HOLDING_RATE,
                    "description": "Yearly holding cost as a fraction of unit cost.",
                },
            },
            ["as_of"],
        ),
        run_economic_order_quantity,
        "inventory",
        SALES_TABLES,
    ),
    ToolSpec(
        "identify_low_stock",
        "Positions at or below safety stock (current inventory), with out-of-stock and reorder flags and the suggested order quantity.",
        _schema(dict(_SCOPE)),
        run_identify_low_stock,
        "inventory",
        STOCK_TABLES,
    ),
    ToolSpec(
        "identify_stockout_risk",
        "Days of cover (available / 30-day average daily demand) per position; at risk when cover is shorter than the lead time.",
        _schema(
            {
                **_SCOPE,
                "as_of": _AS_OF,
                "include_all": {
                    "type": "boolean",
                    "default": False,
                    "description": "List every position, not only those at risk.",
                },
            },
            ["as_of"],
        ),
        run_identify_stockout_risk,
        "inventory",
        SALES_TABLES,
    ),
    ToolSpec(
        "forecast_demand",
        "Daily demand forecast per product for the next N days (exponential smoothing with trend and weekly seasonality "
        "where the history supports it, Croston for intermittent demand), with its backtest error (WMAPE).",
        _schema(
            {
                **_SCOPE,
                "as_of": _AS_OF,
                "horizon_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 180,
                    "default": 14,
                    "description": "Days to forecast.",
                },
                "history_days": {
                    "type": "integer",
                    "minimum": 14,
                    "maximum": 1095,
                    "default": 365,
                    "description": "Days of history to fit on.",
                },
                "backtest_days": {
                    "type": "integer",
                    "minimum": 7,
                    "maximum": 56,
                    "default": 14,
                    "description": "Held-back days for the backtest.",
                },
            },
            ["as_of"],
        ),
        run_forecast_demand,
        "inventory",
        SALES_TABLES,
    ),
    ToolSpec(
        "optimize_delivery_route",
        "Shortest delivery route for today's open orders (promised today) from one warehouse and back, by great-circle "
        "distance; optionally several vehicles with a capacity in units.",
        _schema(
            {
                "warehouse_id": {
                    **_ID,
                    "description": "Warehouse the vehicles leave from, e.g. WH-EAST.",
                },
                "as_of": _AS_OF,
                "vehicles": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50,
                    "default": 1,
                    "description": "Vehicles available.",
                },
                "vehicle_capacity": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1_000_000,
                    "description": "Units one vehicle carries; omit for unlimited.",
                },
                "max_route_km": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 20_000,
                    "description": "Longest route one vehicle may drive (great-circle km); omit for no limit.",
                },
                "shift_hours": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 24,
                    "description": "Driver's shift in hours; the route is limited to what it covers at average_speed_kmh.",
                },
                "average_speed_kmh": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 150,
                    "default": 40.0,
                    "description": "Average speed (stops included) that turns shift_hours into a route length.",
                },
                "fleet": {
                    "type": "string",
                    "enum": ["fixed", "fewest"],
                    "default": "fixed",
                    "description": "fixed: up to `vehicles` trucks, shortest total distance; fewest: as few trucks as possible.",
                },
                "time_limit_seconds": {
                    "type": "number",
                    "minimum": 0.1,
                    "maximum": 30,
                    "default": 1.0,
                    "description": "Solver time limit for large instances.",
                },
            },
            ["warehouse_id", "as_of"],
        ),
        run_optimize_delivery_route,
        "logistics",
        SALES_TABLES,
    ),
    ToolSpec(
        "check_fulfillment_status",
        "Per warehouse: open orders by status, overdue, due today, delayed shipments, and on-time delivery rate and "
        "fulfilment time of orders delivered in the period (default the last 30 days).",
        _schema(
            {
                "warehouse_id": _WAREHOUSE,
                "as_of": _AS_OF,
                "start_date": {
                    **_DATE,
                    "description": "First delivery date counted (default as_of - 29 days).",
                },
                "end_date": {**_DATE, "description": "Last delivery date counted (default as_of)."},
            },
            ["as_of"],
        ),
        run_check_fulfillment_status,
        "logistics",
        SALES_TABLES,
    ),
    ToolSpec(
        "identify_delayed_orders",
        "Open orders past their promised date (overdue), or only shipped ones (delayed shipments), most late first.",
        _schema(
            {
                "warehouse_id": _WAREHOUSE,
                "as_of": _AS_OF,
                "shipped_only": {
                    "type": "boolean",
                    "default": False,
                    "description": "Only SHIPPED orders (delayed shipments).",
                },
            },
            ["as_of"],
        ),
        run_identify_delayed_orders,
        "logistics",
        SALES_TABLES,
    ),
    ToolSpec(
        "calculate_warehouse_capacity",
        "Capacity utilization per warehouse (units on hand / capacity) and free units.",
        _schema({"warehouse_id": _WAREHOUSE}),
        run_calculate_warehouse_capacity,
        "logistics",
        STOCK_TABLES,
    ),
    ToolSpec(
        "analyze_supplier_performance",
        "Supplier score = 0.4 x on-time rate + 0.3 x fill rate + 0.3 x price score, with its components, lead time and "
        "spend, over POs ordered in the period (default all POs up to as_of, like the glossary's supplier score); best first.",
        _schema(
            {
                **_PERIOD,
                "start_date": {
                    **_DATE,
                    "description": "First PO order date to include (default: the first PO).",
                },
                "as_of": _AS_OF,
                "supplier_ids": _SUPPLIERS,
                "product_ids": _PRODUCTS,
                "category": _CATEGORY,
                "warehouse_id": _WAREHOUSE,
            },
            ["as_of"],
        ),
        run_analyze_supplier_performance,
        "supplier",
        SUPPLY_TABLES,
    ),
    ToolSpec(
        "compare_supplier_costs",
        "Per product, the quantity-weighted average price of every supplier that sold it, cheapest first, with the premium over the cheapest.",
        _schema(
            {**_PERIOD, "as_of": _AS_OF, "product_ids": _PRODUCTS, "category": _CATEGORY}, ["as_of"]
        ),
        run_compare_supplier_costs,
        "supplier",
        SUPPLY_TABLES,
    ),
    ToolSpec(
        "identify_cost_savings",
        "What buying each product from its cheapest reliable supplier (score >= min_supplier_score) would have saved over the period.",
        _schema(
            {
                **_PERIOD,
                "as_of": _AS_OF,
                "product_ids": _PRODUCTS,
                "category": _CATEGORY,
                "min_supplier_score": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "default": sp.DEFAULT_MIN_SUPPLIER_SCORE,
                    "description": "Lowest supplier score that counts as reliable.",
                },
            },
            ["as_of"],
        ),
        run_identify_cost_savings,
        "supplier",
        SUPPLY_TABLES,
    ),
    ToolSpec(
        "analyze_purchase_trends",
        "Spend by month (PO order date) and supplier with the change on the previous month (default the last 12 calendar months).",
        _schema(
            {
                **_PERIOD,
                "as_of": _AS_OF,
                "supplier_ids": _SUPPLIERS,
                "product_ids": _PRODUCTS,
                "category": _CATEGORY,
            },
            ["as_of"],
        ),
        run_analyze_purchase_trends,
        "supplier",
        SUPPLY_TABLES,
    ),
)
