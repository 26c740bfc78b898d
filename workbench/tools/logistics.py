"""Logistics calculations: delivery routes, fulfilment status, delayed orders, capacity.

Pure functions over DataFrames fetched by :mod:`workbench.tools.data_access`; ``as_of``
is always passed in. Definitions follow the DATA_MODEL.md glossary (open, overdue, due
today, delayed shipment, on-time delivery rate, fulfilment time, capacity utilization).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.tools.routing import (
    DISTANCE_BASIS,
    distance_matrix,
    max_route_km_for_shift,
    solve_routes,
)

__all__ = [
    "DEFAULT_AVERAGE_SPEED_KMH",
    "calculate_warehouse_capacity",
    "check_fulfillment_status",
    "identify_delayed_orders",
    "optimize_delivery_route",
]

#: Average speed that turns a shift into a route length when none is given (urban delivery, stops included).
DEFAULT_AVERAGE_SPEED_KMH = 40.0


def optimize_delivery_route(
    depot: Mapping[str, Any],
    stops: pd.DataFrame,
    *,
    vehicles: int = 1,
    vehicle_capacity: int | None = None,
    max_route_km: float | None = None,
    shift_hours: float | None = None,
    average_speed_kmh: float = DEFAULT_AVERAGE_SPEED_KMH,
    fleet: str = "fixed",
    time_limit_seconds: float = 1.0,
    method: str = "auto",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Visit every stop once from the depot and back, minimising total haversine distance.

    ``depot`` has warehouse_id, latitude, longitude; ``stops`` has order_id, latitude,
    longitude and units (plus any descriptive columns, carried along). A route is limited
    to ``max_route_km``, or to what a ``shift_hours`` shift covers at ``average_speed_kmh``
    (the shorter of the two when both are given). ``fleet="fewest"`` uses as few of the
    ``vehicles`` as possible. Returns the plan as rows in visiting order per vehicle,
    starting and ending at the depot, with leg and cumulative km, and a summary (total km,
    the nearest-neighbour order's km and the saving against it, vehicles used, method).
    """
    stops = stops.reset_index(drop=True)
    lats = [float(depot["latitude"]), *stops["latitude"].astype(float).tolist()]
    lons = [float(depot["longitude"]), *stops["longitude"].astype(float).tolist()]
    matrix = distance_matrix(lats, lons)
    units = stops["units"].fillna(0).astype(int).tolist() if "units" in stops else [0] * len(stops)
    limit_km = max_route_km
    if shift_hours is not None:
        shift_km = max_route_km_for_shift(shift_hours, average_speed_kmh)
        limit_km = shift_km if limit_km is None else min(limit_km, shift_km)
    names = (
        stops["order_id"].astype(str).tolist()
        if "order_id" in stops
        else [f"stop {i}" for i in range(1, len(stops) + 1)]
    )
    plan = solve_routes(
        matrix,
        demands=units,
        vehicles=vehicles,
        capacity=vehicle_capacity,
        max_route_km=limit_km,
        fleet=fleet,
        time_limit_seconds=time_limit_seconds,
        method=method,
        stop_names=names,
    )
    extra = [c for c in stops.columns if c not in {"latitude", "longitude", "units"}]
    rows: list[dict[str, Any]] = []
    depot_name = str(depot.get("warehouse_name") or depot.get("warehouse_id") or "warehouse")
    any_route = any(plan.routes)
    for vehicle, route in enumerate(plan.routes, start=1):
        # Idle vehicles are left out; with no stops at all the plan is vehicle 1 staying home.
        if not route and (any_route or vehicle > 1):
            continue
        cumulative = 0.0
        load = 0
        rows.append(_depot_row(vehicle, 0, "start", depot, depot_name, extra, 0.0, 0.0, 0))
        prev = 0
        for seq, node in enumerate(route, start=1):
            leg = float(matrix[prev, node])
            cumulative += leg
            stop = stops.iloc[node - 1]
            load += int(units[node - 1])
            row = {"vehicle": vehicle, "sequence": seq, "stop_type": "delivery"}
            row.update({c: stop[c] for c in extra})
            row.update(
                latitude=float(stop["latitude"]),
                longitude=float(stop["longitude"]),
                units=int(units[node - 1]),
                leg_km=leg,
                cumulative_km=cumulative,
            )
            rows.append(row)
            prev = node
        leg = float(matrix[prev, 0]) if route else 0.0
        cumulative += leg
        rows.append(
            _depot_row(
                vehicle, len(route) + 1, "return", depot, depot_name, extra, leg, cumulative, load
            )
        )
    frame = pd.DataFrame(rows)
    for col in ("leg_km", "cumulative_km"):
        if col in frame:
            frame[col] = frame[col].astype(float).round(3)
    summary = {
        "warehouse_id": depot.get("warehouse_id"),
        "stops": len(stops),
        "total_km": round(plan.total_km, 3),
        "total_km_exact": plan.total_km,
        "vehicles": vehicles,
        "vehicles_used": plan.vehicles_used,
        "vehicle_capacity": vehicle_capacity,
        "max_route_km": limit_km,
        "shift_hours": shift_hours,
        "average_speed_kmh": average_speed_kmh if shift_hours is not None else None,
        "fleet": fleet,
        "route_km": [round(x, 3) for x in plan.route_km],
        "units": int(sum(units)),
        "method": plan.method,
        "nearest_neighbour_km": round(plan.naive_km, 3),
        "saving_km": round(plan.saving_km, 3),
        "saving_share": round(plan.saving_share, 4) if plan.saving_share is not None else None,
        "distance_basis": DISTANCE_BASIS,
    }
    return frame, summary


def _depot_row(
    vehicle: int,
    seq: int,
    kind: str,
    depot: Mapping[str, Any],
    name: str,
    extra: list[str],
    leg: float,
    cumulative: float,
    load: int,
) -> dict[str, Any]:
    row: dict[str, Any] = {"vehicle": vehicle, "sequence": seq, "stop_type": kind}
    row.update({c: None for c in extra})
    if "order_id" in extra:
        row["order_id"] = None
    if "customer_name" in extra:
        row["customer_name"] = name
    row.update(
        latitude=float(depot["latitude"]),
        longitude=float(depot["longitude"]),
        units=load if kind == "return" else 0,
        leg_km=leg,
        cumulative_km=cumulative,
    )
    return row


def _days(later: pd.Series, earlier: pd.Series | pd.Timestamp) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


def identify_delayed_orders(
    open_orders: pd.DataFrame, as_of: dt.date, *, shipped_only: bool = False
) -> pd.DataFrame:
    """Open orders past their promised date ("overdue"), or only SHIPPED ones ("delayed shipment").

    Adds days_late = as_of - promised_date; most late first, express before standard.
    """
    today = pd.Timestamp(as_of)
    late = open_orders[pd.to_datetime(open_orders["promised_date"]) < today].copy()
    if shipped_only:
        late = late[late["status"] == "SHIPPED"]
    late["days_late"] = (today - pd.to_datetime(late["promised_date"])).dt.days.astype("int64")
    late["delayed_shipment"] = late["status"] == "SHIPPED"
    late["_express"] = late["priority"] == "EXPRESS"
    late = late.sort_values(
        ["days_late", "_express", "order_id"], ascending=[False, False, True], ignore_index=True
    )
    return late.drop(columns="_express")


def check_fulfillment_status(
    open_orders: pd.DataFrame,
    delivered: pd.DataFrame,
    as_of: dt.date,
    warehouse_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Per warehouse: open orders by status, overdue, due today, delayed shipments, and delivery performance.

    ``delivered`` holds the orders delivered in the period of interest (by delivery_date);
    the on-time rate is delivered on or before promised / delivered, and fulfilment time
    the mean of delivery_date - order_date in days.
    """
    today = pd.Timestamp(as_of)
    ids = sorted(
        set(warehouse_ids or []) | set(open_orders["warehouse_id"]) | set(delivered["warehouse_id"])
    )
    rows = []
    for wid in ids:
        o = open_orders[open_orders["warehouse_id"] == wid]
        d = delivered[delivered["warehouse_id"] == wid]
        promised = pd.to_datetime(o["promised_date"])
        on_time = (pd.to_datetime(d["delivery_date"]) <= pd.to_datetime(d["promised_date"])).sum()
        rows.append(
            {
                "warehouse_id": wid,
                "open_orders": len(o),
                "pending": int((o["status"] == "PENDING").sum()),
                "picking": int((o["status"] == "PICKING").sum()),
                "shipped": int((o["status"] == "SHIPPED").sum()),
                "overdue_orders": int((promised < today).sum()),
                "due_today": int((promised == today).sum()),
                "delayed_shipments": int(((o["status"] == "SHIPPED") & (promised < today)).sum()),
                "delivered": len(d),
                "on_time_deliveries": int(on_time),
                "on_time_rate": float(on_time / len(d)) if len(d) else np.nan,
                "avg_fulfilment_days": float(_days(d["delivery_date"], d["order_date"]).mean())
                if len(d)
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


def calculate_warehouse_capacity(warehouses: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Utilization = sum on hand / capacity_units; free units = capacity - on hand. Fullest first."""
    on_hand = inventory.groupby("warehouse_id", as_index=False).agg(
        quantity_on_hand=("quantity_on_hand", "sum"), products=("product_id", "nunique")
    )
    out = warehouses[["warehouse_id", "warehouse_name", "capacity_units"]].merge(
        on_hand, on="warehouse_id", how="left"
    )
    out["quantity_on_hand"] = out["quantity_on_hand"].fillna(0).astype("int64")
    out["products"] = out["products"].fillna(0).astype("int64")
    out["utilization"] = out["quantity_on_hand"] / out["capacity_units"]
    out["free_units"] = out["capacity_units"] - out["quantity_on_hand"]
    return out.sort_values(
        ["utilization", "warehouse_id"], ascending=[False, True], ignore_index=True
    )
