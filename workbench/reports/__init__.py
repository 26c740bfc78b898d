"""Scheduled reports: parameterized notebooks executed with papermill, exported to HTML.

- :mod:`~workbench.reports.spec`: the report registry and typed parameter validation;
- :mod:`~workbench.reports.runner`: execute (papermill), export (nbconvert), upload (S3);
- :mod:`~workbench.reports.schedule`: crontab entries and installation;
- :mod:`~workbench.reports.sections`: the report content, one function per section.

Heavy imports (papermill, nbconvert, matplotlib) happen inside the functions that need them.
"""

from __future__ import annotations

from workbench.reports.runner import ReportExecutionError, ReportRun, run_report
from workbench.reports.spec import (
    REPORTS,
    Parameter,
    ReportParameterError,
    ReportSpec,
    get_report,
    validate_parameters,
)

__all__ = [
    "REPORTS",
    "Parameter",
    "ReportExecutionError",
    "ReportParameterError",
    "ReportRun",
    "ReportSpec",
    "get_report",
    "run_report",
    "validate_parameters",
]
