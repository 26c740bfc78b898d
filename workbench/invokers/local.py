"""``LocalInvoker``: run tools in-process against the configured warehouse (the default).

No network and no credentials. The call still goes through the registry's JSON-schema
validation and returns the same JSON dictionary a Lambda function would, so switching
``invoker.backend`` changes where tools run, not what they answer. Usage records the
tool's duration with the configured Lambda memory size, so the cost ledger can show what
the same call would cost on Lambda.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.core.errors import ConfigError
from workbench.cost.usage import InvocationUsage, Usage
from workbench.invokers.base import RecordingWarehouse, register_invoker
from workbench.tools.registry import ToolRegistry, default_registry
from workbench.warehouse.base import Warehouse

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = ["LocalInvoker"]


class LocalInvoker:
    """Validate and run tools in this process."""

    name = "local"

    def __init__(
        self, warehouse: Warehouse, *, registry: ToolRegistry | None = None, memory_mb: int = 1024
    ) -> None:
        self.warehouse = warehouse
        self.registry = registry or default_registry()
        self.memory_mb = memory_mb

    def invoke(
        self, tool_name: str, arguments: Mapping[str, Any], *, usage: Usage | None = None
    ) -> dict[str, Any]:
        recorder = RecordingWarehouse(self.warehouse)
        start = time.perf_counter()
        try:
            result = self.registry.call(tool_name, dict(arguments), recorder)
        finally:
            duration_ms = (time.perf_counter() - start) * 1000
            if usage is not None:
                usage.warehouse.extend(recorder.records)
                usage.invocations.append(
                    InvocationUsage(self.name, tool_name, duration_ms, self.memory_mb)
                )
        return result.to_dict()


@register_invoker("local")
def _local_factory(
    settings: Settings, *, warehouse: Warehouse | None = None, boto3_session: Any = None
) -> LocalInvoker:
    if warehouse is None:
        raise ConfigError(
            "The local invoker needs a warehouse to run tools against.", key="invoker.backend"
        )
    return LocalInvoker(warehouse, memory_mb=settings.invoker.lambda_.memory_mb)
