"""``workbench data ...`` through click's CliRunner, each test in its own temporary home."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from workbench.cli import _register, cli
from workbench.data.loader import read_load_info
from workbench.data.schema import TABLES

_register()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home whose config asks for tiny data, so generating takes a fraction of a second."""
    (tmp_path / "config.yaml").write_text(
        "data:\n  scale: tiny\n  seed: 5\n  end_date: 2026-03-31\n", encoding="utf-8"
    )
    return tmp_path


def run(home: Path, *args: str) -> Result:
    # WORKBENCH_CONFIG from the developer's shell must not leak into the test.
    return CliRunner().invoke(
        cli,
        ["--home", str(home), "data", *args],
        env={"WORKBENCH_CONFIG": None},
        catch_exceptions=False,
    )


def test_generate_uses_config_defaults_and_refuses_to_overwrite(home: Path) -> None:
    first = run(home, "generate")
    assert first.exit_code == 0, first.output
    assert (
        "Generated 'tiny' data (seed 5, end date 2026-03-31)" in first.output
        and "sales_order_line" in first.output
    )
    db = home / "data" / "warehouse.duckdb"
    load = read_load_info(db)
    assert load is not None and (load.scale, load.seed, str(load.end_date)) == (
        "tiny",
        5,
        "2026-03-31",
    )

    again = run(home, "generate", "--seed", "6")
    assert again.exit_code == 1
    assert (
        "Data already exists" in again.output
        and "--force" in again.output
        and "Traceback" not in again.output
    )
    assert read_load_info(db).load_id == load.load_id  # type: ignore[union-attr]

    forced = run(home, "generate", "--seed", "6", "--end-date", "2026-04-15", "--force")
    assert forced.exit_code == 0, forced.output
    new = read_load_info(db)
    assert (
        new is not None
        and new.load_id != load.load_id
        and (new.seed, str(new.end_date)) == (6, "2026-04-15")
    )


def test_generate_rejects_bad_options(home: Path) -> None:
    bad_scale = run(home, "generate", "--scale", "huge")
    assert bad_scale.exit_code == 2 and "huge" in bad_scale.output
    bad_date = run(home, "generate", "--end-date", "31/12/2026")
    assert bad_date.exit_code == 2 and "31/12/2026" in bad_date.output


def test_check_ok_then_failing_with_a_table_of_issues(home: Path) -> None:
    assert run(home, "generate").exit_code == 0
    ok = run(home, "check")
    assert ok.exit_code == 0 and ok.output.startswith("OK:") and "no issues" in ok.output

    con = duckdb.connect(str(home / "data" / "warehouse.duckdb"))
    con.execute("UPDATE product SET unit_price = unit_cost WHERE product_id = 'P0001'")
    con.execute(
        "UPDATE warehouse_product SET quantity_reserved = quantity_on_hand + 2 WHERE product_id = 'P0002'"
    )
    con.close()
    bad = run(home, "check")
    assert bad.exit_code == 1
    assert "2 issue(s) found" in bad.output
    assert "price_above_cost" in bad.output and "reserved_within_on_hand" in bad.output
    as_json = run(home, "check", "--format", "json")
    assert as_json.exit_code == 1
    payload = json.loads(as_json.output)
    assert payload["ok"] is False and {i["rule"] for i in payload["issues"]} == {
        "price_above_cost",
        "reserved_within_on_hand",
    }


def test_check_without_data_or_on_a_corrupted_file_is_a_clear_error(home: Path) -> None:
    missing = run(home, "check")
    assert (
        missing.exit_code == 1
        and "No warehouse file" in missing.output
        and "workbench data generate" in missing.output
    )
    db = home / "data" / "warehouse.duckdb"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database at all" * 50)
    corrupted = run(home, "check")
    assert corrupted.exit_code == 1 and "not a readable DuckDB database" in corrupted.output
    assert "Traceback" not in corrupted.output


def test_info_shows_rows_load_id_and_as_of(home: Path) -> None:
    assert run(home, "generate").exit_code == 0
    load = read_load_info(home / "data" / "warehouse.duckdb")
    assert load is not None
    info = run(home, "info")
    assert info.exit_code == 0, info.output
    assert (
        f"Load id: {load.load_id}" in info.output and "As of (end date): 2026-03-31" in info.output
    )
    for t in TABLES:
        assert t.name in info.output
    payload = json.loads(run(home, "info", "--format", "json").output)
    assert payload["load"]["load_id"] == load.load_id and payload["rows"] == load.rows


def test_export_parquet(home: Path, tmp_path: Path) -> None:
    assert run(home, "generate").exit_code == 0
    out = tmp_path / "exported"
    result = run(home, "export", "--format", "parquet", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(t.name for t in TABLES)
    assert all((out / t.name / "data.parquet").is_file() for t in TABLES)


def test_generate_honours_a_configured_database_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "wh.db"  # not a .duckdb name: must still be taken as the file
    (tmp_path / "config.yaml").write_text(
        f"data:\n  scale: tiny\nwarehouse:\n  duckdb:\n    path: {target}\n", encoding="utf-8"
    )
    result = run(tmp_path, "generate", "--end-date", "2026-02-01")
    assert result.exit_code == 0, result.output
    assert target.is_file() and not (tmp_path / "data").exists()
    assert run(tmp_path, "check").exit_code == 0
