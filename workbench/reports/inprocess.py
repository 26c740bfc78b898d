"""A papermill engine that runs a report's cells in this Python process, without a kernel.

Report notebooks are thin shells (parameters, one import, one call per section), so a
kernel buys them nothing but its cost: starting a process, importing pandas, DuckDB and
matplotlib again, and a ZeroMQ round trip per cell — most of a report's wall time. This
engine executes each cell with ``exec`` in a fresh namespace, turns the value of a cell's
last expression into rich outputs with IPython's own ``DisplayFormatter`` (the sections'
``_repr_html_``), keeps stdout and stderr as stream outputs, and records a failing cell as
an ``error`` output so papermill raises ``PapermillExecutionError`` as it does for a
kernel. ``reports.engine: kernel`` (or a ``kernel_name``) goes back to a real kernel, for
notebooks that need one.
"""

from __future__ import annotations

import ast
import contextlib
import io
import traceback
import warnings
from typing import Any

from papermill.engines import Engine

__all__ = ["ENGINE_NAME", "InProcessEngine", "register"]

ENGINE_NAME = "workbench-inprocess"


def _stream(name: str, text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def _compile_cell(source: str, filename: str) -> tuple[Any, Any]:
    """(code for every statement but a trailing expression, code evaluating that expression)."""
    tree = ast.parse(source, filename=filename, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        final = tree.body.pop()
        assert isinstance(final, ast.Expr)
        last = ast.Expression(final.value)
    body = compile(tree, filename, "exec")
    return body, compile(last, filename, "eval") if last is not None else None


class InProcessEngine(Engine):
    """Execute the notebook's code cells in this interpreter (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> None:
        from IPython.core.formatters import DisplayFormatter
        from nbformat.v4 import output_from_msg

        formatter = DisplayFormatter()
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                if cell.cell_type != "code":
                    continue
                nb_man.cell_start(cell, index)
                cell.outputs = []
                out, err = io.StringIO(), io.StringIO()
                failed: BaseException | None = None
                value: Any = None
                with (
                    contextlib.redirect_stdout(out),
                    contextlib.redirect_stderr(err),
                    warnings.catch_warnings(),
                ):
                    # Warnings go to the cell's stderr (dropped from the HTML), as in a kernel.
                    warnings.simplefilter("default")
                    warnings.showwarning = _warning_to(err)
                    try:
                        body, last = _compile_cell(cell.source, f"<cell {index}>")
                        exec(body, namespace)
                        if last is not None:
                            value = eval(last, namespace)
                    except Exception as exc:
                        failed = exc
                if out.getvalue():
                    cell.outputs.append(
                        output_from_msg(_msg("stream", **_stream("stdout", out.getvalue())))
                    )
                if err.getvalue():
                    cell.outputs.append(
                        output_from_msg(_msg("stream", **_stream("stderr", err.getvalue())))
                    )
                if failed is not None:
                    cell.outputs.append(
                        output_from_msg(
                            _msg(
                                "error",
                                ename=type(failed).__name__,
                                evalue=str(failed),
                                traceback=traceback.format_exception(failed),
                            )
                        )
                    )
                    nb_man.cell_exception(cell, index, exception=failed)
                    nb_man.cell_complete(cell, index)
                    return
                if value is not None:
                    data, metadata = formatter.format(value)
                    cell.outputs.append(
                        output_from_msg(
                            _msg(
                                "execute_result",
                                data=data,
                                metadata=metadata,
                                execution_count=index,
                            )
                        )
                    )
                cell.execution_count = index
                nb_man.cell_complete(cell, index)
        finally:
            _close_workbenches(namespace)


def _msg(kind: str, **content: Any) -> dict[str, Any]:
    content.pop("output_type", None)
    return {"header": {"msg_type": kind}, "content": content}


def _warning_to(stream: io.StringIO) -> Any:
    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        stream.write(warnings.formatwarning(message, category, filename, lineno, line))

    return show


def _close_workbenches(namespace: dict[str, Any]) -> None:
    """A kernel's exit closes the report's warehouse connection; here we do it."""
    from workbench.reports.sections.common import ReportContext

    for value in namespace.values():
        if isinstance(value, ReportContext):
            with contextlib.suppress(Exception):
                value.workbench.close()
    namespace.clear()


def register() -> str:
    """Register the engine with papermill (idempotent); its name."""
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, InProcessEngine)
    return ENGINE_NAME
