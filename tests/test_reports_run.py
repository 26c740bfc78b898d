"""Reports executed for real (papermill + a kernel) on the sample data for a fixed as-of date.

Each report runs once per session (kernel starts are the slow part); the tests read the
executed notebooks and the HTML: no source code, summary numbers equal to Workbench.ask,
charts embedded as images, and a failing report names its cell and error.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.cli import _register, cli
from workbench.reports.runner import ReportExecutionError, ReportRun, run_report
from workbench.reports.spec import COMMON_PARAMETERS, REPORTS, ReportSpec

PERSONAS = {name: spec.persona for name, spec in REPORTS.items()}
_KPI = re.compile(r'class="wb-kpi" data-metric="([a-z_]+)" data-value="([^"]*)"')


@pytest.fixture(scope="session")
def report_runs(
    sample_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ReportRun]:
    """Every report executed once on the sample data; the supplier one is also copied to S3 (moto)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    out = tmp_path_factory.mktemp("reports")
    settings = Workbench(home=sample_home).settings
    runs = {}
    for name in ("inventory_health", "delivery_performance"):
        runs[name] = run_report(name, {}, settings=settings, as_of=AS_OF, output_dir=out)
    with moto.mock_aws():
        session = boto3.Session(
            aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1"
        )
        session.client("s3").create_bucket(Bucket="wb-reports")
        runs["supplier_scorecard"] = run_report(
            "supplier_scorecard", {"top_n": "5"}, settings=settings, as_of=AS_OF, output_dir=out,
            s3_destination="s3://wb-reports/scheduled", boto3_session=session,
        )  # fmt: skip
        listed = session.client("s3").list_objects_v2(Bucket="wb-reports")["Contents"]
        runs["supplier_scorecard"].details = {"s3_keys": sorted(o["Key"] for o in listed)}  # type: ignore[attr-defined]
    return runs


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_outputs_exist_and_executed_notebook_is_kept(
    report_runs: dict[str, ReportRun], name: str
) -> None:
    run = report_runs[name]
    assert run.notebook.is_file() and run.html is not None and run.html.is_file()
    assert run.notebook.name == f"{name}_{AS_OF.isoformat()}.ipynb"
    nb = nbformat.read(run.notebook, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'as_of = "2026-06-30"' in injected[0].source
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors


@pytest.mark.parametrize("name", list(REPORTS))
def test_html_has_no_source_code(report_runs: dict[str, ReportRun], name: str) -> None:
    html = report_runs[name].html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    nb = nbformat.read(report_runs[name].notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            code = line.split("#")[0].strip()
            if len(code) > 12:  # every meaningful source line, e.g. "inventory.out_of_stock(ctx)"
                assert code not in html, code
    assert (
        "open_report(" not in html and "import " not in html.split("<body")[1].split("<script")[0]
    )


@pytest.mark.parametrize("name", list(REPORTS))
def test_html_summary_numbers_equal_workbench_ask(
    report_runs: dict[str, ReportRun], workbench: Workbench, sample_home: Path, name: str
) -> None:
    from workbench.reports.sections import delivery, inventory, open_report, supplier

    module = {
        "inventory_health": inventory,
        "delivery_performance": delivery,
        "supplier_scorecard": supplier,
    }[name]
    html = report_runs[name].html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    shown = {m: float(v) for m, v in _KPI.findall(html)}
    ctx = open_report(module.PERSONA, workbench_home=sample_home, as_of=AS_OF)
    questions = {k.metric: k.question for k in module.summary_kpis(ctx)}
    assert set(shown) == set(questions) and len(shown) >= 4
    for metric, value in shown.items():
        answer = workbench.ask(questions[metric], PERSONAS[name], as_of=AS_OF)
        assert answer.ok, answer.error
        assert float(answer.frame.iloc[0, 0]) == pytest.approx(value, rel=1e-9), questions[metric]


@pytest.mark.parametrize(
    ("name", "charts"),
    [("inventory_health", 5), ("delivery_performance", 5), ("supplier_scorecard", 5)],
)
def test_html_embeds_charts_as_png(
    report_runs: dict[str, ReportRun], name: str, charts: int
) -> None:
    html = report_runs[name].html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    images = re.findall(
        r'<img[^>]*class="wb-chart"[^>]*src="data:image/png;base64,iVBORw0KGgo', html
    )
    assert len(images) >= charts
    assert 'class="wb-summary"' in html
    assert "Traceback" not in html and "Warning" not in html


def test_s3_copy_of_the_outputs(report_runs: dict[str, ReportRun]) -> None:
    run = report_runs["supplier_scorecard"]
    prefix = (
        f"scheduled/supplier_scorecard/{AS_OF.isoformat()}/supplier_scorecard_{AS_OF.isoformat()}"
    )
    assert run.details["s3_keys"] == [f"{prefix}.html", f"{prefix}.ipynb"]  # type: ignore[attr-defined]
    assert run.s3_uris == [f"s3://wb-reports/{prefix}.ipynb", f"s3://wb-reports/{prefix}.html"]
    assert run.parameters["top_n"] == 5


def test_failing_report_names_the_cell_and_error(
    sample_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = new_code_cell(
        'as_of = ""\nwarehouse = "all"\noutput_format = "html"\nworkbench_home = ""'
    )
    params.metadata["tags"] = ["parameters"]
    cells = [
        params,
        new_code_cell("x = 1"),
        new_code_cell("raise ValueError('supplier feed missing')"),
    ]
    notebook = tmp_path / "broken.ipynb"
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, notebook)
    spec = ReportSpec(
        "broken",
        "Broken",
        "warehouse_manager",
        "fails on purpose",
        COMMON_PARAMETERS,
        "0 6 * * *",
        notebook,
    )
    monkeypatch.setitem(REPORTS, "broken", spec)
    _register()
    result = CliRunner().invoke(
        cli,
        ["--home", str(sample_home), "report", "run", "broken", "--output", str(tmp_path / "out")],
    )
    assert result.exit_code == 1, result.output
    # papermill's injected-parameters cell sits at index 1, so the failing cell is index 3.
    assert (
        "Report 'broken' failed in cell 3 (raise ValueError('supplier feed missing')): ValueError: supplier feed missing"
        in result.output
    )
    kept = tmp_path / "out" / "broken" / f"broken_{AS_OF.isoformat()}.ipynb"
    assert kept.is_file() and str(kept) in result.output
    with pytest.raises(ReportExecutionError) as info:
        run_report(
            "broken",
            {},
            settings=Workbench(home=sample_home).settings,
            output_dir=tmp_path / "again",
        )
    assert info.value.fields["cell_index"] == 3 and info.value.fields["ename"] == "ValueError"
