"""Notebook integration: the IPython extension (``%load_ext workbench``) and rich display."""

from __future__ import annotations

from workbench.notebook.display import answer_html
from workbench.notebook.magics import WorkbenchMagics, load_ipython_extension

__all__ = ["WorkbenchMagics", "answer_html", "load_ipython_extension"]
