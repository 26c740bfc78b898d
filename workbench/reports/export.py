"""Executed notebook -> standalone HTML for business readers: no code, charts embedded."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE_DIR", "TEMPLATE_NAME", "export_html", "notebook_to_html"]

#: Our nbconvert template: the lab look without a single request to another host.
TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "workbench_report"


def _reader_view(nb: Any) -> Any:
    """A copy without what a reader should not see: stderr streams and the parameters cells."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
            if tags & {"parameters", "injected-parameters"}:
                cell.outputs = []
    return nb


def notebook_to_html(nb: Any, *, title: str = "") -> str:
    """HTML of an executed notebook with every input (source code and prompts) excluded.

    PNG outputs and the sections' ``<img src="data:image/png;base64,...">`` stay inline, and
    the ``workbench_report`` template loads no script from anywhere, so the file is
    self-contained (mail it, put it on S3, open it offline or behind a firewall).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE_NAME,
    )
    body, _ = exporter.from_notebook_node(
        _reader_view(nb), resources={"metadata": {"name": title or "Report"}}
    )
    return str(body)


def export_html(notebook: str | Path, html_path: str | Path, *, title: str = "") -> Path:
    """Write ``html_path`` from the executed notebook at ``notebook``."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    out = Path(html_path)
    out.write_text(notebook_to_html(nb, title=title), encoding="utf-8")
    return out
