"""Report sections: one function per section, each over the semantic layer and the tools.

Notebooks under ``notebooks/reports/`` call these and nothing else, so every number in a
report is typed, unit-tested code and the same metric ``Workbench.ask`` answers with.
"""

from __future__ import annotations

from workbench.reports.sections import delivery, inventory, supplier
from workbench.reports.sections.common import (
    Kpi,
    ReportContext,
    SectionOutput,
    Summary,
    open_report,
)

__all__ = [
    "Kpi",
    "ReportContext",
    "SectionOutput",
    "Summary",
    "delivery",
    "inventory",
    "open_report",
    "supplier",
]
