"""``workbench ask``: table or JSON output, --as-of, refusals with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import _register, cli


def run(sample_home: Path, *args: str):  # type: ignore[no-untyped-def]
    _register()
    return CliRunner().invoke(
        cli, ["--home", str(sample_home), "ask", *args], catch_exceptions=False
    )


def test_table_output_shows_ids_and_names(sample_home: Path) -> None:
    result = run(
        sample_home,
        "Which products are out of stock at the West warehouse?",
        "--persona",
        "field_engineer",
        "--as-of",
        "2026-06-30",
    )
    assert result.exit_code == 0, result.output
    read_as, first = result.output.splitlines()[:2]
    # How the question was read comes first, then the answer.
    assert (
        read_as == "Read as: Stock positions · out of stock · warehouse: West Distribution Center"
    )
    assert "out of stock at West Distribution Center" in first
    assert (
        "product_id" in result.output
        and "product_name" in result.output
        and "WH-WEST" in result.output
    )


def test_json_output(sample_home: Path) -> None:
    result = run(
        sample_home,
        "revenue by warehouse last month",
        "-p",
        "warehouse_manager",
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["columns"] == ["warehouse_id", "warehouse_name", "revenue"]
    assert payload["row_count"] == 3 and payload["error"] is None
    assert payload["as_of"] == "2026-06-30"
    assert payload["sql"].startswith("SELECT")


def test_refusal_exits_1_with_message(sample_home: Path) -> None:
    result = run(sample_home, "What is the spend by supplier?", "--persona", "warehouse_manager")
    assert result.exit_code == 1
    assert "Ask as Procurement Specialist" in result.output


def test_not_understood_lists_suggestions(sample_home: Path) -> None:
    result = run(sample_home, "blorp the zibbles", "--persona", "procurement_specialist")
    assert result.exit_code == 1
    assert "You could ask:" in result.output
