"""Deterministic sample data: every measure of ``DATA_MODEL.md`` gets a non-trivial answer.

Why this shape:
- Everything is vectorized numpy drawn from ``np.random.default_rng`` streams keyed by
  ``(seed, stream, chunk)``, so the same (seed, scale, end date) always gives the same rows,
  whatever else changes in the process.
- Tables are built as Arrow tables with the exact schema types (DECIMAL as unscaled integer
  cents, so ``line_total = quantity * unit_price`` holds exactly) and streamed to DuckDB in
  chunks of days, so the ``large`` scale (10M order lines) stays within a few hundred MB.
- The data is a snapshot taken at the *start* of the end date ("today"): events dated today
  have not happened yet, which is why some orders promised for today are still open and a
  route can be planned for them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.errors import DataError

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = [
    "SCALES",
    "GenerationReport",
    "Scale",
    "ensure_sample_data",
    "generate",
    "generate_arrow_tables",
    "generate_tables",
    "iter_table_chunks",
    "resolve_db_path",
]

GENERATOR_VERSION = "1"


# ---------------------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """How much data to make. ``sales_lines`` is a target; the real count is within a few %."""

    name: str
    products: int
    warehouses: tuple[str, ...]
    suppliers: int
    customers: int
    sales_days: int
    po_days: int
    sales_lines: int
    pos_per_warehouse_day: float
    chunk_days: int = 30

    def __post_init__(self) -> None:
        problems = []
        if self.products < 20:
            problems.append("products must be at least 20")
        if self.suppliers < 2:
            problems.append("suppliers must be at least 2 (every product is bought from two)")
        if self.customers < len(self.warehouses):
            problems.append("customers must be at least the number of warehouses")
        unknown = [w for w in self.warehouses if w not in _WAREHOUSES]
        if unknown or not self.warehouses:
            problems.append(f"warehouses must be among {', '.join(_WAREHOUSES)}")
        if (
            min(self.sales_days, self.po_days, self.chunk_days, self.sales_lines) < 1
            or self.pos_per_warehouse_day <= 0
        ):
            problems.append("days, lines and rates must be positive")
        if problems:
            raise DataError(
                f"Invalid data scale '{self.name}': {'; '.join(problems)}.", scale=self.name
            )


#: Mean lines per order after removing repeated products within an order (measured).
_LINES_PER_ORDER = 2.55


# ---------------------------------------------------------------------------------------
# Reference data: real places and names, combined so that they stay unique at any scale
# ---------------------------------------------------------------------------------------
# id: (name, city, region, latitude, longitude, order volume factor)
_WAREHOUSES: dict[str, tuple[str, str, str, float, float, float]] = {
    "WH-EAST": ("East Distribution Center", "Edison, NJ", "Northeast", 40.5187, -74.4121, 1.2),
    "WH-WEST": ("West Distribution Center", "Ontario, CA", "West", 34.0633, -117.6509, 1.0),
    "WH-CENTRAL": (
        "Central Distribution Center",
        "Kansas City, MO",
        "Midwest",
        39.0997,
        -94.5786,
        0.8,
    ),
    "WH-NORTH": (
        "North Distribution Center",
        "Minneapolis, MN",
        "Upper Midwest",
        44.9778,
        -93.2650,
        0.7,
    ),
    "WH-SOUTH": ("South Distribution Center", "Atlanta, GA", "Southeast", 33.7490, -84.3880, 0.9),
}

_WH3 = ("WH-EAST", "WH-WEST", "WH-CENTRAL")
_WH5 = ("WH-EAST", "WH-WEST", "WH-CENTRAL", "WH-NORTH", "WH-SOUTH")

SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 80, _WH3, 6, 60, 90, 120, 5_000, 0.6),
    "small": Scale("small", 240, _WH3, 10, 300, 90, 120, 21_000, 1.2),
    "medium": Scale("medium", 1_200, _WH5, 30, 2_000, 365, 365, 1_000_000, 3.0, chunk_days=61),
    "large": Scale("large", 3_000, _WH5, 60, 6_000, 730, 730, 10_000_000, 6.0, chunk_days=30),
}

CATEGORIES = ("Electrical", "Hardware", "Plumbing", "Safety", "Tools", "HVAC", "Consumables")

# category -> [(base name, (cost low, cost high), variants)]
_BASES: dict[str, list[tuple[str, tuple[float, float], tuple[str, ...]]]] = {
    "Electrical": [
        ("Extension Cord", (12, 45), ("25 ft", "50 ft", "100 ft")),
        ("Circuit Breaker", (8, 40), ("15A", "20A", "30A")),
        ("LED Shop Light", (18, 60), ("4 ft", "8 ft")),
        ("GFCI Outlet", (10, 25), ("15A", "20A")),
        ("Electrical Tape", (1.5, 5), ("3/4 in Black", "3/4 in Multicolor")),
        ("NM-B Cable 12/2", (30, 140), ("50 ft", "250 ft")),
        ("Junction Box", (2, 12), ("4 in Square", "2-Gang")),
        ("Voltage Tester", (12, 45), ("Non-Contact", "Digital")),
        ("Light Switch", (2, 15), ("Single-Pole", "3-Way", "Dimmer")),
        ("EMT Conduit", (4, 14), ("1/2 in x 10 ft", "3/4 in x 10 ft", "1 in x 10 ft")),
        ("Cable Ties", (3, 12), ("8 in (100-Pack)", "11 in (100-Pack)", "14 in (50-Pack)")),
    ],
    "Hardware": [
        (
            "Hex Bolt",
            (5, 25),
            ("1/4 x 2 in (50-Pack)", "3/8 x 3 in (25-Pack)", "1/2 x 4 in (10-Pack)"),
        ),
        ("Wood Screws", (6, 30), ("#8 x 1-1/4 in (1 lb)", "#10 x 2 in (1 lb)", "#8 x 3 in (5 lb)")),
        ("Door Hinge", (3, 12), ("3-1/2 in", "4 in")),
        ("Padlock", (8, 30), ("40 mm", "50 mm")),
        ("Shelf Bracket", (3, 10), ("8 in", "10 in", "12 in")),
        ("Drywall Anchors", (5, 15), ("50-Pack", "100-Pack")),
        ("Threaded Rod", (5, 18), ("3/8 in x 6 ft", "1/2 in x 6 ft")),
        ("Concrete Anchor", (8, 30), ("3/8 in", "1/2 in")),
        ("Cabinet Pull", (2, 8), ("96 mm", "128 mm")),
        ("Proof Coil Chain", (15, 60), ("1/4 in x 10 ft", "5/16 in x 20 ft")),
    ],
    "Plumbing": [
        ("PVC Pipe", (3, 14), ("1/2 in x 10 ft", "3/4 in x 10 ft", "1 in x 10 ft")),
        ("Copper Elbow", (1, 5), ("1/2 in", "3/4 in")),
        ("Ball Valve", (8, 35), ("1/2 in", "3/4 in", "1 in")),
        ("Pipe Wrench", (20, 70), ("14 in", "18 in", "24 in")),
        ("PTFE Thread Tape", (1, 4), ("1/2 in x 520 in", "3/4 in x 260 in")),
        ("Faucet Cartridge", (10, 35), ("Single-Handle", "Two-Handle")),
        ("PEX Tubing", (25, 90), ("1/2 in x 100 ft", "3/4 in x 100 ft")),
        ("Toilet Flapper", (4, 12), ("2 in", "3 in")),
        ("Drain Snake", (20, 70), ("25 ft", "50 ft")),
        ("Water Heater Element", (12, 30), ("4500W", "5500W")),
    ],
    "Safety": [
        ("Safety Glasses", (3, 15), ("Clear", "Tinted", "Anti-Fog")),
        ("Hard Hat", (12, 45), ("Type I", "Type II")),
        (
            "Nitrile Gloves",
            (8, 22),
            ("Medium (100-Pack)", "Large (100-Pack)", "X-Large (100-Pack)"),
        ),
        ("Hi-Vis Vest", (6, 25), ("Class 2", "Class 3")),
        ("Foam Ear Plugs", (15, 35), ("200-Pair Box",)),
        ("N95 Respirator", (18, 45), ("20-Pack",)),
        ("First Aid Kit", (25, 90), ("25-Person", "50-Person")),
        ("Fall Protection Harness", (60, 220), ("Standard", "Deluxe")),
        ("Work Boots", (70, 160), ("Steel Toe", "Composite Toe")),
        ("Fire Extinguisher", (35, 90), ("5 lb ABC", "10 lb ABC")),
    ],
    "Tools": [
        ("Cordless Drill", (45, 140), ("12V", "18V", "20V")),
        ("Impact Driver", (60, 160), ("18V", "20V")),
        ("Circular Saw", (55, 150), ("6-1/2 in", "7-1/4 in")),
        ("Claw Hammer", (8, 30), ("16 oz", "20 oz", "22 oz")),
        ("Screwdriver Set", (10, 40), ("6-Piece", "10-Piece", "20-Piece")),
        ("Socket Set", (25, 120), ("1/4 in Drive", "3/8 in Drive", "1/2 in Drive")),
        ("Adjustable Wrench", (9, 35), ("8 in", "10 in", "12 in")),
        ("Tape Measure", (6, 25), ("16 ft", "25 ft", "35 ft")),
        ("Angle Grinder", (40, 130), ("4-1/2 in", "5 in")),
        ("Utility Knife", (5, 18), ("Folding", "Retractable")),
    ],
    "HVAC": [
        ("Air Filter", (5, 35), ("16x25x1 MERV 8", "20x25x1 MERV 11", "20x20x4 MERV 13")),
        ("Thermostat", (30, 160), ("Programmable", "Smart Wi-Fi")),
        ("Condenser Fan Motor", (60, 180), ("1/4 HP", "1/3 HP")),
        ("Run Capacitor", (8, 25), ("35/5 MFD", "45/5 MFD")),
        ("Refrigerant Gauge Set", (60, 200), ("R-410A", "R-32")),
        ("Flex Duct", (25, 60), ("6 in x 25 ft", "8 in x 25 ft")),
        ("Register Vent", (4, 14), ("4x10 in", "4x12 in")),
        ("Blower Motor", (120, 320), ("1/2 HP", "3/4 HP")),
        ("Foil Duct Tape", (5, 12), ("2 in x 60 yd",)),
        ("Contactor", (10, 30), ("30A", "40A")),
    ],
    "Consumables": [
        ("Sandpaper", (8, 20), ("80 Grit (25-Pack)", "120 Grit (25-Pack)", "220 Grit (25-Pack)")),
        ("Shop Towels", (4, 18), ("55-Count Roll", "200-Count Box")),
        ("Penetrating Lubricant", (4, 12), ("11 oz", "16 oz")),
        ("Construction Adhesive", (3, 10), ("10 oz", "28 oz")),
        ("Silicone Caulk", (4, 10), ("Clear", "White")),
        ("Cutting Disc", (10, 30), ("4-1/2 in (10-Pack)", "7 in (10-Pack)")),
        ("Welding Rod", (15, 40), ("E6013 (5 lb)", "E7018 (5 lb)")),
        ("Paint Brush Set", (6, 18), ("3-Piece", "5-Piece")),
        ("Contractor Trash Bags", (12, 40), ("42 gal (20-Count)", "55 gal (50-Count)")),
        ("Marking Paint", (4, 9), ("Orange", "White", "Blue")),
    ],
}

# modifier -> cost factor; the plain name comes first so small scales read naturally.
_MODIFIERS: tuple[tuple[str, float], ...] = (
    ("", 1.0),
    ("Pro", 1.3),
    ("Heavy-Duty", 1.25),
    ("Compact", 0.9),
    ("Industrial", 1.4),
    ("Contractor", 1.15),
    ("Premium", 1.5),
    ("Value", 0.75),
    ("Commercial", 1.2),
    ("Outdoor", 1.1),
    ("Low-Profile", 1.05),
    ("Marine-Grade", 1.45),
    ("Quick-Connect", 1.1),
    ("High-Capacity", 1.35),
    ("Lightweight", 0.95),
    ("Precision", 1.3),
)

# Units per sales line: mean of the Poisson part, per category.
_CATEGORY_QTY = {
    "Electrical": 3.0,
    "Hardware": 5.0,
    "Plumbing": 4.0,
    "Safety": 3.0,
    "Tools": 0.8,
    "HVAC": 1.5,
    "Consumables": 6.0,
}
_CATEGORY_LEAD = {
    "Electrical": (5, 14),
    "Hardware": (4, 12),
    "Plumbing": (5, 14),
    "Safety": (3, 10),
    "Tools": (7, 21),
    "HVAC": (10, 30),
    "Consumables": (3, 9),
}

_SUPPLIER_PREFIXES = (
    "Apex", "Summit", "Pacific", "Atlantic", "Keystone", "Ironclad", "Redwood", "Northstar",
    "Bluewater", "Granite", "Frontier", "Liberty", "Cascade", "Meridian", "Pioneer", "Sterling",
    "Evergreen", "Titan", "Harbor", "Prairie", "Crestline", "Allied", "Continental", "Vanguard",
    "Silverline", "Great Lakes", "Lone Star", "Coastal", "Midland", "Beacon",
)  # fmt: skip
_SUPPLIER_SUFFIXES = (
    "Industrial Supply", "Tool Co.", "Manufacturing", "Distribution", "Components Ltd.",
    "Hardware Inc.", "Trading Co.", "Products Group", "Supply Partners", "Fasteners Inc.",
)  # fmt: skip
_COUNTRIES = (
    "United States", "China", "Germany", "Mexico", "Canada", "Taiwan", "Japan", "India",
    "Vietnam", "Italy", "South Korea", "United Kingdom",
)  # fmt: skip

_SURNAMES = (
    "Harper", "Bennett", "Caldwell", "Donovan", "Ellison", "Fletcher", "Garrison", "Hollis",
    "Jennings", "Keller", "Lawson", "Mercer", "Norris", "Owens", "Prescott", "Quinn",
    "Ramsey", "Sullivan", "Thornton", "Vaughn", "Whitaker", "Yates", "Brooks", "Carver",
    "Dalton", "Everett", "Foster", "Griffin", "Hayes", "Irving", "Jensen", "Kendall",
    "Lambert", "Maddox", "Nolan", "Porter", "Reyes", "Sawyer", "Tucker", "Walsh",
)  # fmt: skip
_TRADES = (
    "Construction", "Mechanical", "Electric", "Plumbing & Heating", "Facilities",
    "Builders", "Property Management", "HVAC Services", "Contracting", "Maintenance",
)  # fmt: skip
_COMPANY_SUFFIXES = ("LLC", "Inc.", "Co.", "Group")

# Delivery offset (delivery date - promised date) in days and its probability.
_DELIVERY_OFFSETS = np.array([-3, -2, -1, 0, 1, 2, 3, 4, 5])
_DELIVERY_OFFSET_P = np.array([0.08, 0.24, 0.45, 0.10, 0.05, 0.04, 0.02, 0.01, 0.01])
# Relative order volume Monday..Sunday.
_WEEKDAY = np.array([1.15, 1.2, 1.15, 1.1, 1.0, 0.45, 0.3])
_WEEKDAY = _WEEKDAY / _WEEKDAY.mean()

_ORDER_STATUS = ("PENDING", "PICKING", "SHIPPED", "DELIVERED", "CANCELLED")
_PO_STATUS = ("OPEN", "PARTIAL", "RECEIVED", "CANCELLED")
_PRIORITY = ("STANDARD", "EXPRESS")

_EPOCH = dt.date(1970, 1, 1)

# Random streams: one per purpose, so adding draws to one never shifts another.
_S_PRODUCTS, _S_SUPPLIERS, _S_CUSTOMERS, _S_COUNTS, _S_SALES, _S_PO, _S_INVENTORY, _S_WAREHOUSE = (
    range(1, 9)
)


def _combined_names(parts: list[tuple[str, ...]], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` unique names from the cartesian product of ``parts``; overflow gets a numbered series."""
    combos: list[str] = []
    sizes = [len(p) for p in parts]
    total = math.prod(sizes)
    order = rng.permutation(total)
    for k in range(n):
        idx, series = int(order[k % total]), k // total
        words = []
        for p, size in zip(parts, sizes, strict=True):
            words.append(p[idx % size])
            idx //= size
        name = " ".join(w for w in words if w)
        combos.append(name if series == 0 else f"{name} {_roman(series + 1)}")
    return combos


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += numeral
            n -= value
    return out


# ---------------------------------------------------------------------------------------
# Arrow helpers (exact types, no Python loops over rows)
# ---------------------------------------------------------------------------------------
def _decimal(cents: np.ndarray, precision: int) -> pa.Array:
    """DECIMAL(precision, 2) from unscaled integer cents (exact)."""
    c = np.ascontiguousarray(cents, dtype=np.int64)
    buf = np.empty((len(c), 2), dtype=np.int64)
    buf[:, 0] = c
    buf[:, 1] = c >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(pa.decimal128(precision, 2), len(c), [None, pa.py_buffer(buf)])


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """DATE from days since 1970-01-01, with an optional null mask."""
    arr = pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=null)
    return arr.view(pa.date32())


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
        width=width,
        padding="0",
    )
    return pc.binary_join_element_wise(prefix, text, "")


def _take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    return values.take(pa.array(np.asarray(idx, dtype=np.int64)))


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(max(count, 1))))


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


# ---------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------
@dataclass
class _Builder:
    scale: Scale
    seed: int
    end_date: dt.date
    rows: dict[str, int] = field(default_factory=dict)

    def rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    # -- master data ---------------------------------------------------------------------
    def __post_init__(self) -> None:
        s = self.scale
        self.end = _day(self.end_date)  # "today": the snapshot is taken at its start
        self.sales_start = self.end - s.sales_days + 1
        self.n_wh = len(s.warehouses)
        self._products()
        self._suppliers()
        self._customers()

    def _products(self) -> None:
        s, rng = self.scale, self.rng(_S_PRODUCTS)
        cands: list[tuple[int, str, str, float]] = []  # (modifier rank, name, category, cost)
        for rank, (mod, factor) in enumerate(_MODIFIERS):
            block = []
            for cat in CATEGORIES:
                for base, (lo, hi), variants in _BASES[cat]:
                    for vi, var in enumerate(variants):
                        cost = (
                            math.exp((math.log(lo) + math.log(hi)) / 2) * factor * (1 + 0.15 * vi)
                        )
                        block.append((rank, " ".join(x for x in (mod, base, var) if x), cat, cost))
            perm = rng.permutation(len(block))
            cands.extend(block[i] for i in perm)
        n = s.products
        picked = [cands[k % len(cands)] for k in range(n)]
        names = [
            c[1] if k < len(cands) else f"{c[1]} {_roman(k // len(cands) + 1)}"
            for k, c in enumerate(picked)
        ]
        self.p_cat = np.array([CATEGORIES.index(c[2]) for c in picked])
        base_cost = np.array([c[3] for c in picked]) * rng.lognormal(0, 0.25, n)
        self.p_cost = np.maximum(np.rint(base_cost * 100), 50).astype(np.int64)
        markup = rng.uniform(1.25, 1.9, n)
        self.p_price = np.maximum(np.rint(self.p_cost * markup), self.p_cost + 1).astype(np.int64)
        lead_lo = np.array([_CATEGORY_LEAD[CATEGORIES[c]][0] for c in self.p_cat])
        lead_hi = np.array([_CATEGORY_LEAD[CATEGORIES[c]][1] for c in self.p_cat])
        self.p_lead = rng.integers(lead_lo, lead_hi + 1)
        # Demand: popularity, a per-product growth trend, and "dormant" products unsold for 60+ days.
        self.p_weight = rng.lognormal(0, 0.9, n)
        self.p_growth = rng.normal(0.15, 0.6, n)
        n_dormant = max(3, round(0.04 * n))
        dormant = rng.choice(n, n_dormant, replace=False)
        self.p_dormant = np.zeros(n, dtype=bool)
        self.p_dormant[dormant] = True
        self.p_active = np.ones(n, dtype=bool)
        self.p_active[dormant[: n_dormant // 2]] = (
            False  # discontinued products are among the dormant
        )
        self.p_qty = np.array([_CATEGORY_QTY[CATEGORIES[c]] for c in self.p_cat]) * rng.lognormal(
            0, 0.4, n
        )
        self.p_wh_factor = rng.lognormal(0, 0.3, (self.n_wh, n))
        width = _width(n, 4)
        self.product_ids = _ids("P", np.arange(1, n + 1), width)
        self.product_table = pa.table(
            {
                "product_id": self.product_ids,
                "product_name": pa.array(names, pa.string()),
                "category": _take(pa.array(CATEGORIES, pa.string()), self.p_cat),
                "unit_cost": _decimal(self.p_cost, 12),
                "unit_price": _decimal(self.p_price, 12),
                "lead_time_days": pa.array(self.p_lead.astype(np.int32)),
                "is_active": pa.array(self.p_active),
            }
        )

    def _suppliers(self) -> None:
        s, rng = self.scale, self.rng(_S_SUPPLIERS)
        n = s.suppliers
        names = _combined_names([_SUPPLIER_PREFIXES, _SUPPLIER_SUFFIXES], n, rng)
        countries = np.array(_COUNTRIES)[
            (rng.permutation(n) + int(rng.integers(len(_COUNTRIES)))) % len(_COUNTRIES)
        ]
        # Performance profiles spread evenly then shuffled, so suppliers differ clearly.
        self.s_on_time = rng.permutation(np.linspace(0.55, 0.97, n))
        self.s_partial = rng.permutation(np.linspace(0.03, 0.45, n))
        self.s_premium = rng.permutation(np.linspace(-0.05, 0.15, n))
        self.s_lead = rng.integers(5, 22, n)
        self.s_size = rng.lognormal(0, 0.4, n)
        # Each product is sold by 2-4 suppliers; the first two are guaranteed to appear on POs.
        k = rng.integers(2, 5, s.products)
        self.catalog = [rng.choice(n, int(kk), replace=False) for kk in k]
        self.supplier_ids = _ids("S", np.arange(1, n + 1), _width(n, 3))
        self.supplier_table = pa.table(
            {
                "supplier_id": self.supplier_ids,
                "supplier_name": pa.array(names, pa.string()),
                "country": pa.array(countries, pa.string()),
            }
        )

    def _customers(self) -> None:
        s, rng = self.scale, self.rng(_S_CUSTOMERS)
        n = s.customers
        self.c_names = pa.array(
            _combined_names([_SURNAMES, _TRADES, _COMPANY_SUFFIXES], n, rng), pa.string()
        )
        self.c_ids = _ids("C", np.arange(1, n + 1), _width(n, 4))
        self.c_wh = rng.permutation(np.arange(n) % self.n_wh)
        wh_lat = np.array([_WAREHOUSES[w][3] for w in s.warehouses])
        wh_lon = np.array([_WAREHOUSES[w][4] for w in s.warehouses])
        r_km = 50 * np.sqrt(rng.random(n)) * 0.97 + 1.0
        theta = rng.uniform(0, 2 * np.pi, n)
        lat0 = wh_lat[self.c_wh]
        self.c_lat = np.round(lat0 + r_km * np.cos(theta) / 111.2, 6)
        self.c_lon = np.round(
            wh_lon[self.c_wh] + r_km * np.sin(theta) / (111.2 * np.cos(np.radians(lat0))), 6
        )
        self.c_discount = rng.choice(np.array([0.0, 0.03, 0.05, 0.10]), n, p=[0.55, 0.2, 0.15, 0.1])
        weight = rng.lognormal(0, 1.0, n)
        self.c_by_wh = []
        for w in range(self.n_wh):
            members = np.flatnonzero(self.c_wh == w)
            cdf = np.cumsum(weight[members])
            self.c_by_wh.append((members, cdf / cdf[-1]))

    # -- sales ---------------------------------------------------------------------------
    def _order_counts(self) -> np.ndarray:
        """Orders per (day, warehouse): trend, weekly seasonality, warehouse size and noise."""
        s, rng = self.scale, self.rng(_S_COUNTS)
        days = np.arange(self.sales_start, self.end + 1)
        t = (days - self.sales_start) / max(s.sales_days - 1, 1)
        trend = 0.85 + 0.3 * t  # +35% over the history, mean 1
        weekday = _WEEKDAY[(days + 3) % 7]  # 1970-01-01 was a Thursday
        wh_factor = np.array([_WAREHOUSES[w][5] for w in s.warehouses])
        wh_factor = wh_factor / wh_factor.mean()
        base = s.sales_lines / (s.sales_days * self.n_wh * _LINES_PER_ORDER)
        lam = (
            base
            * (trend * weekday)[:, None]
            * wh_factor[None, :]
            * rng.lognormal(-0.005, 0.1, (len(days), self.n_wh))
        )
        return rng.poisson(lam)

    def _product_cdf(self, day: int) -> np.ndarray:
        t = (day - self.sales_start) / max(self.scale.sales_days - 1, 1)
        w = self.p_weight * np.exp(self.p_growth * (t - 0.5))
        if day > self.end - 60:
            w = np.where(self.p_dormant, 0.0, w)
        return w

    def sales_chunks(self) -> Iterator[tuple[str, pa.Table]]:
        s = self.scale
        counts = self._order_counts()
        total_orders = int(counts.sum())
        self.order_width = _width(total_orders, 6)
        self.sold30 = np.zeros((30, self.n_wh, s.products), dtype=np.int64)
        self.reserved = np.zeros((self.n_wh, s.products), dtype=np.int64)
        offset = 0
        for c, lo in enumerate(range(0, s.sales_days, s.chunk_days)):
            hi = min(lo + s.chunk_days, s.sales_days)
            header, lines = self._sales_chunk(c, lo, hi, counts[lo:hi], offset)
            offset += header.num_rows
            yield "sales_order_header", header
            yield "sales_order_line", lines

    def _sales_chunk(
        self, chunk: int, lo: int, hi: int, counts: np.ndarray, offset: int
    ) -> tuple[pa.Table, pa.Table]:
        s, rng, end, n_wh = self.scale, self.rng(_S_SALES, chunk), self.end, self.n_wh
        flat = counts.ravel()
        n = int(flat.sum())
        ndays = hi - lo
        day = np.repeat(
            np.repeat(np.arange(self.sales_start + lo, self.sales_start + hi), n_wh), flat
        )
        wh = np.repeat(np.tile(np.arange(n_wh), ndays), flat)
        cust = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        for w in range(n_wh):
            m = wh == w
            members, cdf = self.c_by_wh[w]
            cust[m] = members[np.minimum(np.searchsorted(cdf, u[m]), len(members) - 1)]
        express = rng.random(n) < 0.2
        lead = np.where(express, 1 + (rng.random(n) < 0.55), rng.integers(2, 7, n))
        promised = day + lead
        offset_days = rng.choice(_DELIVERY_OFFSETS, n, p=_DELIVERY_OFFSET_P)
        stuck = rng.random(n) < 0.02  # backorders and lost shipments: clearly late
        offset_days = offset_days + np.where(stuck, rng.integers(6, 21, n), 0)
        delivery = np.maximum(promised + offset_days, day + 1)
        transit = np.minimum(1 + rng.poisson(0.6, n), delivery - day)
        in_transit_stuck = stuck & (rng.random(n) < 0.5)
        transit = np.where(
            in_transit_stuck, delivery - day - np.minimum(1, delivery - day - 1), transit
        )
        ship = delivery - transit
        cancelled = rng.random(n) < 0.03
        picking = rng.random(n) < 0.6
        status = np.where(
            cancelled,
            4,
            np.where(
                delivery < end, 3, np.where(ship < end, 2, np.where(picking & (day < end), 1, 0))
            ),
        )
        ship_null = (status <= 1) | (status == 4)  # not shipped yet, or cancelled
        deliv_null = status != 3
        order_no = offset + np.arange(1, n + 1)

        # Lines: 1..12 per order, products drawn from each (day, warehouse)'s demand mix.
        per_order = 1 + np.minimum(rng.poisson(1.6, n), 11)
        line_order = np.repeat(np.arange(n), per_order)
        group = (day - self.sales_start - lo) * n_wh + wh
        line_group = group[line_order]
        bounds = np.searchsorted(line_group, np.arange(ndays * n_wh + 1))
        u = rng.random(len(line_order))
        product = np.empty(len(line_order), dtype=np.int64)
        for g in range(ndays * n_wh):
            a, b = bounds[g], bounds[g + 1]
            if a == b:
                continue
            d, w = self.sales_start + lo + g // n_wh, g % n_wh
            cdf = np.cumsum(self._product_cdf(d) * self.p_wh_factor[w])
            product[a:b] = np.minimum(
                np.searchsorted(cdf, u[a:b] * cdf[-1], side="right"), s.products - 1
            )
        # One line per product within an order (first occurrence kept, order preserved).
        key = line_order * s.products + product
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        line_order, product = line_order[keep], product[keep]
        line_no = np.arange(len(line_order)) - np.searchsorted(line_order, line_order) + 1
        qty = 1 + rng.poisson(self.p_qty[product])
        price = np.maximum(
            np.rint(self.p_price[product] * (1 - self.c_discount[cust[line_order]])), 1
        ).astype(np.int64)

        # Aggregates for the inventory snapshot: last-30-day demand and reservations.
        l_day, l_wh, l_status = day[line_order], wh[line_order], status[line_order]
        recent = (l_day > end - 30) & (l_status != 4)
        np.add.at(
            self.sold30, (l_day[recent] - (end - 29), l_wh[recent], product[recent]), qty[recent]
        )
        open_unshipped = l_status <= 1
        np.add.at(
            self.reserved, (l_wh[open_unshipped], product[open_unshipped]), qty[open_unshipped]
        )

        wh_ids = pa.array(self.scale.warehouses, pa.string())
        header = pa.table(
            {
                "order_id": _ids("SO-", order_no, self.order_width),
                "order_date": _dates(day),
                "customer_id": _take(self.c_ids, cust),
                "customer_name": _take(self.c_names, cust),
                "warehouse_id": _take(wh_ids, wh),
                "status": _take(pa.array(_ORDER_STATUS), status),
                "priority": _take(pa.array(_PRIORITY), express.astype(np.int64)),
                "promised_date": _dates(promised),
                "ship_date": _dates(ship, ship_null),
                "delivery_date": _dates(delivery, deliv_null),
                "ship_to_latitude": pa.array(self.c_lat[cust]),
                "ship_to_longitude": pa.array(self.c_lon[cust]),
            }
        )
        lines = pa.table(
            {
                "order_id": _ids("SO-", order_no[line_order], self.order_width),
                "line_number": pa.array(line_no.astype(np.int32)),
                "product_id": _take(self.product_ids, product),
                "quantity": pa.array(qty.astype(np.int32)),
                "unit_price": _decimal(price, 12),
                "line_total": _decimal(qty * price, 14),
            }
        )
        return header, lines

    # -- purchasing ----------------------------------------------------------------------
    def purchase_orders(self) -> tuple[pa.Table, pa.Table]:
        s, rng, end, n_wh = self.scale, self.rng(_S_PO), self.end, self.n_wh
        days = np.arange(end - s.po_days + 1, end + 1)
        weekday = np.where((days + 3) % 7 >= 5, 0.2, 1.2)
        wh_factor = np.array([_WAREHOUSES[w][5] for w in s.warehouses])
        counts = rng.poisson(s.pos_per_warehouse_day * weekday[:, None] * wh_factor[None, :])
        flat = counts.ravel()
        n = int(flat.sum())
        day = np.repeat(np.repeat(days, n_wh), flat)
        wh = np.repeat(np.tile(np.arange(n_wh), len(days)), flat)
        size_cdf = np.cumsum(self.s_size) / self.s_size.sum()
        sup = np.minimum(np.searchsorted(size_cdf, rng.random(n)), s.suppliers - 1)
        expected = day + np.maximum(self.s_lead[sup] + rng.integers(-2, 3, n), 2)
        on_time = rng.random(n) < self.s_on_time[sup]
        early = rng.choice(np.array([0, 0, 0, 1, 1, 2, 3]), n)
        late = 1 + rng.geometric(0.25, n)
        arrival = np.maximum(expected + np.where(on_time, -early, late), day + 1)
        cancelled = rng.random(n) < 0.04
        partial = rng.random(n) < self.s_partial[sup]
        arrived = arrival < end
        status = np.where(cancelled, 3, np.where(arrived, np.where(partial, 1, 2), 0))
        po_no = np.arange(1, n + 1)
        width = _width(n, 6)

        # Lines: products from the supplier's catalog, weighted by popularity.
        per_po = 2 + np.minimum(rng.poisson(4, n), 13)
        l_po = np.repeat(np.arange(n), per_po)
        l_sup = sup[l_po]
        l_prod = np.empty(len(l_po), dtype=np.int64)
        sup_catalog: list[list[int]] = [[] for _ in range(s.suppliers)]
        for p, sups in enumerate(self.catalog):
            for sp in sups:
                sup_catalog[int(sp)].append(p)
        u = rng.random(len(l_po))
        for sp in range(s.suppliers):
            m = l_sup == sp
            items = np.array(sup_catalog[sp] or list(range(s.products)))
            cdf = np.cumsum(self.p_weight[items] + 0.2)
            l_prod[m] = items[
                np.minimum(np.searchsorted(cdf, u[m] * cdf[-1], side="right"), len(items) - 1)
            ]
        # Guarantee every product is bought from at least two suppliers on non-cancelled POs.
        live = status[l_po] != 3
        have = np.unique(l_prod[live] * s.suppliers + l_sup[live])
        need = np.unique(
            np.array(
                [
                    p * s.suppliers + int(sp)
                    for p, sups in enumerate(self.catalog)
                    for sp in sups[:2]
                ]
            )
        )
        missing = np.setdiff1d(need, have)
        live_pos = [np.flatnonzero((sup == sp) & (status != 3)) for sp in range(s.suppliers)]
        extra_po, extra_prod = [], []
        for key in missing:
            p, sp = divmod(int(key), s.suppliers)
            candidates = live_pos[sp] if len(live_pos[sp]) else np.flatnonzero(status != 3)
            extra_po.append(int(candidates[rng.integers(len(candidates))]))
            extra_prod.append(p)
        if extra_po:
            l_po = np.concatenate([l_po, np.array(extra_po)])
            l_prod = np.concatenate([l_prod, np.array(extra_prod)])
            order = np.argsort(l_po, kind="stable")
            l_po, l_prod = l_po[order], l_prod[order]
        key = l_po * s.products + l_prod
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        l_po, l_prod = l_po[keep], l_prod[keep]
        line_no = np.arange(len(l_po)) - np.searchsorted(l_po, l_po) + 1
        m = len(l_po)
        ordered = 5 * (1 + rng.poisson(2 + 2 * self.p_qty[l_prod]))
        l_status = status[l_po]
        short = (l_status == 1) & ((rng.random(m) < 0.7) | (line_no == 1))
        part_qty = np.clip(np.floor(ordered * rng.uniform(0.2, 0.85, m)), 1, ordered - 1).astype(
            np.int64
        )
        received = np.where(
            l_status == 2, ordered, np.where(l_status == 1, np.where(short, part_qty, ordered), 0)
        )
        cost = np.maximum(
            np.rint(self.p_cost[l_prod] * (1 + self.s_premium[sup[l_po]] + rng.normal(0, 0.02, m))),
            1,
        ).astype(np.int64)

        wh_ids = pa.array(self.scale.warehouses, pa.string())
        header = pa.table(
            {
                "po_id": _ids("PO-", po_no, width),
                "supplier_id": _take(self.supplier_ids, sup),
                "warehouse_id": _take(wh_ids, wh),
                "order_date": _dates(day),
                "expected_date": _dates(expected),
                "received_date": _dates(arrival, ~np.isin(status, (1, 2))),
                "status": _take(pa.array(_PO_STATUS), status),
            }
        )
        lines = pa.table(
            {
                "po_id": _ids("PO-", po_no[l_po], width),
                "line_number": pa.array(line_no.astype(np.int32)),
                "product_id": _take(self.product_ids, l_prod),
                "quantity_ordered": pa.array(ordered.astype(np.int32)),
                "quantity_received": pa.array(received.astype(np.int32)),
                "unit_cost": _decimal(cost, 12),
                "line_total": _decimal(ordered * cost, 14),
            }
        )
        return header, lines

    # -- inventory snapshot (after the sales, which it depends on) --------------------------
    def inventory(self) -> tuple[pa.Table, pa.Table]:
        s, rng, n_wh, n_p = self.scale, self.rng(_S_INVENTORY), self.n_wh, self.scale.products
        mean = self.sold30.mean(axis=0)  # (wh, product) average daily demand
        sd = self.sold30.std(axis=0, ddof=1)
        lead = self.p_lead[None, :]
        safety = np.maximum(2, np.ceil(1.645 * sd * np.sqrt(lead))).astype(np.int64)
        reorder = safety + np.maximum(2, np.ceil(mean * lead)).astype(np.int64)
        max_stock = reorder + np.maximum(10, np.ceil(mean * 30)).astype(np.int64)
        # Stratified states per warehouse, so every warehouse has each kind of position.
        fractions = (("out", 0.04), ("low", 0.07), ("below_rop", 0.12), ("over", 0.03))
        on_hand = np.empty((n_wh, n_p), dtype=np.int64)
        for w in range(n_wh):
            perm = rng.permutation(n_p)
            state = np.full(n_p, 4)  # healthy
            pos = 0
            for code, (_, frac) in enumerate(fractions):
                k = max(1, round(frac * n_p))
                state[perm[pos : pos + k]] = code
                pos += k
            ss, rp, mx = safety[w], reorder[w], max_stock[w]
            u = rng.random(n_p)
            on_hand[w] = np.select(
                [state == 0, state == 1, state == 2, state == 3],
                [
                    0,
                    1 + np.floor(u * ss),
                    ss + 1 + np.floor(u * (rp - ss)),
                    mx + 1 + np.floor(u * mx * 0.3),
                ],
                rp + 1 + np.floor(u * (mx - rp)),
            ).astype(np.int64)
        reserved = np.minimum(self.reserved, on_hand)
        start_ts = (self.end - 3) * 86_400_000_000
        updated = start_ts + rng.integers(0, 3 * 86_400, (n_wh, n_p)) * 1_000_000
        wh_idx = np.repeat(np.arange(n_wh), n_p)
        prod_idx = np.tile(np.arange(n_p), n_wh)
        inv = pa.table(
            {
                "warehouse_id": _take(pa.array(s.warehouses, pa.string()), wh_idx),
                "product_id": _take(self.product_ids, prod_idx),
                "quantity_on_hand": pa.array(on_hand.ravel().astype(np.int32)),
                "quantity_reserved": pa.array(reserved.ravel().astype(np.int32)),
                "safety_stock": pa.array(safety.ravel().astype(np.int32)),
                "reorder_point": pa.array(reorder.ravel().astype(np.int32)),
                "max_stock": pa.array(max_stock.ravel().astype(np.int32)),
                "last_updated": pa.array(updated.ravel(), pa.int64()).view(pa.timestamp("us")),
            }
        )
        wrng = self.rng(_S_WAREHOUSE)
        utilization = wrng.uniform(0.55, 0.82, n_wh)
        capacity = (np.ceil(on_hand.sum(axis=1) / utilization / 1000) * 1000).astype(np.int64)
        refs = [_WAREHOUSES[w] for w in s.warehouses]
        warehouses = pa.table(
            {
                "warehouse_id": pa.array(s.warehouses, pa.string()),
                "warehouse_name": pa.array([r[0] for r in refs], pa.string()),
                "city": pa.array([r[1] for r in refs], pa.string()),
                "region": pa.array([r[2] for r in refs], pa.string()),
                "latitude": pa.array([r[3] for r in refs], pa.float64()),
                "longitude": pa.array([r[4] for r in refs], pa.float64()),
                "capacity_units": pa.array(capacity.astype(np.int32)),
            }
        )
        return inv, warehouses


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
def _resolve_scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        raise DataError(
            f"Unknown data scale '{scale}'. Choose one of: {', '.join(SCALES)}.", scale=scale
        ) from None


def iter_table_chunks(
    scale: str | Scale = "small", seed: int = 42, end_date: dt.date | None = None
) -> Iterator[tuple[str, pa.Table]]:
    """Every table as Arrow chunks ``(table name, chunk)``; large tables come in several chunks.

    Memory stays bounded by one chunk of days, which is how ``large`` is written.
    """
    if seed < 0:
        raise DataError("The seed must be zero or a positive integer.", seed=seed)
    b = _Builder(_resolve_scale(scale), int(seed), end_date or dt.date.today())
    yield "product", b.product_table
    yield "supplier", b.supplier_table
    yield from b.sales_chunks()
    po_header, po_lines = b.purchase_orders()
    yield "purchase_order_header", po_header
    yield "purchase_order_line", po_lines
    inventory, warehouses = b.inventory()
    yield "warehouse_product", inventory
    yield "warehouse", warehouses


def generate_arrow_tables(
    scale: str | Scale = "small", seed: int = 42, end_date: dt.date | None = None
) -> dict[str, pa.Table]:
    """All tables in memory as Arrow tables with the exact schema types (small/medium)."""
    parts: dict[str, list[pa.Table]] = {}
    for name, chunk in iter_table_chunks(scale, seed, end_date):
        parts.setdefault(name, []).append(chunk)
    from workbench.data.schema import TABLES

    return {t.name: pa.concat_tables(parts[t.name]) for t in TABLES}


def generate_tables(
    scale: str | Scale = "small", seed: int = 42, end_date: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """All tables in memory as DataFrames (decimals as ``Decimal``, dates as ``datetime.date``)."""
    return {
        name: table.to_pandas()
        for name, table in generate_arrow_tables(scale, seed, end_date).items()
    }


@dataclass(frozen=True)
class GenerationReport:
    """What :func:`generate` wrote."""

    path: Path
    scale: str
    seed: int
    end_date: dt.date
    rows: dict[str, int]
    seconds: float
    load_id: str

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "scale": self.scale,
            "seed": self.seed,
            "end_date": self.end_date.isoformat(),
            "rows": dict(self.rows),
            "seconds": round(self.seconds, 3),
            "load_id": self.load_id,
        }


def resolve_db_path(home_or_db_path: str | os.PathLike[str]) -> Path:
    """A ``.duckdb`` file path as is; anything else is a workbench home (``<home>/data/warehouse.duckdb``)."""
    p = Path(home_or_db_path).expanduser()
    if p.suffix == ".duckdb" or p.is_file():
        return p
    return p / "data" / "warehouse.duckdb"


def generate(
    home_or_db_path: str | os.PathLike[str],
    *,
    scale: str | Scale = "small",
    seed: int = 42,
    end_date: dt.date | None = None,
    memory_limit: str | None = None,
    is_db_path: bool | None = None,
) -> GenerationReport:
    """Generate sample data and load it atomically into the DuckDB warehouse file.

    ``home_or_db_path`` is a workbench home, or the database file itself when it ends in
    ``.duckdb`` or ``is_db_path`` is True. The file is written next to the target and moved
    into place, so readers see the old data or the new data, never a mix, and a crash leaves
    the old file untouched.
    """
    from workbench.data.loader import write_duckdb

    sc = _resolve_scale(scale)
    end = end_date or dt.date.today()
    path = Path(home_or_db_path).expanduser() if is_db_path else resolve_db_path(home_or_db_path)
    start = time.perf_counter()
    load = write_duckdb(
        path,
        iter_table_chunks(sc, seed, end),
        scale=sc.name,
        seed=seed,
        end_date=end,
        memory_limit=memory_limit,
    )
    return GenerationReport(
        path=path,
        scale=sc.name,
        seed=seed,
        end_date=end,
        rows=load.rows,
        seconds=time.perf_counter() - start,
        load_id=load.load_id,
    )


def ensure_sample_data(settings: Settings) -> bool:
    """Generate the configured sample data when the warehouse file is missing. True if it generated."""
    path = settings.duckdb_path
    if path.is_file():
        return False
    d = settings.data
    generate(
        path, scale=d.scale, seed=d.seed, end_date=d.end_date or settings.as_of, is_db_path=True
    )
    return True
