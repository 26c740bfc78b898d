"""The warehouse port: what every backend (DuckDB, Redshift Serverless, Athena) offers.

Backends differ in how a statement runs (in-process, asynchronous with polling and
pagination, billed by bytes scanned); callers see one :class:`Warehouse` protocol and
get a :class:`QueryResult` carrying the frame plus what it cost to produce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pandas as pd
from sqlglot import exp

from workbench.core.errors import ConfigError

if TYPE_CHECKING:
    from workbench.core.config import Settings


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[ColumnInfo, ...]
    description: str = ""
    row_count: int | None = None


@dataclass
class QueryResult:
    """A finished query: rows plus the facts the cost ledger and logs need."""

    frame: pd.DataFrame
    sql: str
    backend: str
    duration_ms: float
    query_id: str | None = None
    #: Bytes the engine scanned (Athena bills by this); None when the engine does not say.
    bytes_scanned: int | None = None
    #: True when the row limit cut the result.
    truncated: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@runtime_checkable
class Warehouse(Protocol):
    """A read-only SQL warehouse holding the tables of DATA_MODEL.md.

    ``execute`` runs SQL that has already passed :class:`~workbench.warehouse.guard.SqlGuard`
    or came from our own compiler; adapters never run unchecked user text.
    """

    #: Registry name ("duckdb", "redshift", "athena").
    name: str
    #: sqlglot dialect for rendering ("duckdb", "redshift", "athena").
    dialect: str

    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult: ...

    def query(self, sql: str | exp.Expression) -> pd.DataFrame: ...

    def tables(self) -> list[TableInfo]: ...

    def data_version(self) -> str:
        """Changes whenever the data is reloaded; part of every cache key."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class IsolatingWarehouse(Protocol):
    """A backend that runs SQL we did not write under tighter limits than its own queries.

    The embedded DuckDB shares the notebook's process and memory, so it runs such SQL in a
    bounded worker process. Remote backends are bounded by their servers and need not offer it.
    """

    def execute_untrusted(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult: ...


def execute_untrusted(
    warehouse: Warehouse,
    sql: str | exp.Expression,
    *,
    timeout: float | None = None,
    row_limit: int | None = None,
) -> QueryResult:
    """Run guard-checked SQL that a person or a model wrote: bounded where the backend can."""
    if isinstance(warehouse, IsolatingWarehouse):
        return warehouse.execute_untrusted(sql, timeout=timeout, row_limit=row_limit)
    return warehouse.execute(sql, timeout=timeout, row_limit=row_limit)


WarehouseFactory = Callable[["Settings"], Warehouse]
_REGISTRY: dict[str, WarehouseFactory] = {}
_ENTRY_POINT_GROUP = "workbench.warehouses"


def register_warehouse(name: str) -> Callable[[WarehouseFactory], WarehouseFactory]:
    """Decorator: make a backend available under ``warehouse.backend: <name>``."""

    def deco(factory: WarehouseFactory) -> WarehouseFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtin_and_plugins() -> None:
    # Built-in adapters register themselves on import; AWS ones import boto3 lazily inside.
    import workbench.warehouse.duckdb  # noqa: F401

    for mod in ("workbench.warehouse.redshift", "workbench.warehouse.athena"):
        try:
            __import__(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
    for ep in entry_points(group=_ENTRY_POINT_GROUP):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = ep.load()


def available_warehouses() -> list[str]:
    _load_builtin_and_plugins()
    return sorted(_REGISTRY)


def create_warehouse(settings: Settings) -> Warehouse:
    """Build the configured warehouse backend."""
    _load_builtin_and_plugins()
    name = settings.warehouse.backend
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"Unknown warehouse backend '{name}'.",
            issues=[f"warehouse.backend: must be one of {', '.join(sorted(_REGISTRY))}"],
            key="warehouse.backend",
        ) from None
    return factory(settings)
