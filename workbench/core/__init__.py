"""Cross-cutting foundations: configuration, errors, logging, retries and local paths."""

from __future__ import annotations

from workbench.core.config import Settings, load_settings
from workbench.core.errors import WorkbenchError
from workbench.core.paths import workbench_home

__all__ = ["Settings", "WorkbenchError", "load_settings", "workbench_home"]
