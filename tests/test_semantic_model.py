"""The semantic model: the glossary as data, validated as a whole."""

from __future__ import annotations

import copy

import pytest
import yaml

from workbench.core.errors import ConfigError
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.semantic.model import default_model_path, load_model, model_from_mapping
from workbench.semantic.schema_provider import (
    LocalSchemaProvider,
    StaticSchemaProvider,
    describe_tables,
    model_schema_issues,
)

GLOSSARY_METRICS = {
    "on_hand", "available", "out_of_stock", "low_stock", "reorder_needed", "suggested_order_qty", "inventory_value",
    "avg_daily_demand", "days_of_cover", "stockout_risk", "capacity_utilization", "units_sold", "revenue",
    "open_orders", "overdue_orders", "due_today", "delayed_shipments", "late_deliveries", "on_time_delivery_rate",
    "fulfilment_time", "spend", "pending_pos", "supplier_on_time_rate", "supplier_lead_time", "fill_rate",
    "cost_variance", "supplier_score", "order_count", "avg_order_value", "cancelled_orders", "po_count",
}  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(default_model_path().read_text(encoding="utf-8"))


def test_every_glossary_metric_is_defined_once() -> None:
    model = load_model()
    assert set(model.metrics) >= GLOSSARY_METRICS
    # Each metric's SQL lives in one place: a measure, a ratio of measures or an expression of metrics.
    for metric in model.metrics.values():
        assert sum(x is not None for x in (metric.measure, metric.ratio, metric.expr)) == 1


def test_persona_scoping_follows_the_tables() -> None:
    model = load_model()
    wm = set(model.metrics_for(Persona.WAREHOUSE_MANAGER))
    ps = set(model.metrics_for(Persona.PROCUREMENT_SPECIALIST))
    assert {"revenue", "overdue_orders", "days_of_cover", "on_hand"} <= wm
    assert not {"spend", "fill_rate", "supplier_score"} & wm
    assert {"spend", "fill_rate", "supplier_score", "on_hand", "reorder_needed"} <= ps
    assert not {"revenue", "days_of_cover", "stockout_risk"} & ps
    for persona in Persona:
        for name in model.metrics_for(persona):
            assert model.metric_tables(name) <= PERSONA_TABLES[persona]
    assert model.personas_for_metric("spend") == [Persona.PROCUREMENT_SPECIALIST]


def test_cancelled_never_count_except_in_cancellation_measures() -> None:
    model = load_model()
    for name, measure in model.measures.items():
        if measure.source not in {"sales", "orders", "purchases", "purchase_orders"} or (
            measure.agg == "count" and measure.filter is None and measure.condition is None
        ):
            continue
        sql = " ".join(
            e.sql()
            for e in (
                measure.filter,
                model.conditions[measure.condition].sql if measure.condition else None,
            )
            if e is not None
        )
        cancellation = (
            measure.condition is not None and model.conditions[measure.condition].cancellation
        )
        assert (
            cancellation or "CANCELLED" not in sql or "<> 'CANCELLED'" in sql or "IN ('" in sql
        ), name


def test_validation_reports_every_problem_at_once(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    broken["measures"]["revenue"]["expr"] = "sales_order_line.line_totl"  # unknown column
    broken["measures"]["spend"]["source"] = "nowhere"  # unknown source
    broken["metrics"]["fill_rate"]["ratio"]["numerator"] = "missing_measure"
    broken["conditions"]["overdue_order"]["sql"] = "sales_order_header.status IN ("  # syntax
    broken["dimensions"]["warehouse"]["entity"] = "galaxy"
    broken["language"]["filler"].append(True)  # a bare "on" read as a boolean
    with pytest.raises(ConfigError) as info:
        model_from_mapping(broken)
    text = "\n".join(info.value.issues)
    assert len(info.value.issues) >= 6
    assert "line_totl" in text and "did you mean 'line_total'" in text
    assert "unknown source 'nowhere'" in text
    assert "missing_measure" in text
    assert "overdue_order.sql" in text
    assert "galaxy" in text
    assert "quotes" in text


def test_joins_may_only_use_tables_joined_before(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    joins = broken["sources"]["sales"]["joins"]
    broken["sources"]["sales"]["joins"] = {
        "warehouse": joins["warehouse"],
        **{k: v for k, v in joins.items() if k != "warehouse"},
    }
    with pytest.raises(ConfigError, match="problem"):
        model_from_mapping(broken)


def test_schema_providers_and_model_matches_the_warehouse(workbench) -> None:  # type: ignore[no-untyped-def]
    model = load_model()
    local = LocalSchemaProvider(workbench.warehouse)
    assert {t.name for t in local.tables(Persona.FIELD_ENGINEER)} == PERSONA_TABLES[
        Persona.FIELD_ENGINEER
    ]
    assert model_schema_issues(model, local.tables()) == []
    static = StaticSchemaProvider().tables("procurement_specialist")
    assert "supplier" in {t.name for t in static} and "sales_order_line" not in {
        t.name for t in static
    }
    text = describe_tables(static)
    assert "purchase_order_line" in text and "quantity_received" in text
    # A warehouse missing a column is reported.
    trimmed = [
        t
        if t.name != "product"
        else type(t)(t.name, tuple(c for c in t.columns if c.name != "unit_cost"), t.description)
        for t in local.tables()
    ]
    assert "column 'product.unit_cost' is missing" in model_schema_issues(model, trimmed)


def _issues_of(broken: dict) -> list[str]:
    with pytest.raises(ConfigError) as info:
        model_from_mapping(broken)
    return info.value.issues


def test_an_unknown_key_is_refused_at_its_yaml_path(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    broken["metrics"]["revenue"]["lable"] = "Revenue"  # a typo that would otherwise be ignored
    broken["sources"]["inventory"]["joins"]["product"]["typ"] = "left"
    broken["colour"] = "blue"
    issues = _issues_of(broken)
    assert "metrics.revenue: unknown key 'lable'; did you mean 'label'?" in "\n".join(issues)
    assert any(
        i.startswith("sources.inventory.joins.product: unknown key 'typ'; did you mean 'type'?")
        for i in issues
    )
    assert any(i.startswith("(top level): unknown key 'colour'") for i in issues)
    assert len(issues) == 3


def test_a_dangling_reference_names_both_ends(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    broken["measures"]["positions_out_of_stock"]["condition"] = "out_of_stok"
    lname = next(n for n, lst in raw["listings"].items() if "count_metric" in lst)
    broken["listings"][lname]["count_metric"] = "no_such_metric"
    broken["phrases"][0]["dimension"] = "planet"
    del broken["personas"]["field_engineer"]
    issues = _issues_of(broken)
    assert (
        "measures.positions_out_of_stock.condition: unknown condition 'out_of_stok'; "
        "did you mean 'out_of_stock'?"
    ) in issues
    assert f"listings.{lname}.count_metric: unknown metric 'no_such_metric'" in issues
    assert "phrases[0].dimension: unknown dimension 'planet'" in issues
    assert "personas: persona 'field_engineer' has no examples" in issues
    assert len(issues) == 4


def test_a_derived_metric_may_not_refer_to_itself_through_others(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    broken["metrics"]["a_loop"] = {"label": "a", "unit": "count", "expr": "b_loop + 1"}
    broken["metrics"]["b_loop"] = {"label": "b", "unit": "count", "expr": "a_loop * 2"}
    issues = _issues_of(broken)
    assert "metrics.a_loop.expr: refers to itself through other metrics" in issues
    assert "metrics.b_loop.expr: refers to itself through other metrics" in issues


def test_a_wrong_type_is_refused_at_its_yaml_path(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    broken["metrics"]["on_hand"]["higher_is_better"] = ["yes"]
    broken["metrics"]["revenue"]["synonyms"] = "sales"  # a string, not a list
    broken["measures"]["revenue"]["agg"] = "median"
    broken["sources"]["inventory"]["joins"]["demand_30d"]["derived"]["last_days"] = "a month"
    broken["personas"]["ceo"] = {"examples": ["What is our revenue?"]}
    issues = _issues_of(broken)
    paths = {i.split(":", 1)[0] for i in issues}
    assert {
        "metrics.on_hand.higher_is_better",
        "metrics.revenue.synonyms",
        "measures.revenue.agg",
        "sources.inventory.joins.demand_30d.derived.last_days",
        "personas.ceo",
    } <= paths
    assert "personas.ceo: unknown persona 'ceo'" in issues
    # The entries that are malformed are left out of the cross-reference check, not reported
    # again as missing (the metric revenue still refers to the measure revenue).
    assert not [i for i in issues if "unknown measure" in i]


def test_added_vocabulary_loads_into_the_same_specs(raw: dict) -> None:
    extended = copy.deepcopy(raw)
    extended["metrics"]["revenue"]["synonyms"].append("takings")
    extended["time_grains"]["week"]["synonyms"].append(2026)  # a number reads as its text
    model = model_from_mapping(extended)
    assert "takings" in model.metrics["revenue"].synonyms
    assert "2026" in model.time_grains["week"].synonyms
    base = load_model()
    assert list(model.metrics) == list(base.metrics)
    assert model.listings["orders"].columns == base.listings["orders"].columns
