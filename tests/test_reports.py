"""Reports without a kernel: parameter validation, sections vs Workbench.ask, HTML export,
S3 upload (moto), crontab generation and installation, and the CLI's refusals."""

from __future__ import annotations

import base64
import datetime as dt
import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.cli import _register, cli
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.reports.export import notebook_to_html
from workbench.reports.runner import prepare_parameters, run_report
from workbench.reports.schedule import (
    BEGIN_MARKER,
    END_MARKER,
    crontab_block,
    install_crontab,
    merge_block,
)
from workbench.reports.sections import delivery, inventory, open_report, supplier
from workbench.reports.spec import (
    REPORTS,
    ReportParameterError,
    get_report,
    parse_assignments,
    validate_parameters,
)

WAREHOUSES = ["WH-CENTRAL", "WH-EAST", "WH-WEST"]


# -- registry and parameters ----------------------------------------------------------------------
def test_every_report_has_its_notebook_with_a_parameters_cell_and_no_outputs() -> None:
    assert set(REPORTS) == {"inventory_health", "delivery_performance", "supplier_scorecard"}
    for spec in REPORTS.values():
        nb = nbformat.read(spec.notebook, as_version=4)
        first = nb.cells[0]
        assert "parameters" in first.metadata.get("tags", [])
        declared = {p.name for p in spec.parameters}
        assigned = {
            ln.split("=")[0].strip()
            for ln in first.source.splitlines()
            if "=" in ln and not ln.startswith("#")
        }
        assert assigned == declared, spec.name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, spec.name
                # Thin: an import and one call per cell, no logic.
                assert len(cell.source.splitlines()) <= 10


def test_validation_types_values_and_fills_defaults() -> None:
    spec = get_report("inventory_health")
    got = validate_parameters(
        spec,
        {"as_of": "2026-06-30", "warehouse": "wh-east", "top_n": "5"},
        known_warehouses=WAREHOUSES,
    )
    assert got["as_of"] == dt.date(2026, 6, 30)
    assert got["warehouse"] == "WH-EAST"
    assert got["top_n"] == 5 and got["horizon_days"] == 14 and got["output_format"] == "html"


def test_validation_reports_every_problem_at_once() -> None:
    spec = get_report("inventory_health")
    with pytest.raises(ReportParameterError) as info:
        validate_parameters(
            spec,
            {
                "as_of": "30/06/2026",
                "warehouse": "WH-EAZT",
                "top": "3",
                "horizon_days": "x",
                "output_format": "pdf",
            },
            known_warehouses=WAREHOUSES,
        )
    text = str(info.value)
    assert "unknown parameter 'top' (did you mean top_n?)" in text
    assert "as_of: '30/06/2026' is not a date; use YYYY-MM-DD" in text
    assert "there is no warehouse 'WH-EAZT'" in text and "Did you mean WH-EAST" in text
    assert "horizon_days: 'x' is not a whole number" in text
    assert "output_format: 'pdf' is not one of html, ipynb" in text
    assert len(info.value.problems) == 5


def test_validation_ranges_and_lazy_warehouse_lookup() -> None:
    spec = get_report("supplier_scorecard")
    with pytest.raises(ReportParameterError, match="months: 0 is below the minimum 1"):
        validate_parameters(spec, {"months": 0})

    def boom() -> list[str]:
        raise AssertionError("warehouse ids are fetched only when a warehouse is named")

    assert (
        validate_parameters(spec, {"warehouse": "all"}, known_warehouses=boom)["warehouse"] == "all"
    )


def test_unknown_report_and_malformed_assignment() -> None:
    with pytest.raises(ReportParameterError, match="There is no report called 'inventory'") as info:
        get_report("inventory")
    assert "inventory_health" in str(info.value)
    with pytest.raises(ReportParameterError, match="'top_n' is not key=value"):
        parse_assignments(["top_n"])
    assert parse_assignments(["a=b=c", " x = 1 "]) == {"a": "b=c", "x": "1"}


def test_bad_parameters_are_rejected_before_anything_runs(
    sample_home: Path, tmp_path: Path
) -> None:
    settings = Workbench(home=sample_home).settings
    with pytest.raises(ReportParameterError, match="no warehouse 'WH-MOON'"):
        run_report(
            "delivery_performance",
            {"warehouse": "WH-MOON"},
            settings=settings,
            output_dir=tmp_path / "out",
        )
    assert not (tmp_path / "out").exists()  # no folder, no notebook, no kernel


def test_prepare_parameters_fills_as_of_and_home_from_settings(sample_home: Path) -> None:
    settings = Workbench(home=sample_home).settings
    params = prepare_parameters(get_report("inventory_health"), {}, settings)
    assert params["as_of"] == AS_OF and params["workbench_home"] == str(sample_home)
    assert prepare_parameters(get_report("inventory_health"), {}, settings, as_of="2026-06-01")[
        "as_of"
    ] == dt.date(2026, 6, 1)


# -- sections: the summary numbers are the numbers Workbench.ask gives ---------------------------
@pytest.mark.parametrize(
    ("module", "warehouse"),
    [
        (inventory, "all"),
        (delivery, "all"),
        (supplier, "all"),
        (inventory, "WH-EAST"),
        (delivery, "WH-WEST"),
    ],
)
def test_summary_kpis_equal_workbench_ask(
    workbench: Workbench, sample_home: Path, module, warehouse: str
) -> None:
    ctx = open_report(module.PERSONA, workbench_home=sample_home, as_of=AS_OF, warehouse=warehouse)
    kpis = module.summary_kpis(ctx)
    assert len(kpis) >= 4
    for kpi in kpis:
        answer = workbench.ask(kpi.question, module.PERSONA, as_of=AS_OF)
        assert answer.ok, (kpi.question, answer.error)
        assert answer.frame.shape == (1, 1), (kpi.question, answer.frame)
        assert kpi.value is not None
        assert float(answer.frame.iloc[0, 0]) == pytest.approx(kpi.value, rel=1e-9), kpi.question


def test_summary_numbers_match_independent_sql(workbench: Workbench, sample_home: Path) -> None:
    """The glossary formulas written by hand (DATA_MODEL.md), not through the semantic layer."""
    ctx = open_report(inventory.PERSONA, workbench_home=sample_home, as_of=AS_OF)
    kpi = {k.metric: k.value for k in inventory.summary_kpis(ctx)}
    row = workbench.sql(
        "SELECT sum(CASE WHEN wp.quantity_on_hand = 0 THEN 1 ELSE 0 END) AS oos, "
        "sum(CASE WHEN wp.quantity_on_hand <= wp.reorder_point THEN 1 ELSE 0 END) AS reorder, "
        "sum(wp.quantity_on_hand * p.unit_cost) AS value "
        "FROM warehouse_product wp JOIN product p USING (product_id)"
    ).iloc[0]
    assert kpi["out_of_stock"] == row["oos"] and kpi["reorder_needed"] == row["reorder"]
    assert kpi["inventory_value"] == pytest.approx(float(row["value"]))
    ctx = open_report(delivery.PERSONA, workbench_home=sample_home, as_of=AS_OF)
    kpi = {k.metric: k.value for k in delivery.summary_kpis(ctx)}
    row = workbench.sql(
        "SELECT count(*) FILTER (WHERE status IN ('PENDING','PICKING','SHIPPED') AND promised_date < DATE '2026-06-30') AS overdue, "
        "count(*) FILTER (WHERE status IN ('PENDING','PICKING','SHIPPED') AND promised_date = DATE '2026-06-30') AS due "
        "FROM sales_order_header"
    ).iloc[0]
    assert kpi["overdue_orders"] == row["overdue"] and kpi["due_today"] == row["due"]


def test_sections_render_html_with_embedded_charts(sample_home: Path) -> None:
    ctx = open_report(
        inventory.PERSONA, workbench_home=sample_home, as_of=AS_OF, warehouse="WH-EAST", top_n=5
    )
    summary = inventory.executive_summary(ctx)
    html = summary._repr_html_()
    assert 'data-metric="out_of_stock"' in html and "WH-EAST" in html
    section = inventory.reorder_needed(ctx)
    assert len(section.frame) == 5 and set(section.frame["warehouse_id"]) == {"WH-EAST"}
    assert (
        section.frame["suggested_order_qty"]
        == section.frame["max_stock"] - section.frame["on_hand"]
    ).all()
    out = section._repr_html_()
    assert out.count('<img class="wb-chart" src="data:image/png;base64,') == 1
    png = base64.b64decode(out.split("base64,")[1].split('"')[0])
    assert png.startswith(b"\x89PNG")


def test_routes_section_covers_each_warehouse(sample_home: Path) -> None:
    ctx = open_report(delivery.PERSONA, workbench_home=sample_home, as_of=AS_OF)
    out = delivery.routes(ctx, time_limit_seconds=0.2)
    due = ctx.metrics("due_today", dimensions=("warehouse",))
    for wid, n in zip(due["warehouse_id"], due["due_today"], strict=True):
        assert f"{wid}: {int(n)} stops" in out.text
    assert out.chart is not None and set(out.frame["route"]) == set(due["warehouse_id"])


# -- HTML export -----------------------------------------------------------------------------------
def test_html_export_hides_code_and_stderr_and_keeps_images() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    cell = new_code_cell("secret_source_code = compute_everything()")
    cell.outputs = [
        new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        new_output("stream", name="stderr", text="ConvergenceWarning: noisy\n"),
        new_output("stream", name="stdout", text="visible line\n"),
    ]
    params = new_code_cell("as_of = 'x'")
    params.metadata["tags"] = ["parameters"]
    html = notebook_to_html(new_notebook(cells=[params, cell]), title="T")
    assert (
        "secret_source_code" not in html
        and "compute_everything" not in html
        and "as_of" not in html
    )
    assert "ConvergenceWarning" not in html and "visible line" in html
    assert f"data:image/png;base64,{png}" in html


# -- S3 ----------------------------------------------------------------------------------------------
def test_upload_outputs_to_s3_with_moto(tmp_path: Path) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from workbench.core.config import AwsSettings
    from workbench.reports.s3 import parse_s3_uri, upload_outputs

    files = [tmp_path / "r.html", tmp_path / "r.ipynb"]
    files[0].write_text("<html>hi</html>")
    files[1].write_text("{}")
    with moto.mock_aws():
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        session.client("s3").create_bucket(Bucket="reports-bucket")
        uris = upload_outputs(
            files,
            "s3://reports-bucket/daily/",
            aws=AwsSettings(region="us-east-1"),
            boto3_session=session,
            subdir="inventory_health/2026-06-30",
        )
        assert uris == [
            "s3://reports-bucket/daily/inventory_health/2026-06-30/r.html",
            "s3://reports-bucket/daily/inventory_health/2026-06-30/r.ipynb",
        ]
        obj = session.client("s3").get_object(
            Bucket="reports-bucket", Key="daily/inventory_health/2026-06-30/r.html"
        )
        assert obj["Body"].read() == b"<html>hi</html>" and obj["ContentType"].startswith(
            "text/html"
        )
        with pytest.raises(WorkbenchError):
            upload_outputs(
                files[:1],
                "s3://no-such-bucket",
                aws=AwsSettings(region="us-east-1"),
                boto3_session=session,
            )
    with pytest.raises(ConfigError, match="not an S3 destination"):
        parse_s3_uri("https://bucket/x")


# -- cron --------------------------------------------------------------------------------------------
def test_crontab_block_has_one_line_per_report_with_parameters_and_logs(tmp_path: Path) -> None:
    block = crontab_block(
        home=tmp_path / "home", output_dir=tmp_path / "out dir", log_dir=tmp_path / "logs",
        schedules={"supplier_scorecard": "15 5 * * 1"},
        parameters={"inventory_health": {"warehouse": "WH-EAST", "top_n": "5"}},
        command=["/venv/bin/workbench"],
    )  # fmt: skip
    lines = block.splitlines()
    assert lines[0] == BEGIN_MARKER and lines[-1] == END_MARKER
    jobs = [ln for ln in lines if ln.startswith(("0 ", "30 ", "15 "))]
    assert len(jobs) == 3
    inv = next(ln for ln in jobs if "inventory_health" in ln)
    assert inv.startswith("0 6 * * * /venv/bin/workbench --home ")
    assert "-p top_n=5 -p warehouse=WH-EAST" in inv
    assert f"'{tmp_path / 'out dir'}'" in inv  # quoted for the shell
    assert inv.endswith(f">> {tmp_path / 'logs' / 'report_inventory_health.log'} 2>&1")
    assert next(ln for ln in jobs if "supplier_scorecard" in ln).startswith("15 5 * * 1 ")


def test_crontab_block_sets_no_variable_for_the_users_other_lines(tmp_path: Path) -> None:
    block = crontab_block(
        home=tmp_path, output_dir=tmp_path / "out", log_dir=tmp_path / "logs", command=["workbench"]
    )
    merged = merge_block("MAILTO=me\n0 1 * * * my-own-job\n", block)
    assert not [
        line
        for line in merged.splitlines()
        if "=" in line.split(" ")[0] and not line.startswith("MAILTO")
    ]


def test_crontab_block_validates_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ReportParameterError, match="unknown parameter 'colour'"):
        crontab_block(home=tmp_path, output_dir=tmp_path, log_dir=tmp_path,
                      parameters={"inventory_health": {"colour": "red"}})  # fmt: skip
    with pytest.raises(ConfigError, match="not a cron expression"):
        crontab_block(home=tmp_path, output_dir=tmp_path, log_dir=tmp_path,
                      schedules={"inventory_health": "every morning"})  # fmt: skip


def test_merge_block_replaces_only_ours_and_is_idempotent() -> None:
    block = f"{BEGIN_MARKER}\n0 6 * * * new\n{END_MARKER}\n"
    existing = (
        f"MAILTO=me\n5 4 * * * backup\n{BEGIN_MARKER}\n0 6 * * * old\n{END_MARKER}\n@reboot other\n"
    )
    merged = merge_block(existing, block)
    assert "old" not in merged and merged.count(BEGIN_MARKER) == 1
    assert "5 4 * * * backup" in merged and "@reboot other" in merged and "0 6 * * * new" in merged
    assert merge_block(merged, block) == merged
    assert merge_block("", block) == block


def _fake_crontab(tmp_path: Path) -> Path:
    """A stand-in for the crontab program with its real interface (-l lists, - installs stdin)."""
    table = tmp_path / "table"
    script = tmp_path / "crontab"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        f"table = pathlib.Path({str(table)!r})\n"
        "if sys.argv[1] == '-l':\n"
        "    if not table.exists():\n"
        "        sys.stderr.write('no crontab for user\\n'); sys.exit(1)\n"
        "    sys.stdout.write(table.read_text())\n"
        "else:\n"
        "    table.write_text(sys.stdin.read())\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_install_crontab_keeps_other_entries(tmp_path: Path) -> None:
    crontab = _fake_crontab(tmp_path)
    block = f"{BEGIN_MARKER}\n0 6 * * * job\n{END_MARKER}\n"
    assert install_crontab(block, crontab=[str(crontab)]) == block  # no crontab yet
    (tmp_path / "table").write_text("1 1 * * * mine\n" + block)
    install_crontab(block.replace("job", "job2"), crontab=[str(crontab)])
    text = (tmp_path / "table").read_text()
    assert "1 1 * * * mine" in text and "job2" in text and "* job\n" not in text
    with pytest.raises(WorkbenchError, match="'crontab' command is not available"):
        install_crontab(block, crontab=[str(tmp_path / "missing")])


# -- CLI -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def test_cli_list(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["report", "list"])
    assert result.exit_code == 0
    for name in REPORTS:
        assert name in result.output
    assert "-p top_n (int, default 10)" in result.output


def test_cli_run_rejects_bad_parameters_with_exit_2(
    runner: CliRunner, sample_home: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli,
        ["--home", str(sample_home), "report", "run", "inventory_health", "-p", "warehouse=WH-NOPE",
         "-p", "topn=3", "--as-of", "2026-02-30", "--output", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "nothing was run" in result.output
    assert "no warehouse 'WH-NOPE'" in result.output and "unknown parameter 'topn'" in result.output
    assert "'2026-02-30' is not a date" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()
    result = runner.invoke(cli, ["--home", str(sample_home), "report", "run", "inventory_helth"])
    assert result.exit_code == 2 and "Did you mean inventory_health?" in result.output


def test_cli_schedule_prints_and_writes(
    runner: CliRunner, sample_home: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli,
        ["--home", str(sample_home), "report", "schedule", "--only", "delivery_performance",
         "-p", "delivery_performance.warehouse=WH-EAST", "--cron", "delivery_performance=0 5 * * *"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    job = [ln for ln in result.output.splitlines() if "report run" in ln]
    assert len(job) == 1 and job[0].startswith("0 5 * * * ") and "-p warehouse=WH-EAST" in job[0]
    assert f"--home {sample_home}" in job[0] and str(sample_home / "logs") in job[0]
    target = tmp_path / "cron.txt"
    result = runner.invoke(
        cli, ["--home", str(sample_home), "report", "schedule", "--write", str(target)]
    )
    assert result.exit_code == 0 and target.read_text().count("report run") == 3
    result = runner.invoke(
        cli, ["--home", str(sample_home), "report", "schedule", "-p", "warehouse=WH-EAST"]
    )
    assert result.exit_code == 2 and "REPORT.KEY=VALUE" in result.output


def test_cli_schedule_install(
    runner: CliRunner, sample_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crontab = _fake_crontab(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(cli, ["--home", str(sample_home), "report", "schedule", "--install"])
    assert result.exit_code == 0, result.output
    assert crontab.exists() and (tmp_path / "table").read_text().count("report run") == 3
