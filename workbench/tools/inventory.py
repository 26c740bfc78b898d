"""Inventory calculations: safety stock, reorder point, EOQ, low stock, stockout risk, forecasts.

Pure functions over DataFrames (no I/O, no clock): the data-access layer fetches their
inputs and the tool catalog wraps them for the registry. Formulas follow the
"Calculations" section of DATA_MODEL.md:

- demand statistics use the 30 days ending ``as_of``, one value per calendar day per
  product and warehouse, zero-filled, cancelled orders excluded, sample std (ddof=1);
- safety stock = z(s) x sigma_d x sqrt(L); reorder point = mean_d x L + safety stock;
- EOQ = sqrt(2 D S / H) with D = mean_d x 365 and H = holding rate x unit cost;
- days of cover = available / mean_d (no demand: infinite, never at risk);
  stockout risk when days of cover < lead time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import ToolArgumentError
from workbench.tools.forecasting import forecast_series

__all__ = [
    "DEFAULT_HOLDING_RATE",
    "DEFAULT_ORDER_COST",
    "DEFAULT_SERVICE_LEVEL",
    "DEMAND_WINDOW_DAYS",
    "daily_demand_grid",
    "demand_statistics",
    "economic_order_quantity",
    "eoq_value",
    "forecast_demand",
    "identify_low_stock",
    "identify_stockout_risk",
    "reorder_point",
    "reorder_point_value",
    "safety_stock",
    "safety_stock_value",
    "z_score",
]

DEMAND_WINDOW_DAYS = 30
DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_ORDER_COST = 50.0
DEFAULT_HOLDING_RATE = 0.25
_KEYS = ["warehouse_id", "product_id"]


# -- scalar formulas (the golden values test these) ------------------------------------------
def z_score(service_level: float) -> float:
    """Standard normal quantile for a cycle service level (1.645 at 95%).

    The standard library's quantile agrees with ``scipy.stats.norm.ppf`` to 1e-14 and spares
    every tool call scipy.stats' ~0.8 s import.
    """
    if not 0.5 <= service_level < 1.0:
        raise ToolArgumentError(
            f"Service level must be between 50% and 99.99%, got {service_level:g}.",
            hint="Give it as a fraction (0.95) or a percentage (95%).",
            argument="service_level",
        )
    return NormalDist().inv_cdf(service_level)


def safety_stock_value(z: float, sigma_daily: float, lead_time_days: float) -> float:
    """z x sigma_d x sqrt(L)."""
    return float(z * sigma_daily * math.sqrt(lead_time_days))


def reorder_point_value(
    mean_daily: float, lead_time_days: float, safety_stock_units: float
) -> float:
    """mean_d x L + safety stock."""
    return float(mean_daily * lead_time_days + safety_stock_units)


def eoq_value(annual_demand: float, order_cost: float, holding_cost_per_unit_year: float) -> float:
    """sqrt(2 D S / H); zero demand needs no orders."""
    if holding_cost_per_unit_year <= 0:
        raise ToolArgumentError(
            "The holding cost per unit must be positive to compute an order quantity.",
            argument="holding_rate",
        )
    if annual_demand <= 0:
        return 0.0
    return float(math.sqrt(2.0 * annual_demand * order_cost / holding_cost_per_unit_year))


# -- demand statistics -----------------------------------------------------------------------
def demand_window(as_of: dt.date, days: int = DEMAND_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The ``days`` calendar days ending with ``as_of`` inclusive."""
    return as_of - dt.timedelta(days=days - 1), as_of


def daily_demand_grid(
    sales: pd.DataFrame, keys: pd.DataFrame, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """One row per (warehouse, product, calendar day) in ``[start, end]``; days without sales are 0.

    ``sales`` has columns date, warehouse_id, product_id, quantity (as fetched);
    ``keys`` lists the (warehouse_id, product_id) pairs to cover, so products that sold
    nothing still get a zero series instead of disappearing.
    """
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    pairs = keys[_KEYS].drop_duplicates()
    grid = pairs.merge(pd.DataFrame({"date": days}), how="cross")
    if sales.empty:
        grid["quantity"] = 0.0
        return grid
    agg = (
        sales.assign(date=pd.to_datetime(sales["date"]).astype("datetime64[ns]"))
        .groupby([*_KEYS, "date"], as_index=False)["quantity"]
        .sum()
    )
    grid["date"] = grid["date"].astype("datetime64[ns]")
    out = grid.merge(agg, on=[*_KEYS, "date"], how="left")
    out["quantity"] = out["quantity"].fillna(0.0).astype(float)
    return out.sort_values([*_KEYS, "date"], ignore_index=True)


def demand_statistics(daily_demand: pd.DataFrame) -> pd.DataFrame:
    """Mean, sample std (ddof=1), total and days of history per (warehouse, product)."""
    grouped = daily_demand.groupby(_KEYS)["quantity"]
    stats = grouped.agg(
        mean_daily_demand="mean",
        std_daily_demand=lambda s: s.std(ddof=1),
        units_sold="sum",
        days="count",
    )
    stats["std_daily_demand"] = stats["std_daily_demand"].fillna(0.0)
    return stats.reset_index()


def _per_product(frame: pd.DataFrame, value: pd.Series | Mapping[str, float] | float) -> pd.Series:
    """A per-product attribute aligned to ``frame``: one number for all, or looked up by product_id."""
    if isinstance(value, pd.Series):
        return frame["product_id"].map(value).astype(float)
    if isinstance(value, Mapping):
        return frame["product_id"].map(dict(value)).astype(float)
    return pd.Series(float(value), index=frame.index)


def safety_stock(
    daily_demand: pd.DataFrame,
    lead_time_days: pd.Series | Mapping[str, float] | float,
    service_level: float = DEFAULT_SERVICE_LEVEL,
) -> pd.DataFrame:
    """Safety stock per (warehouse, product) from a zero-filled daily demand frame.

    ``lead_time_days`` is one number for all, or a mapping / Series from product_id.
    """
    z = z_score(service_level)
    out = demand_statistics(daily_demand)
    out["lead_time_days"] = _per_product(out, lead_time_days)
    if out["lead_time_days"].isna().any():
        missing = sorted(out.loc[out["lead_time_days"].isna(), "product_id"].unique())
        raise ToolArgumentError("A lead time is missing for some products.", products=missing[:10])
    out["z"] = z
    out["safety_stock"] = z * out["std_daily_demand"] * np.sqrt(out["lead_time_days"])
    return out


def reorder_point(
    daily_demand: pd.DataFrame,
    lead_time_days: pd.Series | Mapping[str, float] | float,
    service_level: float = DEFAULT_SERVICE_LEVEL,
) -> pd.DataFrame:
    """Reorder point = mean daily demand x lead time + safety stock, per (warehouse, product)."""
    out = safety_stock(daily_demand, lead_time_days, service_level)
    out["lead_time_demand"] = out["mean_daily_demand"] * out["lead_time_days"]
    out["reorder_point"] = out["lead_time_demand"] + out["safety_stock"]
    return out


def economic_order_quantity(
    daily_demand: pd.DataFrame,
    unit_cost: pd.Series | Mapping[str, float] | float,
    order_cost: float = DEFAULT_ORDER_COST,
    holding_rate: float = DEFAULT_HOLDING_RATE,
) -> pd.DataFrame:
    """EOQ per (warehouse, product) with the annual ordering and holding cost it implies."""
    if order_cost < 0 or holding_rate <= 0:
        raise ToolArgumentError(
            "Order cost must be >= 0 and the holding rate > 0.", argument="holding_rate"
        )
    out = demand_statistics(daily_demand)
    out["unit_cost"] = _per_product(out, unit_cost)
    out["annual_demand"] = out["mean_daily_demand"] * 365.0
    out["holding_cost_per_unit"] = holding_rate * out["unit_cost"]
    out["economic_order_quantity"] = [
        eoq_value(d, order_cost, h)
        for d, h in zip(out["annual_demand"], out["holding_cost_per_unit"], strict=True)
    ]
    eoq = out["economic_order_quantity"]
    out["orders_per_year"] = np.where(eoq > 0, out["annual_demand"] / eoq.where(eoq > 0, 1.0), 0.0)
    out["annual_order_cost"] = out["orders_per_year"] * order_cost
    out["annual_holding_cost"] = eoq / 2.0 * out["holding_cost_per_unit"]
    out["annual_total_cost"] = out["annual_order_cost"] + out["annual_holding_cost"]
    return out


# -- stock position ----------------------------------------------------------------------------
def identify_low_stock(inventory: pd.DataFrame) -> pd.DataFrame:
    """Positions at or below safety stock (glossary "low stock"), most urgent first.

    Adds out_of_stock, below_reorder_point and the suggested order quantity
    (max_stock - on hand).
    """
    low = inventory[inventory["quantity_on_hand"] <= inventory["safety_stock"]].copy()
    low["available"] = low["quantity_on_hand"] - low["quantity_reserved"]
    low["out_of_stock"] = low["quantity_on_hand"] == 0
    low["below_reorder_point"] = low["quantity_on_hand"] <= low["reorder_point"]
    low["shortfall_to_safety_stock"] = low["safety_stock"] - low["quantity_on_hand"]
    low["suggested_order_quantity"] = (low["max_stock"] - low["quantity_on_hand"]).clip(lower=0)
    return low.sort_values(
        ["out_of_stock", "shortfall_to_safety_stock", "warehouse_id", "product_id"],
        ascending=[False, False, True, True],
        ignore_index=True,
    )


def identify_stockout_risk(inventory: pd.DataFrame, daily_demand: pd.DataFrame) -> pd.DataFrame:
    """Every position with days of cover and whether it runs out before a replenishment arrives.

    Days of cover = available / average daily demand (30-day window). No demand means
    infinite cover (``inf``), never at risk. Sorted by days of cover, lowest first.
    """
    stats = demand_statistics(daily_demand)[[*_KEYS, "mean_daily_demand", "units_sold"]]
    out = inventory.merge(stats, on=_KEYS, how="left")
    out["mean_daily_demand"] = out["mean_daily_demand"].fillna(0.0)
    out["units_sold"] = out["units_sold"].fillna(0.0)
    out["available"] = out["quantity_on_hand"] - out["quantity_reserved"]
    demand = out["mean_daily_demand"]
    cover = out["available"] / demand.where(demand > 0)
    out["days_of_cover"] = cover.where(demand > 0, np.inf).astype(float)
    out["no_demand"] = demand <= 0
    out["at_risk"] = (demand > 0) & (out["days_of_cover"] < out["lead_time_days"])
    out["shortfall_units"] = np.where(
        out["at_risk"],
        np.maximum(np.ceil(demand * out["lead_time_days"] - out["available"]), 0.0),
        0.0,
    )
    return out.sort_values(["days_of_cover", "warehouse_id", "product_id"], ignore_index=True)


# -- forecasting -------------------------------------------------------------------------------
def forecast_demand(
    daily_history: pd.DataFrame,
    horizon_days: int,
    *,
    backtest_days: int = 14,
    group_keys: tuple[str, ...] = ("product_id",),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast each group's zero-filled daily series ``horizon_days`` ahead.

    ``daily_history`` has columns date, quantity and ``group_keys``. Returns
    ``(per_group, daily)``: one row per group with the method chosen and its backtest
    error (WMAPE and MAPE on the last ``backtest_days``), and one row per group and
    future day with the forecast.
    """
    per_group: list[dict[str, object]] = []
    daily: list[pd.DataFrame] = []
    keys = list(group_keys)
    for key, frame in daily_history.groupby(keys, sort=True):
        key_values: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
        series = (
            frame.set_index(pd.to_datetime(frame["date"]))["quantity"].astype(float).sort_index()
        )
        fc = forecast_series(series, horizon_days, backtest_days=backtest_days)
        row: dict[str, object] = dict(zip(keys, key_values, strict=True))
        row.update(
            method=fc.method,
            history_days=len(series),
            history_mean=float(series.mean()) if len(series) else 0.0,
            forecast_total=float(fc.forecast.sum()),
            forecast_daily_mean=float(fc.forecast.mean()),
            backtest_wmape=fc.backtest_wmape,
            backtest_mape=fc.backtest_mape,
            backtest_days=fc.backtest_days,
            baseline_wmape=fc.baseline_wmape,
            backtest_abs_error=fc.backtest_abs_error,
            backtest_actual=fc.backtest_actual,
        )
        per_group.append(row)
        part = pd.DataFrame({"date": fc.forecast.index, "forecast": fc.forecast.to_numpy()})
        for k, v in zip(keys, key_values, strict=True):
            part[k] = v
        daily.append(part[[*keys, "date", "forecast"]])
    per = pd.DataFrame(per_group)
    days = (
        pd.concat(daily, ignore_index=True)
        if daily
        else pd.DataFrame(columns=[*keys, "date", "forecast"])
    )
    return per, days
