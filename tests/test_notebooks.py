"""Every notebook in the repository is executed by the test suite.

The analyst notebooks run here (nbclient, one kernel each, WORKBENCH_HOME = the sample
data); the report notebooks run through papermill in tests/test_reports_run.py; the app
and dashboard notebooks in tests/test_ui_notebooks.py. A new notebook anywhere else fails
:func:`test_every_notebook_is_executed_by_a_test` until a test runs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ANALYSIS = sorted((NOTEBOOKS / "analysis").glob("*.ipynb"))
#: Where each other notebook folder is executed.
EXECUTED_ELSEWHERE = {
    "reports": "tests/test_reports_run.py",
    "dashboards": "tests/test_ui_notebooks.py",
    ".": "tests/test_ui_notebooks.py",
}


def _committed_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_every_notebook_is_executed_by_a_test() -> None:
    from workbench.reports.spec import REPORTS

    for path in _committed_notebooks():
        folder = path.parent.relative_to(NOTEBOOKS).as_posix()
        if folder == "analysis":
            assert path in ANALYSIS
            continue
        assert folder in EXECUTED_ELSEWHERE, f"{path} is not executed by any test"
        runner = ROOT / EXECUTED_ELSEWHERE[folder]
        assert runner.is_file(), f"{runner} (which should execute {path}) is missing"
        if folder == "reports":
            assert path.stem in REPORTS, f"{path} is not a registered report"
        else:
            assert path.name in runner.read_text() or folder in runner.read_text(), path


@pytest.mark.parametrize("path", ANALYSIS, ids=[p.stem for p in ANALYSIS])
def test_analysis_notebooks_are_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", ANALYSIS, ids=[p.stem for p in ANALYSIS])
def test_analysis_notebook_executes(path: Path, sample_home: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    env = {**os.environ, "WORKBENCH_HOME": str(sample_home), "MPLBACKEND": "Agg"}
    env.pop("WORKBENCH_CONFIG", None)
    client.execute(env=env)  # raises CellExecutionError naming the cell on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(
        o.get("text", "")
        for o in outputs
        if o.output_type == "stream" and o.get("name") == "stderr"
    )
    assert "Error:" not in stderr, stderr
    # Every %ask shows the rich answer (sentence, chart, cost), not a bare repr.
    for cell in nb.cells:
        if cell.cell_type == "code" and "%ask" in cell.source:
            html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
            assert 'class="wb-answer"' in html and "on AWS $" in html, cell.source
