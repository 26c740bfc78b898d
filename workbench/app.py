"""The ``Workbench`` facade: the one object notebooks, dashboards, reports and the CLI use."""

from __future__ import annotations

import logging
import os
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.core.config import Settings, load_settings
from workbench.core.logs import configure_logging
from workbench.data.schema import DATA_TABLES
from workbench.warehouse.base import Warehouse, create_warehouse
from workbench.warehouse.guard import SqlGuard

log = logging.getLogger(__name__)


class Workbench:
    """Entry point to the workbench.

    ``home`` decides where local state lives (default ``$WORKBENCH_HOME`` or ``~/.workbench``);
    ``config`` is a path to a YAML file, a mapping, a :class:`Settings`, or None for the
    documented lookup order.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, config: str | os.PathLike[str] | dict[str, Any] | Settings | None = None) -> None:
        self.settings: Settings = load_settings(config, home=home)
        configure_logging(
            self.settings.log_dir,
            level=self.settings.logging.level,
            max_bytes=self.settings.logging.max_bytes,
            backup_count=self.settings.logging.backup_count,
        )

    @property
    def home(self) -> os.PathLike[str]:
        return self.settings.home

    @cached_property
    def warehouse(self) -> Warehouse:
        return create_warehouse(self.settings)

    def sql(self, sql: str, *, allowed_tables: frozenset[str] = DATA_TABLES, persona: str | None = None) -> pd.DataFrame:
        """Run analyst SQL after the safety check (one read-only SELECT over the data tables)."""
        limit = self.settings.warehouse.row_limit
        checked = SqlGuard(allowed_tables, dialect=self.warehouse.dialect, row_limit=limit + 1, persona=persona).check(sql)
        return self.warehouse.execute(checked.ast, row_limit=limit).frame

    def close(self) -> None:
        if "warehouse" in self.__dict__:
            self.warehouse.close()
            del self.__dict__["warehouse"]

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
