"""Amazon Bedrock (Converse API) as the planner for questions the offline planner cannot read.

The model is given a short system prompt (the persona's tables and vocabulary, "today")
and tools: ``plan_query``, whose input schema *is* :meth:`QueryPlan.json_schema` so the
model fills a plan that our compiler turns into SQL; ``run_sql``, a fallback whose SQL
must pass :class:`~workbench.warehouse.guard.SqlGuard`; and the persona's calculation
tools from the tool registry (returned to the caller to route). When the warehouse or the
guard rejects what the model produced, the error goes back as a ``toolResult`` with status
``error`` for one self-correction round. Throttling is retried with exponential backoff
and jitter (:func:`workbench.core.retry.retry_call`); every call's token usage becomes an
:class:`~workbench.cost.usage.LlmUsage`, so the cost ledger prices it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from workbench.aws.errors import translate
from workbench.aws.session import client as aws_client
from workbench.core.errors import (
    NotUnderstoodError,
    PermissionDeniedError,
    QueryError,
    QueryRefusedError,
    QueryTimeoutError,
    WorkbenchError,
)
from workbench.core.logs import log_event
from workbench.core.retry import RetryPolicy, retry_call
from workbench.cost.usage import LlmUsage
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.llm.base import PlanOutcome, PlanRequest, ToolCall, register_llm
from workbench.llm.prompt import system_prompt
from workbench.llm.tool_input import ToolInputProblems, coerce_tool_input

if TYPE_CHECKING:
    from workbench.core.config import Settings
    from workbench.warehouse.base import QueryResult, Warehouse
    from workbench.warehouse.guard import CheckedQuery

log = logging.getLogger(__name__)

SERVICE = "bedrock-runtime"
PLAN_TOOL = "plan_query"
SQL_TOOL = "run_sql"
_SQL_SCHEMA = {
    "type": "object",
    "properties": {"sql": {"type": "string", "description": "One read-only SELECT statement."}},
    "required": ["sql"],
}


class _Rejected(Exception):
    """A tool call the model may correct: carries the message sent back to it."""

    def __init__(self, error: WorkbenchError) -> None:
        super().__init__(error.message)
        self.error = error


class BedrockLlm:
    """Question -> plan (or guarded SQL, or a tool call) with Bedrock's Converse API."""

    name = "bedrock"

    def __init__(
        self,
        settings: Settings,
        *,
        warehouse: Warehouse,
        model: Any = None,
        compiler: Any = None,
        schema: Any = None,
        tools: Any = None,
        client: Any = None,
        boto3_session: Any = None,
        sleep: Any = time.sleep,
    ) -> None:
        from workbench.semantic.compiler import PlanCompiler
        from workbench.semantic.model import load_model

        self.settings = settings
        self.config = settings.planner.bedrock
        self.warehouse = warehouse
        self.model = model or load_model()
        self.compiler = compiler or PlanCompiler(self.model)
        self.schema = schema
        self.tools = tools
        self.row_limit = settings.warehouse.row_limit
        self.timeout = settings.warehouse.timeout_seconds
        self._client = client
        self._boto3_session = boto3_session
        self._sleep = sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client(
                SERVICE,
                self.settings.aws,
                boto3_session=self._boto3_session,
                max_attempts=1,
                read_timeout=self.config.read_timeout_seconds,
            )
        return self._client

    # -- what the model sees -------------------------------------------------------------
    def _tables(self, persona: Persona) -> list[Any]:
        if self.schema is not None:
            try:
                return list(self.schema.tables(persona))
            except TypeError:  # a provider without the persona argument
                return list(self.schema.tables())
        from workbench.semantic.schema_provider import StaticSchemaProvider

        return StaticSchemaProvider().tables(persona)

    def system_prompt(self, request: PlanRequest) -> str:
        return system_prompt(
            persona=request.persona,
            as_of=request.as_of,
            tables=self._tables(request.persona),
            model=self.model,
            dialect=self.warehouse.dialect,
        )

    def tool_config(self, persona: Persona) -> dict[str, Any]:
        """plan_query (the QueryPlan schema), run_sql, and the persona's calculation tools."""
        from workbench.semantic.plan import QueryPlan

        plan_schema = QueryPlan.json_schema(self.model, persona=persona.value)
        tools: list[dict[str, Any]] = [
            {
                "toolSpec": {
                    "name": PLAN_TOOL,
                    "description": "Answer the question with a query plan over the semantic layer (preferred).",
                    "inputSchema": {"json": plan_schema},
                }
            },
            {
                "toolSpec": {
                    "name": SQL_TOOL,
                    "description": f"Fallback: run one read-only SELECT ({self.warehouse.dialect} dialect) over the persona's tables.",
                    "inputSchema": {"json": _SQL_SCHEMA},
                }
            },
        ]
        registry = self.tools
        if registry is None:
            try:
                from workbench.tools.registry import default_registry

                registry = default_registry()
            except ImportError:  # pragma: no cover - tools are part of the package
                registry = None
        if registry is not None:
            names = registry.tools_for_persona(persona)
            tools.extend(registry.converse_tool_config(names)["tools"])
        return {"tools": tools}

    def _user_text(self, request: PlanRequest) -> str:
        text = request.question.strip()
        if request.previous is not None:
            previous = request.previous.to_dict()
            for key in ("question", "confidence", "notes", "persona"):
                previous.pop(key, None)
            text = f"{text}\n\n(Follow-up. The previous question's plan was: {json.dumps(previous, sort_keys=True, default=str)})"
        return text

    # -- calls -----------------------------------------------------------------------------
    def _converse(
        self, system: str, messages: list[dict[str, Any]], tool_config: dict[str, Any]
    ) -> dict[str, Any]:
        kwargs = {
            "modelId": self.config.model_id,
            "system": [{"text": system}],
            "messages": messages,
            "toolConfig": tool_config,
            "inferenceConfig": {
                "maxTokens": self.config.max_tokens,
                "temperature": self.config.temperature,
            },
        }

        def once() -> dict[str, Any]:
            try:
                response: dict[str, Any] = self.client.converse(**kwargs)
                return response
            except WorkbenchError:
                raise
            except Exception as exc:
                if type(exc).__module__.startswith("botocore"):
                    raise translate(exc, service=SERVICE, action="converse") from exc
                raise

        policy = RetryPolicy(
            attempts=self.config.retry_attempts,
            base_delay=self.config.retry_base_seconds,
            max_delay=self.config.retry_max_seconds,
        )
        return retry_call(once, policy, sleep=self._sleep, what="bedrock converse")

    def plan(self, request: PlanRequest) -> PlanOutcome:
        """Ask the model; returns the outcome (with ``error`` set when it could not produce a query)."""
        from workbench.semantic.planner.screen import screen_question

        persona = Persona.parse(request.persona)
        request = replace(request, persona=persona, question=screen_question(request.question))
        system = self.system_prompt(request)
        tool_config = self.tool_config(persona)
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"text": self._user_text(request)}]}
        ]
        outcome = PlanOutcome(backend=self.name)
        last_error: WorkbenchError | None = None
        for round_no in range(1, self.config.max_tool_rounds + 1):
            try:
                response = self._converse(system, messages, tool_config)
            except WorkbenchError as exc:
                outcome.error = exc
                return outcome
            usage = response.get("usage") or {}
            outcome.usage.append(
                LlmUsage(
                    self.name,
                    self.config.model_id,
                    int(usage.get("inputTokens", 0)),
                    int(usage.get("outputTokens", 0)),
                )
            )
            outcome.rounds = round_no
            message = response["output"]["message"]
            messages.append(message)
            texts = [c["text"] for c in message.get("content", []) if "text" in c]
            outcome.text = " ".join(t.strip() for t in texts if t.strip())
            uses = [c["toolUse"] for c in message.get("content", []) if "toolUse" in c]
            log_event(
                log,
                "llm_round",
                backend=self.name,
                model_id=self.config.model_id,
                round=round_no,
                stop_reason=response.get("stopReason"),
                tools=[u["name"] for u in uses],
                input_tokens=usage.get("inputTokens"),
                output_tokens=usage.get("outputTokens"),
            )
            if response.get("stopReason") != "tool_use" or not uses:
                outcome.error = last_error or NotUnderstoodError(
                    "I could not turn that question into a query.",
                    detail=outcome.text or str(response.get("stopReason")),
                )
                return outcome
            results: list[dict[str, Any]] = []
            for use in uses:
                try:
                    if self._handle_safely(use, request, outcome):
                        return outcome
                    results.append(
                        self._tool_result(
                            use["toolUseId"], f"Unknown tool {use['name']}.", error=True
                        )
                    )
                except _Rejected as rejected:
                    last_error = rejected.error
                    results.append(
                        self._tool_result(
                            use["toolUseId"], self._explain(rejected.error), error=True
                        )
                    )
                except WorkbenchError as exc:  # not correctable (timeout, service failure)
                    outcome.error = exc
                    return outcome
            if outcome.corrections >= self.config.max_corrections:
                outcome.error = last_error or NotUnderstoodError(
                    "The model did not produce a usable query."
                )
                return outcome
            outcome.corrections += 1
            messages.append({"role": "user", "content": results})
        outcome.error = last_error or NotUnderstoodError(
            "The model did not produce a usable query in time."
        )
        return outcome

    # -- tool handling ---------------------------------------------------------------------
    def _handle_safely(
        self, use: dict[str, Any], request: PlanRequest, outcome: PlanOutcome
    ) -> bool:
        """:meth:`_handle`, with a failure of our own code a clear error (tokens stay recorded)."""
        try:
            return self._handle(use, request, outcome)
        except (_Rejected, WorkbenchError):
            raise
        except Exception as exc:
            log.exception("bedrock tool call %s failed", use.get("name"))
            raise NotUnderstoodError(
                "The model's answer could not be used.",
                detail=f"{type(exc).__name__}: {exc}",
                tool=use.get("name"),
            ) from exc

    def _handle(self, use: dict[str, Any], request: PlanRequest, outcome: PlanOutcome) -> bool:
        """Run one tool call; True when the outcome is complete."""
        name = use["name"]
        declared = {
            t["toolSpec"]["name"]: t["toolSpec"]["inputSchema"]["json"]
            for t in self.tool_config(request.persona)["tools"]
        }
        if name not in declared:
            return False
        try:
            # Plans and SQL run here, so they must match their schema; a calculation tool's
            # arguments are handed back and checked by the tool registry when it runs.
            arguments = coerce_tool_input(
                name,
                use.get("input") or {},
                declared[name],
                validate=name in (PLAN_TOOL, SQL_TOOL),
            )
        except ToolInputProblems as exc:
            raise _Rejected(
                NotUnderstoodError(
                    f"The model's {name} input does not match the tool's schema.",
                    detail="; ".join(exc.problems),
                    problems=exc.problems,
                )
            ) from None
        if name == PLAN_TOOL:
            plan, result = self._run_plan(arguments, request)
            outcome.plan, outcome.result = plan, result
            return True
        if name == SQL_TOOL:
            checked, result = self._run_sql(str(arguments.get("sql", "")), request.persona)
            outcome.checked_sql, outcome.result = checked, result
            return True
        outcome.tool_call = ToolCall(name, dict(arguments))
        return True

    def _guard(self, persona: Persona) -> Any:
        from workbench.warehouse.guard import SqlGuard

        return SqlGuard(
            PERSONA_TABLES[persona],
            dialect=self.warehouse.dialect,
            row_limit=self.row_limit + 1,
            persona=persona.value,
        )

    def _execute(self, checked: CheckedQuery, *, untrusted: bool = False) -> QueryResult:
        """Run checked SQL; the model's own SQL (``untrusted``) runs bounded (see the sandbox)."""
        from workbench.warehouse.base import execute_untrusted

        try:
            if untrusted:
                return execute_untrusted(
                    self.warehouse, checked.ast, timeout=self.timeout, row_limit=self.row_limit
                )
            return self.warehouse.execute(
                checked.ast, timeout=self.timeout, row_limit=self.row_limit
            )
        except QueryTimeoutError:
            raise
        except QueryError as exc:
            raise _Rejected(exc) from None

    def _run_plan(self, arguments: dict[str, Any], request: PlanRequest) -> tuple[Any, QueryResult]:
        from workbench.semantic.plan import QueryPlan

        data = {
            **arguments,
            "persona": request.persona.value,
            "as_of": request.as_of.isoformat(),
            "question": request.question,
        }
        try:
            plan = QueryPlan.from_dict(data, as_of=request.as_of)
            compiled = self.compiler.compile(plan)
            checked = self._guard(request.persona).check(compiled.ast)
        except (NotUnderstoodError, PermissionDeniedError, QueryRefusedError) as exc:
            raise _Rejected(exc) from None
        except WorkbenchError:
            raise
        except Exception as exc:  # any shape the schema allows but the plan cannot use
            raise _Rejected(
                NotUnderstoodError("The plan is not valid.", detail=f"{type(exc).__name__}: {exc}")
            ) from None
        return plan, self._execute(checked)

    def _run_sql(self, sql: str, persona: Persona) -> tuple[CheckedQuery, QueryResult]:
        try:
            checked = self._guard(persona).check(sql)
        except (QueryRefusedError, PermissionDeniedError) as exc:
            log_event(
                log,
                "llm_sql_refused",
                backend=self.name,
                persona=persona.value,
                sql=sql[:2000],
                reason=exc.fields.get("reason"),
                level=logging.WARNING,
            )
            raise _Rejected(exc) from None
        return checked, self._execute(checked, untrusted=True)

    @staticmethod
    def _explain(error: WorkbenchError) -> str:
        text = error.message
        if error.detail:
            text += f" Details: {error.detail[:1500]}"
        return text

    @staticmethod
    def _tool_result(tool_use_id: str, text: str, *, error: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"toolUseId": tool_use_id, "content": [{"text": text}]}
        if error:
            body["status"] = "error"
        return {"toolResult": body}


@register_llm("bedrock")
def _bedrock_factory(settings: Settings, *, warehouse: Warehouse, **kwargs: Any) -> BedrockLlm:
    allowed = {"model", "compiler", "schema", "tools", "client", "boto3_session", "sleep"}
    return BedrockLlm(
        settings, warehouse=warehouse, **{k: v for k, v in kwargs.items() if k in allowed}
    )
