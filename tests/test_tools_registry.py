"""The tool registry: JSON-schema contracts, argument validation, Converse config, persona scoping."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from workbench.app import Workbench
from workbench.core.errors import PermissionDeniedError, ToolArgumentError, ToolError
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.tools import ToolRegistry, ToolResult, ToolSpec, registry

EXPECTED = {
    "inventory": {
        "safety_stock",
        "reorder_point",
        "economic_order_quantity",
        "identify_low_stock",
        "identify_stockout_risk",
        "forecast_demand",
    },
    "logistics": {
        "optimize_delivery_route",
        "check_fulfillment_status",
        "identify_delayed_orders",
        "calculate_warehouse_capacity",
    },
    "supplier": {
        "analyze_supplier_performance",
        "compare_supplier_costs",
        "identify_cost_savings",
        "analyze_purchase_trends",
    },
}


def test_catalog_has_every_tool_of_the_issue_under_its_agent() -> None:
    for agent, names in EXPECTED.items():
        assert set(registry.names(agent)) == names


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: s.name)
def test_schema_is_valid_and_matches_the_runner_signature(spec: ToolSpec) -> None:
    Draft202012Validator.check_schema(spec.input_schema)
    schema = spec.input_schema
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    params = inspect.signature(spec.fn).parameters
    keyword = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert keyword == set(schema["properties"]), spec.name
    required = {n for n in keyword if params[n].default is inspect.Parameter.empty}
    assert required == set(schema["required"]), spec.name
    for name, prop in schema["properties"].items():
        if "default" in prop:
            assert params[name].default == prop["default"], (spec.name, name)
    # Every tool that depends on time takes as_of and never reads the clock itself.
    source = inspect.getsource(spec.fn)
    assert "today(" not in source and "now(" not in source


def test_converse_tool_config_shape() -> None:
    config = registry.converse_tool_config(["safety_stock", "optimize_delivery_route"])
    assert [t["toolSpec"]["name"] for t in config["tools"]] == [
        "safety_stock",
        "optimize_delivery_route",
    ]
    spec = config["tools"][0]["toolSpec"]
    assert set(spec) == {"name", "description", "inputSchema"} and set(spec["inputSchema"]) == {
        "json"
    }
    assert spec["inputSchema"]["json"] is registry.get("safety_stock").input_schema
    everything = registry.converse_tool_config()
    assert len(everything["tools"]) == 14
    json.dumps(everything)  # plain JSON
    for tool in everything["tools"]:
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", tool["toolSpec"]["name"])
        assert 20 < len(tool["toolSpec"]["description"]) < 1024


def test_validation_lists_every_problem_at_once() -> None:
    with pytest.raises(ToolArgumentError) as err:
        registry.validate(
            "safety_stock",
            {"service_level": 1.5, "product_ids": "P0001", "as_of": "30/06/2026", "wh": "x"},
        )
    problems = err.value.fields["problems"]
    assert len(problems) == 4, problems
    text = " | ".join(problems)
    assert "service_level" in text and "0.9999" in text
    assert "product_ids" in text and "array" in text
    assert "as_of" in text and "date" in text
    assert "'wh' was unexpected" in text and "allowed:" in text
    assert err.value.code == "invalid_arguments"
    with pytest.raises(ToolArgumentError, match="'as_of' is a required property"):
        registry.validate("reorder_point", {})
    with pytest.raises(ToolArgumentError, match="must be a JSON object"):
        registry.validate("reorder_point", ["as_of"])
    with pytest.raises(ToolArgumentError, match="vehicles"):
        registry.validate(
            "optimize_delivery_route",
            {"warehouse_id": "WH-EAST", "as_of": "2026-06-30", "vehicles": 0},
        )
    assert registry.validate("identify_low_stock", {}) == {}


def test_unknown_tool_suggests_the_closest() -> None:
    with pytest.raises(ToolError, match="Did you mean reorder_point"):
        registry.get("reorder_points")
    with pytest.raises(ToolError, match="Known tools"):
        registry.get("zzz")


def test_persona_may_only_use_tools_over_its_own_tables() -> None:
    supplier_tools = EXPECTED["supplier"]
    for persona in Persona:
        allowed = set(registry.tools_for_persona(persona))
        for spec in registry.specs():
            assert (spec.name in allowed) == (spec.tables <= PERSONA_TABLES[persona])
        if persona is Persona.PROCUREMENT_SPECIALIST:
            assert (
                supplier_tools <= allowed
                and "identify_low_stock" in allowed
                and "reorder_point" not in allowed
            )
        else:
            assert not supplier_tools & allowed and EXPECTED["logistics"] <= allowed


def test_call_refuses_a_persona_before_reading_any_row(workbench: Workbench) -> None:
    class NoReads:
        name = dialect = "duckdb"

        def execute(self, *a: object, **k: object) -> None:
            raise AssertionError("no query may run")

    with pytest.raises(PermissionDeniedError, match="Warehouse Manager"):
        registry.call(
            "analyze_supplier_performance",
            {"as_of": "2026-06-30"},
            NoReads(),
            persona="warehouse_manager",
        )  # type: ignore[arg-type]
    result = registry.call(
        "calculate_warehouse_capacity", {}, workbench.warehouse, persona="procurement_specialist"
    )
    assert isinstance(result, ToolResult) and len(result.rows) == 3


def test_a_separate_registry_accepts_custom_tools() -> None:
    def fn(warehouse: object, *, n: int = 1) -> ToolResult:
        return ToolResult("twice", ["n"], [[2 * n]])

    spec = ToolSpec(
        "twice",
        "Doubles a number for testing.",
        {"type": "object", "properties": {"n": {"type": "integer"}}, "additionalProperties": False},
        fn,
        "inventory",
    )
    reg = ToolRegistry([spec])
    assert reg.call("twice", {"n": 4}, None).rows == [[8]]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already registered"):
        reg.register(spec)
    with pytest.raises(ValueError, match="agent must be"):
        ToolSpec("x", "d", {"type": "object"}, fn, "sales")


TRICKY_ARGUMENTS: list[tuple[str, dict[str, object]]] = [
    ("safety_stock", {"as_of": "2026-06-30", "service_level": True}),
    ("safety_stock", {"as_of": "2026-06-30", "service_level": 1}),
    ("safety_stock", {"as_of": "2026-06-30", "service_level": 0.9999}),
    ("safety_stock", {"as_of": "2026-02-30"}),
    ("safety_stock", {"as_of": "2026-6-30"}),
    ("safety_stock", {"as_of": "２０２６-06-30"}),
    ("safety_stock", {"as_of": 20260630}),
    ("safety_stock", {"as_of": "2026-06-30", "product_ids": ["P0001", "P0001"]}),
    ("safety_stock", {"as_of": "2026-06-30", "product_ids": []}),
    ("safety_stock", {"as_of": "2026-06-30", "category": ""}),
    ("safety_stock", {"as_of": "2026-06-30", "warehouse_id": None}),
    (
        "optimize_delivery_route",
        {"warehouse_id": "WH-EAST", "as_of": "2026-06-30", "vehicles": 2.0},
    ),
    (
        "optimize_delivery_route",
        {"warehouse_id": "WH-EAST", "as_of": "2026-06-30", "vehicles": 2.5},
    ),
    ("analyze_supplier_performance", {"as_of": "2026-06-30", "supplier_ids": ["S001"]}),
    ("identify_cost_savings", {"as_of": "2026-06-30", "min_supplier_score": -0.1}),
]


@pytest.mark.parametrize(("tool", "arguments"), TRICKY_ARGUMENTS)
def test_fast_validation_agrees_with_jsonschema(tool: str, arguments: dict[str, object]) -> None:
    """The compiled fast path accepts exactly what Draft 2020-12 (with formats) accepts."""
    spec = registry.get(tool)
    valid = Draft202012Validator(spec.input_schema, format_checker=FormatChecker()).is_valid(
        arguments
    )
    if valid:
        assert registry.validate(tool, arguments) == arguments
    else:
        with pytest.raises(ToolArgumentError):
            registry.validate(tool, arguments)


def test_a_valid_tool_call_does_not_import_jsonschema() -> None:
    """jsonschema's import builds an RFC 3987 grammar (~1.4 s): only invalid arguments pay it."""
    code = (
        "import sys\n"
        "from workbench.tools import registry\n"
        "registry.validate('safety_stock', {'as_of': '2026-06-30', 'service_level': 0.95})\n"
        "assert 'jsonschema' not in sys.modules, 'jsonschema imported'\n"
        "try:\n"
        "    registry.validate('safety_stock', {'as_of': 'June'})\n"
        "except Exception as exc:\n"
        "    assert 'date' in str(exc), exc\n"
        "assert 'jsonschema' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
