"""Persona SQL agents: a question -> plan -> checked SQL -> rows -> a short answer.

One agent per persona. The agent reads only its persona's tables: the planner refuses a
question that needs other tables (saying which persona can answer it) before anything
runs, and every compiled query still passes :class:`SqlGuard` with the persona's
allow-list (defence in depth). The agent is self-contained so an orchestrator can wrap
it (routing, cache, memory, cost) without changing it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any, cast

import pandas as pd

from workbench.agents.answer import Answer, Intent
from workbench.agents.base import AgentRequest
from workbench.core import present
from workbench.core.errors import (
    DataError,
    NotUnderstoodError,
    PermissionDeniedError,
    WorkbenchError,
)
from workbench.core.logs import log_event
from workbench.cost.usage import Usage, WarehouseUsage
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.semantic.answer_text import describe_result, suggest_chart
from workbench.semantic.compiler import PlanCompiler
from workbench.semantic.interpretation import interpret_plan
from workbench.semantic.model import SemanticModel, load_model
from workbench.semantic.plan import QueryPlan
from workbench.semantic.planner.offline import OfflinePlanner
from workbench.semantic.question import ParsedQuestion, parse_text
from workbench.semantic.schema_provider import (
    LocalSchemaProvider,
    SchemaProvider,
    model_schema_issues,
)
from workbench.warehouse.base import Warehouse
from workbench.warehouse.guard import SqlGuard

__all__ = ["PersonaSqlAgent", "previous_plan"]

log = logging.getLogger(__name__)


def previous_plan(request: AgentRequest) -> QueryPlan | None:
    """The plan of the session's previous answer, if it was a semantic-layer plan."""
    prev = request.previous
    if prev is None or prev.error:
        return None
    plan = prev.plan
    if isinstance(plan, QueryPlan):
        return plan
    if isinstance(plan, dict) and plan.get("kind") in ("metrics", "listing"):
        try:
            return QueryPlan.from_dict(plan, as_of=request.as_of)
        except (KeyError, ValueError, TypeError):
            return None
    return None


class PersonaSqlAgent:
    """Answers one persona's questions with the semantic layer and the warehouse port.

    ``planner`` is anything with ``plan(question, *, persona, as_of, previous)``
    (default: the offline planner over the warehouse's entity names).
    """

    def __init__(
        self,
        warehouse: Warehouse,
        persona: Persona | str,
        *,
        planner: Any = None,
        schema_provider: SchemaProvider | None = None,
        model: SemanticModel | None = None,
        row_limit: int = 10_000,
        timeout: float | None = None,
        sql_cache_size: int = 256,
    ) -> None:
        self.warehouse = warehouse
        self.persona = Persona.parse(persona)
        self.name = f"{self.persona.value}_sql"
        self.model = model or load_model()
        self.allowed_tables = PERSONA_TABLES[self.persona]
        self.planner = planner or OfflinePlanner.for_warehouse(
            warehouse, self.model, tables=self.allowed_tables
        )
        self.compiler: PlanCompiler = getattr(self.planner, "compiler", None) or PlanCompiler(
            self.model
        )
        self.schema_provider = schema_provider or LocalSchemaProvider(warehouse)
        self.allowed_tables = PERSONA_TABLES[self.persona]
        self.guard = SqlGuard(
            self.allowed_tables,
            dialect=warehouse.dialect,
            row_limit=row_limit + 1,
            persona=self.persona.value,
        )
        self.row_limit = row_limit
        self.timeout = timeout
        self._sql_cache: OrderedDict[str, str] = OrderedDict()
        self._sql_cache_size = sql_cache_size
        self._lock = threading.Lock()
        self._schema_checked: str | None = None

    # -- Agent protocol ------------------------------------------------------------------
    def answer(self, request: AgentRequest) -> Answer:
        started = time.perf_counter()
        base = Answer(
            question=request.question,
            persona=self.persona.value,
            intent=Intent.SQL_QUERY,
            agent=self.name,
            as_of=request.as_of,
        )
        if Persona.parse(request.persona) != self.persona:
            return self._done(
                base.with_(
                    error=f"This agent answers for the {self.persona.label} persona, not {Persona.parse(request.persona).label}."
                ),
                started,
            )
        try:
            parsed = request.parsed
            if parsed is not None and callable(getattr(self.planner, "parse", None)):
                plan = self.planner.plan(
                    request.question,
                    persona=self.persona,
                    as_of=request.as_of,
                    previous=previous_plan(request),
                    parsed=parsed,
                    previous_keys=self._previous_keys(request),
                )
            else:
                plan = self.planner.plan(
                    request.question,
                    persona=self.persona,
                    as_of=request.as_of,
                    previous=previous_plan(request),
                )
        except NotUnderstoodError as err:
            log_event(
                log,
                "question_not_understood",
                persona=self.persona.value,
                code=err.code,
                question=request.question[:300],
            )
            return self._done(
                base.with_(
                    error=err.message, suggestions=list(err.suggestions), details={"code": err.code}
                ),
                started,
            )
        except PermissionDeniedError as err:
            log_event(
                log,
                "question_refused",
                persona=self.persona.value,
                question=request.question[:300],
                tables=err.fields.get("tables"),
            )
            return self._done(
                base.with_(
                    error=err.message,
                    details={
                        "code": err.code,
                        "allowed_personas": err.fields.get("allowed_personas", []),
                    },
                ),
                started,
            )
        try:
            return self._done(self._run(plan, base), started)
        except WorkbenchError as err:
            log_event(
                log,
                "answer_failed",
                persona=self.persona.value,
                code=err.code,
                error=err.message,
                level=logging.WARNING,
            )
            return self._done(
                base.with_(plan=plan, error=str(err), details={"code": err.code}), started
            )

    def answer_plan(self, plan: QueryPlan, request: AgentRequest) -> Answer:
        """Run a plan that was changed from a reading (a chip removed in the dashboard)
        without reading the question again; the persona's guard applies as for any plan."""
        started = time.perf_counter()
        base = Answer(
            question=request.question,
            persona=self.persona.value,
            intent=Intent.SQL_QUERY,
            agent=self.name,
            as_of=request.as_of,
        )
        plan = plan.with_(persona=self.persona.value, as_of=plan.as_of or request.as_of)
        try:
            return self._done(self._run(plan, base), started)
        except WorkbenchError as err:
            return self._done(
                base.with_(plan=plan, error=str(err), details={"code": err.code}), started
            )

    def _previous_keys(self, request: AgentRequest) -> dict[str, tuple[Any, ...]]:
        """The ids of the rows the previous answer showed, per dimension (or listing key), so
        "these" / "those" / "their" can mean exactly those rows."""
        plan = previous_plan(request)
        prev = request.previous
        if plan is None or prev is None or prev.frame is None or prev.frame.empty:
            return {}
        keys: dict[str, tuple[Any, ...]] = {}
        frame = prev.frame
        if plan.kind == "metrics":
            for dim in plan.dimensions:
                spec = self.model.dimensions.get(dim)
                if spec is None or not spec.columns:
                    continue
                column = spec.columns[0]
                if column in frame.columns:
                    keys[dim] = tuple(dict.fromkeys(frame[column].dropna().astype(str)))
        elif plan.listing in self.model.listings:
            listing = self.model.listings[plan.listing or ""]
            key = listing.columns[0][0] if listing.columns else None
            if key and key in frame.columns:
                keys[key] = tuple(dict.fromkeys(frame[key].dropna().astype(str)))
        return keys

    def parse(self, question: str, as_of: Any) -> ParsedQuestion:
        """The question's one reading, by this persona's planner (entity names it may see)."""
        parse = getattr(self.planner, "parse", None)
        if callable(parse):
            return cast(ParsedQuestion, parse(question, as_of=as_of, persona=self.persona))
        return parse_text(question, as_of, self.persona.value)

    # -- steps ------------------------------------------------------------------------------
    def _check_schema(self) -> None:
        """Once per data version: the warehouse has every column the semantic model uses."""
        version = self.warehouse.data_version()
        if self._schema_checked == version:
            return
        issues = model_schema_issues(self.model, self.schema_provider.tables(self.persona))
        relevant = [i for i in issues if any(f"'{t}" in i for t in self.allowed_tables)]
        if relevant:
            raise DataError(
                "The warehouse does not match the data model: " + "; ".join(relevant[:5]) + ".",
                issues=relevant,
            )
        self._schema_checked = version

    def sql_for(self, plan: QueryPlan) -> str:
        """The checked SQL for a plan in the warehouse's dialect (cached per plan)."""
        key = plan.cache_key()
        with self._lock:
            sql = self._sql_cache.get(key)
            if sql is not None:
                self._sql_cache.move_to_end(key)
                return sql
        compiled = self.compiler.compile(plan)
        # Defence in depth: our own SQL passes the same guard, with the persona's tables.
        checked = self.guard.check(compiled.ast)
        with self._lock:
            self._sql_cache[key] = checked.sql
            while len(self._sql_cache) > self._sql_cache_size:
                self._sql_cache.popitem(last=False)
        return checked.sql

    def _run(self, plan: QueryPlan, base: Answer) -> Answer:
        self._check_schema()
        sql = self.sql_for(plan)
        result = self.warehouse.execute(sql, timeout=self.timeout, row_limit=self.row_limit)
        frame = _tidy(result.frame)
        usage = Usage(warehouse=[WarehouseUsage.from_result(result, rows=len(frame))])
        text = describe_result(plan, frame, self.model, truncated=result.truncated)
        notes = list(plan.notes)
        if result.truncated:
            notes.append(f"Only the first {present.count(self.row_limit, 'row')} are shown.")
        details: dict[str, Any] = {
            "notes": notes,
            "truncated": result.truncated,
            "query_id": result.query_id,
        }
        return base.with_(
            sql=sql,
            frame=frame,
            answer=text,
            chart=suggest_chart(plan, frame, self.model),
            plan=plan,
            usage=usage,
            details=details,
            interpretation=interpret_plan(plan, self.model),
        )

    def _done(self, answer: Answer, started: float) -> Answer:
        return answer.with_(duration_ms=(time.perf_counter() - started) * 1000)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python-friendly dtypes: dates as dates, decimals as floats."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if (
            pd.api.types.is_datetime64_any_dtype(series)
            and (series.dropna().dt.normalize() == series.dropna()).all()
        ):
            out[col] = series.dt.date
        elif (
            series.dtype == object
            and len(series.dropna())
            and type(series.dropna().iloc[0]).__name__ == "Decimal"
        ):
            out[col] = series.astype(float)
    return out
