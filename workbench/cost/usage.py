"""What one answer consumed (``Usage``) and what that costs by service (``Cost``).

Agents record usage as they work; the pricing table in configuration turns usage into
money (see ``workbench.cost.pricing``). A local run costs $0 but still records what the
same work would have cost on the configured AWS setup (``aws_equivalent``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class WarehouseUsage:
    backend: str
    duration_ms: float
    bytes_scanned: int | None = None
    rows: int = 0


@dataclass
class LlmUsage:
    backend: str  # "offline" or "bedrock"
    model_id: str
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class InvocationUsage:
    invoker: str  # "local" or "lambda"
    function: str
    duration_ms: float
    memory_mb: int = 1024


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
