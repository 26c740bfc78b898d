"""Do two warehouses hold the same data? Row counts per table and every glossary KPI.

Used when moving between backends (Redshift -> Athena, see docs/migration.md): the same
semantic-layer plans are compiled once and run on both sides, so a difference is in the
data or the engine, not in hand-written SQL. KPIs are the metrics of the semantic model
(the business glossary of DATA_MODEL.md), each computed over all rows at a fixed "today".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from workbench.core.errors import WorkbenchError
from workbench.data.schema import TABLES, Persona
from workbench.warehouse.base import Warehouse

__all__ = ["ParityCheck", "ParityReport", "compare_warehouses"]


@dataclass(frozen=True)
class ParityCheck:
    kind: str  # "rows" or "kpi"
    name: str
    left: Any
    right: Any
    ok: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "left": self.left,
            "right": self.right,
            "ok": self.ok,
            **({"error": self.error} if self.error else {}),
        }


@dataclass
class ParityReport:
    left: str
    right: str
    as_of: dt.date
    checks: list[ParityCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def differences(self) -> list[ParityCheck]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "right": self.right,
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
        }


def _scalar(warehouse: Warehouse, ast: Any) -> Any:
    frame = warehouse.execute(ast, row_limit=10).frame
    if frame.empty:
        return None
    value: Any = frame.iloc[0, -1]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return float(value) if not isinstance(value, bool | str) else value


def _same(a: Any, b: Any, rel_tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=1e-6)
    return bool(a == b)


def _run_both(
    left: Warehouse, right: Warehouse, kind: str, name: str, ast: Any, rel_tol: float
) -> ParityCheck:
    values = []
    for side in (left, right):
        try:
            values.append(_scalar(side, ast))
        except WorkbenchError as exc:
            return ParityCheck(kind, name, None, None, False, f"{side.name}: {exc.message}")
    return ParityCheck(kind, name, values[0], values[1], _same(values[0], values[1], rel_tol))


def compare_warehouses(
    left: Warehouse,
    right: Warehouse,
    *,
    as_of: dt.date,
    model: Any = None,
    rel_tol: float = 1e-9,
) -> ParityReport:
    """Row counts of every data table, then every metric of the semantic model, on both."""
    from workbench.semantic.compiler import PlanCompiler
    from workbench.semantic.model import load_model
    from workbench.semantic.plan import QueryPlan

    model = model or load_model()
    compiler = PlanCompiler(model)
    report = ParityReport(left.name, right.name, as_of)
    for table in TABLES:
        count = exp.select(exp.Count(this=exp.Star()).as_("n")).from_(table.name)
        report.checks.append(_run_both(left, right, "rows", table.name, count, 0.0))
    seen: set[str] = set()
    for persona in Persona:
        for metric in model.metrics_for(persona.value):
            if metric in seen:
                continue
            seen.add(metric)
            plan = QueryPlan.from_dict(
                {
                    "kind": "metrics",
                    "metrics": [metric],
                    "persona": persona.value,
                    "as_of": as_of.isoformat(),
                    "question": f"parity check: {metric}",
                },
                as_of=as_of,
            )
            ast: Any = compiler.compile(plan).ast
            report.checks.append(_run_both(left, right, "kpi", metric, ast, rel_tol))
    return report
