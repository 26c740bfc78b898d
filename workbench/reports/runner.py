"""Run a report: validate parameters, execute the notebook with papermill, export, upload.

Order matters: parameters are validated (including warehouse ids against the data) before
a kernel starts; the executed notebook is always kept - on failure too, with the failing
cell marked by papermill - and a failure becomes a :class:`ReportExecutionError` naming
the cell and the error, so cron logs say what broke without opening the notebook.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.errors import WorkbenchError
from workbench.core.logs import log_event
from workbench.reports.kernel import ensure_kernel
from workbench.reports.spec import ReportSpec, get_report, validate_parameters

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = [
    "ReportExecutionError",
    "ReportRun",
    "default_output_dir",
    "prepare_parameters",
    "run_report",
]

log = logging.getLogger(__name__)


class ReportExecutionError(WorkbenchError):
    """A report notebook failed; ``cell_index``, ``ename`` and ``evalue`` say where and why."""

    code = "report_failed"


@dataclass
class ReportRun:
    """What a run produced."""

    report: str
    parameters: dict[str, Any]
    notebook: Path
    html: Path | None
    duration_s: float
    s3_uris: list[str] = field(default_factory=list)
    #: Where the time went (seconds): "execute" (kernel start or not, every cell), each cell
    #: (papermill's own timing; the import cell holds the imports), "export" (HTML).
    phases: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "parameters": {
                k: str(v) if isinstance(v, dt.date) else v for k, v in self.parameters.items()
            },
            "notebook": str(self.notebook),
            "html": str(self.html) if self.html else None,
            "duration_s": round(self.duration_s, 3),
            "s3_uris": list(self.s3_uris),
            "phases": dict(self.phases),
        }


def default_output_dir(settings: Settings) -> Path:
    """``reports.output_dir`` from the config, else ``<home>/reports``."""
    configured = settings.reports.output_dir
    return Path(configured).expanduser() if configured else settings.home / "reports"


def _warehouse_ids(settings: Settings) -> list[str]:
    from sqlglot import exp

    from workbench.warehouse.base import create_warehouse

    warehouse = create_warehouse(settings)
    try:
        query = exp.select("warehouse_id").from_("warehouse").order_by("warehouse_id")
        return [str(v) for v in warehouse.execute(query).frame["warehouse_id"]]
    finally:
        warehouse.close()


def prepare_parameters(
    spec: ReportSpec,
    values: Mapping[str, Any],
    settings: Settings,
    *,
    as_of: dt.date | str | None = None,
) -> dict[str, Any]:
    """Typed parameters for a run; ``as_of`` and ``workbench_home`` default from the settings."""
    raw = dict(values)
    if as_of is not None:
        raw["as_of"] = as_of
    params = validate_parameters(spec, raw, known_warehouses=lambda: _warehouse_ids(settings))
    if params.get("as_of") is None:
        params["as_of"] = settings.effective_as_of
    if not params.get("workbench_home"):
        params["workbench_home"] = str(settings.home)
    return params


def _papermill_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def run_report(
    name: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    settings: Settings,
    as_of: dt.date | str | None = None,
    output_dir: str | Path | None = None,
    s3_destination: str | None = None,
    boto3_session: Any = None,
    kernel_name: str | None = None,
    timeout_s: float = 600.0,
) -> ReportRun:
    """Execute report ``name`` and write ``<output>/<name>/<name>_<as_of>[_<warehouse>].ipynb`` (+ ``.html``).

    Raises :class:`~workbench.reports.spec.ReportParameterError` before anything runs when
    a parameter is wrong, and :class:`ReportExecutionError` when a cell fails.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    spec = get_report(name)
    params = prepare_parameters(spec, parameters or {}, settings, as_of=as_of)
    # A named kernel, or reports.engine: kernel, runs a real kernel; else the cells run here.
    in_process = kernel_name is None and settings.reports.engine == "inprocess"
    if in_process:
        from workbench.reports.inprocess import register

        engine: str | None = register()
        kernel = "python3"
    else:
        engine = None
        kernel = ensure_kernel(kernel_name) if kernel_name else ensure_kernel()
    folder = Path(output_dir).expanduser() if output_dir else default_output_dir(settings)
    folder = folder / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{spec.name}_{params['as_of'].isoformat()}"
    if params["warehouse"] != "all":
        stem += f"_{params['warehouse']}"
    notebook_out = folder / f"{stem}.ipynb"
    started = time.perf_counter()
    try:
        executed = pm.execute_notebook(
            str(spec.notebook),
            str(notebook_out),
            parameters={k: _papermill_value(v) for k, v in params.items()},
            kernel_name=kernel,
            engine_name=engine,
            cwd=str(spec.notebook.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout_s,
        )
    except PapermillExecutionError as exc:
        first_line = next((ln for ln in str(exc.source).splitlines() if ln.strip()), "")
        log_event(log, "report_failed", level=logging.ERROR, report=spec.name, cell_index=exc.cell_index,
                  ename=exc.ename, evalue=exc.evalue, notebook=str(notebook_out))  # fmt: skip
        raise ReportExecutionError(
            f"Report '{spec.name}' failed in cell {exc.cell_index} ({first_line.strip()[:80]}): "
            f"{exc.ename}: {exc.evalue}",
            detail="\n".join(exc.traceback)
            if isinstance(exc.traceback, list)
            else str(exc.traceback),
            hint=f"The executed notebook with the error is {notebook_out}.",
            report=spec.name,
            cell_index=exc.cell_index,
            ename=exc.ename,
            evalue=exc.evalue,
            notebook=str(notebook_out),
        ) from None
    executed_at = time.perf_counter()
    phases = {"execute": round(executed_at - started, 3)}
    for index, cell in enumerate(executed.cells):
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.cell_type == "code" and seconds is not None:
            phases[f"cell {index}: {cell.source.splitlines()[0][:60] if cell.source else ''}"] = (
                round(float(seconds), 3)
            )
    html_out: Path | None = None
    if params["output_format"] == "html":
        from workbench.reports.export import export_html

        html_out = export_html(notebook_out, notebook_out.with_suffix(".html"),
                               title=f"{spec.title} - {params['as_of'].isoformat()}")  # fmt: skip
    duration = time.perf_counter() - started
    phases["export"] = round(time.perf_counter() - executed_at, 3)
    run = ReportRun(spec.name, params, notebook_out, html_out, duration, phases=phases)
    destination = s3_destination or settings.reports.s3_destination
    if destination:
        from workbench.reports.s3 import upload_outputs

        files = [notebook_out, *([html_out] if html_out else [])]
        run.s3_uris = upload_outputs(files, destination, aws=settings.aws, boto3_session=boto3_session,
                                     subdir=f"{spec.name}/{params['as_of'].isoformat()}")  # fmt: skip
    log_event(log, "report_run", report=spec.name, duration_s=round(duration, 3),
              notebook=str(notebook_out), html=str(html_out) if html_out else None, s3=run.s3_uris)  # fmt: skip
    return run
