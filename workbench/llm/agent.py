"""Planner modes for the persona SQL agents: offline, bedrock, or auto (offline first).

``planner.mode`` decides who reads a question:

- ``offline`` (default): the deterministic planner only, no network, no tokens;
- ``bedrock``: every question goes to :class:`~workbench.llm.bedrock.BedrockLlm`;
- ``auto``: the offline planner first, Bedrock only when it does not understand (never
  for refusals: SQL typed into the question, instructions to ignore rules, other personas'
  data, out-of-scope questions).

:class:`PlanningSqlAgent` wraps a :class:`~workbench.agents.sql_agent.PersonaSqlAgent`, so
answers look the same whichever planner produced them, and adds the model's token usage
to ``Answer.usage`` (the cost ledger prices it).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.agents.answer import Answer, Intent
from workbench.agents.base import AgentRequest
from workbench.core import present
from workbench.core.logs import log_event
from workbench.cost.usage import Usage, WarehouseUsage
from workbench.llm.base import Llm, PlanOutcome, PlanRequest, create_llm

if TYPE_CHECKING:
    from workbench.core.config import Settings
    from workbench.warehouse.base import Warehouse

log = logging.getLogger(__name__)

#: Offline answers that may go to Bedrock in ``auto`` mode: "did not understand" only.
FALLBACK_CODES = frozenset({"not_understood", "invalid_plan"})


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if (
            pd.api.types.is_datetime64_any_dtype(series)
            and (series.dropna().dt.normalize() == series.dropna()).all()
        ):
            out[col] = series.dt.date
    return out


class PlanningSqlAgent:
    """A persona SQL agent whose questions are planned according to ``planner.mode``."""

    def __init__(self, inner: Any, llm: Llm, *, mode: str) -> None:
        self.inner = inner
        self.llm = llm
        self.mode = mode
        self.name = inner.name
        self.persona = inner.persona

    def parse(self, question: str, as_of: Any) -> Any:
        """The question's one reading (the offline planner's vocabulary reads it for both modes)."""
        return self.inner.parse(question, as_of)

    def answer(self, request: AgentRequest) -> Answer:
        offline: Answer | None = None
        if self.mode in ("offline", "auto"):
            offline = self.inner.answer(request)
            if self.mode == "offline" or not (
                offline.error and offline.details.get("code") in FALLBACK_CODES
            ):
                return offline
        started = time.perf_counter()
        from workbench.agents.sql_agent import previous_plan

        outcome = self.llm.plan(
            PlanRequest(request.question, self.persona, request.as_of, previous_plan(request))
        )
        answer = self._answer(outcome, request, offline)
        log_event(
            log,
            "llm_answer",
            persona=self.persona.value,
            mode=self.mode,
            ok=answer.ok,
            rounds=outcome.rounds,
            corrections=outcome.corrections,
            input_tokens=answer.usage.input_tokens,
            output_tokens=answer.usage.output_tokens,
        )
        return answer.with_(
            duration_ms=(time.perf_counter() - started) * 1000
            + (offline.duration_ms if offline else 0.0)
        )

    def _answer(
        self, outcome: PlanOutcome, request: AgentRequest, offline: Answer | None
    ) -> Answer:
        from workbench.semantic.answer_text import describe_result, suggest_chart
        from workbench.semantic.interpretation import Interpretation, interpret_plan

        base = Answer(
            question=request.question,
            persona=self.persona.value,
            intent=Intent.SQL_QUERY,
            agent=self.name,
            as_of=request.as_of,
        )
        usage = Usage(llm=list(outcome.usage))
        details: dict[str, Any] = {
            "planner": outcome.backend,
            "llm_rounds": outcome.rounds,
            "llm_corrections": outcome.corrections,
        }
        if outcome.result is not None:
            r = outcome.result
            usage.warehouse.append(WarehouseUsage.from_result(r))
        if outcome.error is not None:
            suggestions = list(offline.suggestions) if offline else []
            error = outcome.error
            extra = {"hint": error.hint} if error.hint else {}
            return base.with_(
                error=f"{error.message} {error.hint}" if error.hint else error.message,
                usage=usage,
                suggestions=suggestions,
                details={**details, "code": error.code, **extra},
            )
        if outcome.tool_call is not None:
            call = outcome.tool_call
            return base.with_(
                intent=Intent.OPTIMIZATION,
                error=f"This question asks for a calculation ({call.name.replace('_', ' ')}); ask it as a calculation, e.g. 'calculate …'.",
                usage=usage,
                details={
                    **details,
                    "code": "needs_calculation",
                    "tool_call": {"name": call.name, "arguments": call.arguments},
                },
            )
        assert outcome.result is not None
        frame = _tidy(outcome.result.frame)
        details.update({"truncated": outcome.result.truncated, "query_id": outcome.result.query_id})
        if outcome.plan is not None:
            model = self.inner.model
            text = describe_result(outcome.plan, frame, model, truncated=outcome.result.truncated)
            return base.with_(
                sql=outcome.sql,
                frame=frame,
                answer=text,
                chart=suggest_chart(outcome.plan, frame, model),
                plan=outcome.plan,
                usage=usage,
                details=details,
                interpretation=interpret_plan(outcome.plan, model),
            )
        rows = present.count(len(frame), "row")
        text = f"{rows} from a query the model wrote and the safety check approved."
        return base.with_(
            sql=outcome.sql,
            frame=frame,
            answer=text,
            usage=usage,
            details={**details, "sql_source": "llm"},
            interpretation=Interpretation(
                "A query the model wrote (no plan to describe): check its SQL", (), {}
            ),
        )


def schema_provider_for(settings: Settings, warehouse: Warehouse) -> Any:
    """Glue descriptions on Athena, the warehouse catalog elsewhere."""
    if settings.warehouse.backend == "athena":
        from workbench.warehouse.glue_schema import GlueSchemaProvider

        return GlueSchemaProvider.from_settings(settings)
    from workbench.semantic.schema_provider import LocalSchemaProvider

    return LocalSchemaProvider(warehouse)


def with_planner_mode(settings: Settings, agent: Any, *, llm: Llm | None = None) -> Any:
    """The SQL agent for the configured planner mode (the agent itself when offline)."""
    mode = settings.planner.mode
    if mode == "offline":
        return agent
    import workbench.llm.intent  # noqa: F401  (registers the "bedrock" intent classifier)

    if llm is None:
        llm = create_llm(
            "bedrock",
            settings,
            warehouse=agent.warehouse,
            model=agent.model,
            compiler=agent.compiler,
            schema=schema_provider_for(settings, agent.warehouse),
        )
    return PlanningSqlAgent(agent, llm, mode=mode)
