"""What one answer consumed (``Usage``) and what that costs by service (``Cost``).

Agents record usage as they work; the pricing table in configuration turns usage into
money (see ``workbench.cost.pricing``). A local run costs $0 but still records what the
same work would have cost on the configured AWS setup (``aws_equivalent``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.warehouse.base import QueryResult

#: ``WarehouseUsage.purpose`` of a query that answered (part of) the question.
PURPOSE_ANSWER = "answer"
#: ``WarehouseUsage.purpose`` of the data-version check (part of every cache key).
PURPOSE_DATA_VERSION = "data_version"
#: ``WarehouseUsage.purpose`` of a catalog read (the table list checked once per data version).
PURPOSE_CATALOG = "catalog"


@dataclass
class WarehouseUsage:
    """One warehouse query.

    ``duration_ms`` is what the client saw (polling included); ``server_duration_ms`` is
    the warehouse's own execution time when it reports one (Redshift's ``Duration``), and
    is what billing uses. ``ended_at`` (epoch seconds) places the query in time so the
    ledger can merge Redshift queries into the workgroup's active periods; ``scope`` names
    what is billed as one unit (the Redshift workgroup).
    """

    backend: str
    duration_ms: float
    bytes_scanned: int | None = None
    rows: int = 0
    server_duration_ms: float | None = None
    ended_at: float | None = None
    scope: str | None = None
    query_id: str | None = None
    purpose: str = PURPOSE_ANSWER

    @classmethod
    def from_result(
        cls, result: QueryResult, *, rows: int | None = None, purpose: str = PURPOSE_ANSWER
    ) -> WarehouseUsage:
        """The usage of one :class:`~workbench.warehouse.base.QueryResult` (server timing when known)."""
        extra = result.extra or {}
        server = extra.get("server_duration_ms")
        ended = extra.get("ended_at")
        scope = extra.get("workgroup")
        return cls(
            backend=result.backend,
            duration_ms=float(result.duration_ms),
            bytes_scanned=result.bytes_scanned,
            rows=len(result.frame) if rows is None else rows,
            server_duration_ms=float(server) if isinstance(server, int | float) else None,
            ended_at=float(ended) if isinstance(ended, int | float) else time.time(),
            scope=str(scope) if scope else None,
            query_id=result.query_id,
            purpose=purpose,
        )

    @property
    def billed_duration_ms(self) -> float:
        """The server's duration when reported, else the client's (an upper bound)."""
        return self.server_duration_ms if self.server_duration_ms is not None else self.duration_ms


@dataclass
class LlmUsage:
    backend: str  # "offline" or "bedrock"
    model_id: str
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class InvocationUsage:
    """One request sent to a tool function (each retry is its own item).

    ``billed_duration_ms`` is Lambda's own ``Billed Duration`` when the invoker could read
    it (the log tail of the response), else None and the client time is used (an upper
    bound). ``billed`` is False for a request AWS does not charge (throttled before the
    function ran).
    """

    invoker: str  # "local" or "lambda"
    function: str
    duration_ms: float
    memory_mb: int = 1024
    billed_duration_ms: float | None = None
    billed: bool = True
    request_id: str | None = None


@dataclass
class Usage:
    """Everything one answer consumed; appended to by each step."""

    warehouse: list[WarehouseUsage] = field(default_factory=list)
    llm: list[LlmUsage] = field(default_factory=list)
    invocations: list[InvocationUsage] = field(default_factory=list)

    def merge(self, other: Usage) -> Usage:
        return Usage(
            self.warehouse + other.warehouse,
            self.llm + other.llm,
            self.invocations + other.invocations,
        )

    @property
    def input_tokens(self) -> int:
        return sum(u.input_tokens for u in self.llm)

    @property
    def output_tokens(self) -> int:
        return sum(u.output_tokens for u in self.llm)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass(frozen=True)
class Cost:
    """Money by service in USD: what was actually spent and what AWS would have charged."""

    actual: dict[str, float] = field(default_factory=dict)
    aws_equivalent: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(self.actual.values()), 10)

    @property
    def aws_equivalent_total(self) -> float:
        return round(sum(self.aws_equivalent.values()), 10)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_service": dict(self.actual),
            "aws_equivalent_total": self.aws_equivalent_total,
            "aws_equivalent_by_service": dict(self.aws_equivalent),
        }

    @classmethod
    def zero(cls) -> Cost:
        return cls({}, {})
