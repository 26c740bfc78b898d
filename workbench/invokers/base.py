"""The invoker port: how a specialist runs a tool, in-process or as a remote function.

``Invoker.invoke(tool_name, arguments, usage=)`` takes JSON arguments and returns the
tool's JSON result (:meth:`workbench.tools.ToolResult.to_dict`), so the same call works
in-process (:class:`~workbench.invokers.local.LocalInvoker`, the default) and over AWS
Lambda (:class:`~workbench.invokers.aws_lambda.LambdaInvoker`). Each call appends an
``InvocationUsage`` (and the warehouse queries it ran) to the answer's ``Usage`` so the
cost ledger can price it. Backends are chosen by ``invoker.backend`` through a registry
that plugins can extend with the ``workbench.invokers`` entry-point group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pandas as pd
from sqlglot import exp

from workbench.core.errors import ConfigError
from workbench.cost.usage import Usage, WarehouseUsage
from workbench.warehouse.base import QueryResult, TableInfo, Warehouse

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = [
    "Invoker",
    "InvokerFactory",
    "RecordingWarehouse",
    "available_invokers",
    "create_invoker",
    "function_name_for",
    "register_invoker",
]


@runtime_checkable
class Invoker(Protocol):
    #: Registry name ("local", "lambda"); also ``InvocationUsage.invoker``.
    name: str

    def invoke(
        self, tool_name: str, arguments: Mapping[str, Any], *, usage: Usage | None = None
    ) -> dict[str, Any]:
        """Run one tool; return its JSON result. Raises ToolArgumentError / ToolError / WorkbenchError."""
        ...


def function_name_for(agent: str, settings: Settings) -> str:
    """The Lambda function configured for a specialist agent (inventory, logistics, supplier)."""
    lam = settings.invoker.lambda_
    names = {
        "inventory": lam.inventory_function,
        "logistics": lam.logistics_function,
        "supplier": lam.supplier_function,
    }
    try:
        return names[agent]
    except KeyError:
        raise ConfigError(
            f"No Lambda function is configured for the '{agent}' agent.", key="invoker.lambda"
        ) from None


class RecordingWarehouse:
    """A warehouse wrapper that remembers what each query cost, for ``Usage.warehouse``."""

    def __init__(self, inner: Warehouse) -> None:
        self.inner = inner
        self.name = inner.name
        self.dialect = inner.dialect
        self.records: list[WarehouseUsage] = []
        self._lock = threading.Lock()

    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        result = self.inner.execute(sql, timeout=timeout, row_limit=row_limit)
        with self._lock:
            self.records.append(WarehouseUsage.from_result(result))
        return result

    def query(self, sql: str | exp.Expression) -> pd.DataFrame:
        return self.execute(sql).frame

    def tables(self) -> list[TableInfo]:
        return self.inner.tables()

    def data_version(self) -> str:
        return self.inner.data_version()

    def close(self) -> None:
        """The wrapped warehouse belongs to the caller; closing the recorder leaves it open."""


InvokerFactory = Callable[..., Invoker]
_REGISTRY: dict[str, InvokerFactory] = {}
_ENTRY_POINT_GROUP = "workbench.invokers"


def register_invoker(name: str) -> Callable[[InvokerFactory], InvokerFactory]:
    """Decorator: make an invoker available as ``invoker.backend: <name>``.

    A factory is called as ``factory(settings, warehouse=..., boto3_session=...)``.
    """

    def deco(factory: InvokerFactory) -> InvokerFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtin_and_plugins() -> None:
    import workbench.invokers.aws_lambda
    import workbench.invokers.local  # noqa: F401

    for ep in entry_points(group=_ENTRY_POINT_GROUP):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = ep.load()


def available_invokers() -> list[str]:
    _load_builtin_and_plugins()
    return sorted(_REGISTRY)


def create_invoker(
    settings: Settings, *, warehouse: Warehouse | None = None, boto3_session: Any = None
) -> Invoker:
    """The configured invoker: ``local`` runs tools against ``warehouse``; ``lambda`` calls the functions."""
    _load_builtin_and_plugins()
    name = settings.invoker.backend
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"Unknown invoker backend '{name}'.",
            issues=[f"invoker.backend: must be one of {', '.join(sorted(_REGISTRY))}"],
            key="invoker.backend",
        ) from None
    return factory(settings, warehouse=warehouse, boto3_session=boto3_session)
