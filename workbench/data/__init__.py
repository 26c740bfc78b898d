"""The data layer: the schema (``schema``), the sample-data generator, loader and checker.

Heavy modules (numpy, pyarrow) load on first use, so ``workbench.data.schema`` stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "SCALES",
    "CheckIssue",
    "CheckReport",
    "GenerationReport",
    "LoadInfo",
    "Scale",
    "check_database",
    "ensure_sample_data",
    "export_parquet",
    "generate",
    "generate_tables",
    "read_load_info",
]

_LAZY = {
    "SCALES": "generator",
    "GenerationReport": "generator",
    "Scale": "generator",
    "ensure_sample_data": "generator",
    "generate": "generator",
    "generate_tables": "generator",
    "LoadInfo": "loader",
    "export_parquet": "loader",
    "read_load_info": "loader",
    "CheckIssue": "checker",
    "CheckReport": "checker",
    "check_database": "checker",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.data' has no attribute {name!r}")
    return getattr(importlib.import_module(f"workbench.data.{module}"), name)
