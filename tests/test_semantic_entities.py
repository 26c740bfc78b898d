"""Entities named in questions, matched against names from the data."""

from __future__ import annotations

import pytest

from workbench.semantic.entities import EntityIndex

WAREHOUSES = [
    ("WH-EAST", "East Distribution Center", "Edison, NJ", "Northeast"),
    ("WH-WEST", "West Distribution Center", "Ontario, CA", "West"),
    ("WH-CENTRAL", "Central Distribution Center", "Kansas City, MO", "Midwest"),
]
PRODUCTS = [
    ("P0001", "Angle Grinder 4-1/2 in", "Tools"),
    ("P0007", "Angle Grinder 5 in", "Tools"),
    ("P0052", "PVC Pipe 3/4 in x 10 ft", "Plumbing"),
    ("P0090", "Safety Glasses Clear", "Safety"),
]
SUPPLIERS = [
    ("S001", "Coastal Fasteners Inc.", "Italy"),
    ("S002", "Keystone Trading Co.", "Mexico"),
    ("S007", "Keystone Supply Partners", "United States"),
]
CUSTOMERS = [("C0006", "Thornton Builders Inc."), ("C0226", "Hayes Electric Co.")]


@pytest.fixture(scope="module")
def index() -> EntityIndex:
    return EntityIndex.from_rows(
        warehouses=WAREHOUSES, products=PRODUCTS, suppliers=SUPPLIERS, customers=CUSTOMERS
    )


@pytest.mark.parametrize(
    "text",
    [
        "stock at the East warehouse",
        "WH-EAST",
        "in the east DC",
        "the east distribution center",
        "East Distribution Centre",
        "the Edison warehouse",
        "at the Est Distribution Center",
    ],
)
def test_warehouse_phrasings(index: EntityIndex, text: str) -> None:
    matches = index.find(text)
    assert [(m.kind, m.id) for m in matches] == [("warehouse", "WH-EAST")]
    assert 0 < matches[0].score <= 100


def test_spans_point_at_the_words(index: EntityIndex) -> None:
    text = "revenue for the West DC last week"
    (match,) = index.find(text)
    assert text[match.span[0] : match.span[1]].lower() == "west dc"


def test_products_by_id_name_and_typo(index: EntityIndex) -> None:
    assert [m.id for m in index.find("units of P0052")] == ["P0052"]
    assert [m.id for m in index.find("how many angle grinder 5 in are left")] == ["P0007"]
    assert [m.id for m in index.find("angel grinder 5 in")] == ["P0007"]


def test_categories_statuses_priorities_regions_countries(index: EntityIndex) -> None:
    found = {
        (m.kind, m.id)
        for m in index.find(
            "plumbing and tool express orders shipped to the Midwest region from Italy"
        )
    }
    assert {
        ("category", "Plumbing"),
        ("category", "Tools"),
        ("priority", "EXPRESS"),
        ("region", "Midwest"),
        ("country", "Italy"),
    } <= found
    assert ("order_status", "CANCELLED") in {(m.kind, m.id) for m in index.find("canceled orders")}


def test_safety_stock_is_not_the_safety_category(index: EntityIndex) -> None:
    assert index.find("below safety stock") == []
    assert [m.id for m in index.find("Safety products below safety stock")] == ["Safety"]


def test_ambiguous_short_names_are_not_guessed(index: EntityIndex) -> None:
    # "Keystone" names two suppliers: no match rather than a guess.
    assert [m for m in index.find("spend with keystone") if m.kind == "supplier"] == []
    assert [m.id for m in index.find("spend with Keystone Trading")] == ["S002"]


def test_common_words_are_not_fuzzy_matched(index: EntityIndex) -> None:
    assert index.find("how many orders are overdue by warehouse") == []


def test_kinds_filter(index: EntityIndex) -> None:
    assert index.find("East warehouse plumbing", kinds=["category"])[0].id == "Plumbing"


def test_from_warehouse_is_cached_and_scoped(workbench) -> None:  # type: ignore[no-untyped-def]
    wh = workbench.warehouse
    first = EntityIndex.from_warehouse(wh)
    assert EntityIndex.from_warehouse(wh) is first
    assert {r.kind for r in first.records} >= {
        "warehouse",
        "product",
        "category",
        "supplier",
        "customer",
    }
    scoped = EntityIndex.from_warehouse(wh, tables={"product", "warehouse", "warehouse_product"})
    assert "supplier" not in {r.kind for r in scoped.records}
    assert "customer" not in {r.kind for r in scoped.records}
    assert [m.id for m in scoped.find("the west dc")] == ["WH-WEST"]


def test_product_families_by_leading_words(index: EntityIndex) -> None:
    (match,) = index.find("how many angle grinders are left")
    assert match.kind == "product_group" and set(match.id.split(",")) == {"P0001", "P0007"}
    # A full product name is longer than its family and wins.
    assert [m.kind for m in index.find("Angle Grinder 5 in stock")] == ["product"]
