"""The notebooks run top to bottom in a real kernel and display the app widget."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbench.ui.serve import project_notebooks_dir

NOTEBOOKS = [
    project_notebooks_dir() / "app.ipynb",
    *sorted((project_notebooks_dir() / "dashboards").glob("*.ipynb")),
]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_shows_the_app(
    path: Path, sample_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = nbformat.read(path, as_version=4)
    # What papermill/Voila do with the parameters cell: inject the home after it.
    nb.cells.insert(1, nbformat.v4.new_code_cell(f"home = {str(sample_home)!r}"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env={**os.environ})
    outputs = nb.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    assert WIDGET_MIME in outputs[0].data
    assert "AppView" in outputs[0].data["text/plain"]
