"""The orchestrator: one path for every question.

authorize (when a token is given) -> recall the session's previous answer (memory) -> look
up the cache -> classify the intent -> route to the persona's SQL agent, a specialist, or
both (HYBRID) -> price the usage -> remember, cache, write one ledger row and one
structured log line -> the :class:`~workbench.agents.answer.Answer`.

Cache key: the normalized question, persona, as-of date, the plan it refines (follow-ups
only), the warehouse backend and its data version. The previous plan is the only context
an agent uses, and it is passed to the agent only for follow-ups, so the key holds
everything the answer depends on. The lookup comes before classification and planning:
with an LLM classifier or planner, a hit must not spend tokens.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from workbench.agents.answer import Answer, Intent
from workbench.agents.base import AgentRequest
from workbench.cache.result_cache import CacheKey, ResultCache, plan_fingerprint
from workbench.core.config import Settings
from workbench.core.errors import NotUnderstoodError, WorkbenchError
from workbench.core.logs import log_event
from workbench.cost.ledger import CostLedger
from workbench.cost.pricing import price
from workbench.cost.usage import Cost, Usage
from workbench.data.schema import Persona
from workbench.memory.conversation import ConversationMemory
from workbench.orchestrator.hybrid import (
    HybridEnricher,
    choose_tool,
    enrichment_error,
    merge_hybrid,
    specialist_of_tool,
)
from workbench.orchestrator.intent import (
    IntentClassifier,
    IntentResult,
    create_intent_classifier,
    listing_question,
)
from workbench.orchestrator.router import PERSONA_SPECIALISTS, AgentDirectory, Route, Router
from workbench.semantic.question import ChangeNotSupportedError, ParsedQuestion, parse_text

if TYPE_CHECKING:
    from workbench.invokers.base import Invoker
    from workbench.warehouse.base import Warehouse

log = logging.getLogger(__name__)
#: SQL-agent refusals that mean "a specialist's calculation": re-routed, not refused.
_NEEDS_SPECIALIST = frozenset({"out_of_scope", "needs_calculation"})


class Orchestrator:
    """Answers questions for every persona; shared state (cache, memory, ledger) lives here.

    ``warehouse`` and ``invoker`` are callables so nothing connects before the first
    question. ``auth`` is an :class:`~workbench.auth.service.AuthService` (made on demand
    when a question arrives with a token).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        warehouse: Callable[[], Warehouse],
        directory: AgentDirectory,
        invoker: Callable[[], Invoker] | None = None,
        classifier: IntentClassifier | None = None,
        cache: ResultCache | None = None,
        memory: ConversationMemory | None = None,
        ledger: CostLedger | None = None,
        auth: Any = None,
    ) -> None:
        self.settings = settings
        self._warehouse = warehouse
        self.router = Router(directory)
        self.classifier = (
            classifier if classifier is not None else create_intent_classifier(settings)
        )
        self.cache = cache if cache is not None else ResultCache(settings.cache)
        self.memory = (
            memory if memory is not None else ConversationMemory(settings.memory.max_turns)
        )
        self._ledger = ledger
        self._auth = auth
        self._invoker = invoker if invoker is not None else self._default_invoker
        self._invoker_instance: Invoker | None = None
        self.hybrid = HybridEnricher(
            self._get_invoker, warehouse, memory_mb=settings.invoker.lambda_.memory_mb
        )
        self._data_version: str | None = None
        self._version_memo: tuple[tuple[Any, ...], str] | None = None

    # Lazily built collaborators -------------------------------------------------------
    @property
    def ledger(self) -> CostLedger:
        if self._ledger is None:
            self._ledger = CostLedger(
                self.settings.ledger_db_path, cost_settings=self.settings.cost
            )
        return self._ledger

    @property
    def auth(self) -> Any:
        if self._auth is None:
            from workbench.auth.service import AuthService

            self._auth = AuthService(self.settings)
        return self._auth

    def _default_invoker(self) -> Invoker:
        from workbench.invokers.base import create_invoker

        return create_invoker(self.settings, warehouse=self._warehouse())

    def _get_invoker(self) -> Invoker:
        if self._invoker_instance is None:
            self._invoker_instance = self._invoker()
        return self._invoker_instance

    def reset(self) -> None:
        """Drop agents and the invoker bound to the current warehouse (it is being closed).

        Cache, memory and the ledger stay: they do not hold a connection.
        """
        self._invoker_instance = None
        reset = getattr(self.router.directory, "reset", None)
        if callable(reset):
            reset()

    # The one entry point ----------------------------------------------------------------
    def ask(
        self,
        question: str,
        persona: Persona | str,
        *,
        session_id: str | None = None,
        as_of: dt.date | None = None,
        username: str | None = None,
        auth_token: str | None = None,
    ) -> Answer:
        """Answer one question as ``persona``; never raises for a business error (see ``Answer.error``)."""
        started = time.perf_counter()
        as_of = as_of or self.settings.effective_as_of
        persona_text = str(getattr(persona, "value", persona))
        try:
            who = Persona.parse(persona)
            if auth_token is not None:
                username = self._authorize(auth_token, who, question, session_id)
        except WorkbenchError as exc:
            answer = Answer(question=question, persona=persona_text, error=str(exc), as_of=as_of)
            return self._finish(
                answer,
                None,
                started,
                session_id=session_id,
                username=username,
                backend=None,
                intent=None,
                cache_key=None,
            )

        # The question is read once; routing, the agents and the specialists share the reading.
        parsed = self.parse(question, who, as_of)
        if parsed.cues.change_verb:
            # A request to change data: refused before any query, cache or agent.
            refusal = ChangeNotSupportedError(parsed.cues.change_verb)
            answer = Answer(
                question=question,
                persona=who.value,
                error=refusal.message,
                as_of=as_of,
                details={"code": refusal.code, "changed": False},
            )
            return self._finish(
                answer,
                who,
                started,
                session_id=session_id,
                username=username,
                backend=None,
                intent=None,
                cache_key=None,
            )
        previous = self.memory.previous_answer(session_id, who)
        follow_up = previous if previous is not None and parsed.follows_up else None

        warehouse = self._warehouse()
        # A warehouse that bills every query (Redshift) offers the version it last read: the
        # cache is looked up with it and the version is read again only on a miss, right
        # before the query that needs it, so a cache hit never wakes the workgroup.
        known = getattr(warehouse, "known_data_version", None)
        known_version = known() if callable(known) else None
        data_version = known_version or self._current_data_version(warehouse)
        self._note_data_version(data_version)

        def cache_key(version: str) -> CacheKey:
            return self.cache.key(
                question,
                persona=who.value,
                as_of=as_of,
                plan=_context(follow_up),
                backend=warehouse.name,
                data_version=version,
            )

        # Looked up before classifying: a hit spends nothing, not even LLM classification tokens.
        key = cache_key(data_version)
        hit = self.cache.get(key)
        if hit is not None:
            answer = hit.with_(question=question, as_of=as_of)
            return self._finish(
                answer,
                who,
                started,
                session_id=session_id,
                username=username,
                backend=warehouse.name,
                intent=None,
                cache_key=None,
                warehouse=warehouse,
            )
        if known_version is not None:
            fresh = self._current_data_version(warehouse)
            if fresh != data_version:
                self._note_data_version(fresh)
                key = cache_key(fresh)

        result = self._classify(question, who, follow_up, parsed)
        request = AgentRequest(
            question=question,
            persona=who,
            as_of=as_of,
            session_id=session_id,
            previous=follow_up,
            hints={"intent": result},
            parsed=parsed,
        )
        answer = self._answer(request, result)
        classification_usage = getattr(result, "usage", ())  # an LLM classifier's tokens
        if classification_usage:
            answer = answer.with_(usage=answer.usage.merge(Usage(llm=list(classification_usage))))
        answer = answer.with_(
            intent=answer.intent or result.intent,
            cost=price(answer.usage, self.settings.cost),
            as_of=as_of,
            cached=False,
        )
        return self._finish(
            answer,
            who,
            started,
            session_id=session_id,
            username=username,
            backend=warehouse.name,
            intent=result,
            cache_key=key,
            warehouse=warehouse,
        )

    def _note_data_version(self, data_version: str) -> None:
        if data_version != self._data_version:
            if self._data_version is not None:
                self.cache.purge_stale(data_version)
            self._data_version = data_version

    def run_plan(
        self,
        plan: Any,
        persona: Persona | str,
        *,
        question: str = "",
        session_id: str | None = None,
        as_of: dt.date | None = None,
        username: str | None = None,
        auth_token: str | None = None,
    ) -> Answer:
        """Answer a semantic-layer plan directly (a reading changed in the dashboard: a filter
        or the period removed), with the same authorization, memory, ledger and log as ``ask``."""
        started = time.perf_counter()
        as_of = as_of or self.settings.effective_as_of
        text = question or plan.question or "(changed reading)"
        try:
            who = Persona.parse(persona)
            if auth_token is not None:
                username = self._authorize(auth_token, who, text, session_id)
        except WorkbenchError as exc:
            answer = Answer(question=text, persona=str(persona), error=str(exc), as_of=as_of)
            return self._finish(
                answer, None, started, session_id=session_id, username=username,
                backend=None, intent=None, cache_key=None,
            )  # fmt: skip
        agent: Any = self.router.directory.sql_agent(who)
        runner = getattr(agent, "answer_plan", None) or getattr(
            getattr(agent, "inner", None), "answer_plan", None
        )
        request = AgentRequest(question=text, persona=who, as_of=as_of, session_id=session_id)
        if not callable(runner):
            answer = Answer(text, who.value, error="This planner cannot re-run a changed reading.")
        else:
            answer = runner(plan, request)
        answer = answer.with_(cost=price(answer.usage, self.settings.cost), as_of=as_of)
        warehouse = self._warehouse()
        return self._finish(
            answer, who, started, session_id=session_id, username=username,
            backend=warehouse.name, intent=None, cache_key=None,
        )  # fmt: skip

    # Steps ----------------------------------------------------------------------------
    def _authorize(
        self, token: str, persona: Persona, question: str, session_id: str | None
    ) -> str:
        session = self.auth.authorize(token, persona)
        username = str(session.username)
        self.auth.audit(
            "question_asked", username, persona=persona, question=question, session_id=session_id
        )
        return username

    def _current_data_version(self, warehouse: Warehouse) -> str:
        """``warehouse.data_version()``, asked again only when its data file changed.

        A file-backed warehouse (one with a ``path``, like DuckDB) can only change version
        when the file does; a stat costs microseconds where the version query costs
        milliseconds, which would dominate a cache hit. Other backends cache it themselves.
        """
        path = getattr(warehouse, "path", None)
        if not isinstance(path, os.PathLike | str):
            return warehouse.data_version()
        try:
            st = os.stat(path)
        except OSError:
            return warehouse.data_version()
        stamp = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        memo = self._version_memo
        if memo is not None and memo[0] == stamp:
            return memo[1]
        version = warehouse.data_version()
        self._version_memo = (stamp, version)
        return version

    def parse(self, question: str, persona: Persona, as_of: dt.date) -> ParsedQuestion:
        """The question's one reading, by the persona's planner (see ParsedQuestion)."""
        parse = getattr(self.router.directory, "parse", None)
        if callable(parse):
            return cast(ParsedQuestion, parse(persona, question, as_of))
        agent = self.router.directory.sql_agent(persona)
        agent_parse = getattr(agent, "parse", None)
        if callable(agent_parse):
            return cast(ParsedQuestion, agent_parse(question, as_of))
        return parse_text(question, as_of, persona.value)

    def _classify(
        self,
        question: str,
        persona: Persona,
        follow_up: Answer | None,
        parsed: ParsedQuestion | None = None,
    ) -> IntentResult:
        """The classifier's verdict; a follow-up without its own calculation keeps the previous intent."""
        if parsed is not None and _accepts_parsed(self.classifier):
            result = self.classifier.classify(question, persona, parsed=parsed)  # type: ignore[call-arg]
        else:
            result = self.classifier.classify(question, persona)
        if follow_up is None or follow_up.intent is None:
            return result
        if result.intent is Intent.SQL_QUERY or (result.intent is follow_up.intent):
            recorded = follow_up.details.get("intent")
            earlier: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
            return IntentResult(
                follow_up.intent,
                max(result.confidence, 0.8),
                ("follow-up: keeps the previous question's intent", *result.reasons),
                tuple(earlier.get("topics", ())) or result.topics,
                tuple(earlier.get("calculations", ())) or result.calculations,
            )
        return result

    def _answer(self, request: AgentRequest, result: IntentResult) -> Answer:
        try:
            route = self.router.route(request.persona, result)
            if result.intent is Intent.HYBRID:
                return self._hybrid(route, request, result)
            agent = route.sql_agent if route.sql_agent is not None else route.specialist
            assert agent is not None
            answer = agent.answer(request)
            if route.sql_agent is not None and answer.details.get("code") in _NEEDS_SPECIALIST:
                return self._reroute(request, answer)
            return answer
        except NotUnderstoodError as exc:
            return Answer(
                request.question,
                request.persona.value,
                intent=result.intent,
                error=str(exc),
                suggestions=list(exc.suggestions),
            )
        except WorkbenchError as exc:
            log_event(
                log,
                "agent_error",
                level=logging.WARNING,
                persona=request.persona.value,
                error=exc.to_dict(),
                detail=exc.detail,
            )
            return Answer(
                request.question, request.persona.value, intent=result.intent, error=str(exc)
            )

    def _reroute(self, request: AgentRequest, refused: Answer) -> Answer:
        """The SQL agent found a calculation ("how many units will we need next month"): ask
        the specialist whose calculations the words name most (the persona's own on a tie);
        its refusal, if it has none to offer, leaves the SQL agent's answer standing."""
        from workbench.agents.specialists import can_handle

        scores = can_handle(request.question)
        own = PERSONA_SPECIALISTS[request.persona]
        best = max(scores, key=lambda name: (scores[name], name == own))
        if scores[best] <= 0:
            best = own
        try:
            answer = self.router.directory.specialist(request.persona, best).answer(request)
        except WorkbenchError:
            return refused
        if not answer.ok:
            return refused
        return answer.with_(
            intent=Intent.OPTIMIZATION,
            details={
                **answer.details,
                "rerouted_from": refused.agent,
                "reroute_reason": refused.error,
            },
        )

    def _hybrid(self, route: Route, request: AgentRequest, result: IntentResult) -> Answer:
        assert route.sql_agent is not None
        # The SQL agent gets only the listing half; the calculation is not its job.
        # The listing half is a question of its own, read once like any other.
        half = listing_question(request.question)
        listing = route.sql_agent.answer(
            replace(
                request,
                question=half,
                parsed=self.parse(half, request.persona, request.as_of),
            )
        )
        listing = listing.with_(question=request.question)
        tool = choose_tool(result.calculations, result.topics, request.persona)
        agent = f"{listing.agent or route.sql_agent.name}+{specialist_of_tool(tool)}_specialist"
        if not listing.ok:
            return listing.with_(intent=Intent.HYBRID, agent=agent)
        try:
            enrichment, usage = self.hybrid.enrich(
                listing, tool=tool, persona=request.persona, as_of=request.as_of
            )
        except WorkbenchError as exc:
            log_event(
                log,
                "hybrid_enrichment_failed",
                level=logging.WARNING,
                tool=tool,
                error=exc.to_dict(),
            )
            return enrichment_error(listing, exc, agent=agent)
        return merge_hybrid(listing, enrichment, usage, agent=agent)

    def _with_overhead(self, answer: Answer, warehouse: Warehouse | None) -> Answer:
        """Add the queries the warehouse ran for no single answer (data-version checks) to this one."""
        drain = getattr(warehouse, "drain_usage", None)
        overhead = drain() if callable(drain) else []
        if not overhead:
            return answer
        extra = Usage(warehouse=list(overhead))
        added = price(extra, self.settings.cost)
        return answer.with_(usage=answer.usage.merge(extra), cost=_add_costs(answer.cost, added))

    def _finish(
        self,
        answer: Answer,
        persona: Persona | None,
        started: float,
        *,
        session_id: str | None,
        username: str | None,
        backend: str | None,
        intent: IntentResult | None,
        cache_key: CacheKey | None,
        warehouse: Warehouse | None = None,
    ) -> Answer:
        """Timing, cache, memory, ledger and log: the same for every answer, hit or miss."""
        answer = self._with_overhead(answer, warehouse)
        if intent is not None and not answer.cached:
            answer = replace(answer, details={**answer.details, "intent": intent.to_dict()})
        if answer.ok and answer.interpretation is None:
            answer = replace(answer, interpretation=_interpretation_of(answer))
        answer = answer.with_(duration_ms=(time.perf_counter() - started) * 1000)
        if cache_key is not None and answer.ok:
            self.cache.put(cache_key, answer, kind=(answer.intent or Intent.SQL_QUERY).value)
        if session_id is not None and persona is not None:
            self.memory.remember(session_id, persona, answer.question, answer)
        request_id = uuid.uuid4().hex
        try:
            _, charged = self.ledger.record_priced(
                answer,
                session_id=session_id,
                username=username,
                backend=backend,
                request_id=request_id,
            )
            answer = answer.with_(cost=charged)
        except WorkbenchError as exc:  # the answer stands even if its cost row could not be written
            log_event(
                log,
                "ledger_write_failed",
                level=logging.ERROR,
                error=exc.to_dict(),
                request_id=request_id,
            )
        log_event(
            log,
            "answer",
            request_id=request_id,
            session_id=session_id,
            username=username,
            persona=answer.persona,
            intent=answer.intent.value if answer.intent else None,
            confidence=intent.confidence if intent else None,
            agent=answer.agent,
            sql=answer.sql,
            backend=backend,
            duration_ms=round(answer.duration_ms, 3),
            rows=len(answer.frame) if answer.frame is not None else 0,
            input_tokens=answer.usage.input_tokens,
            output_tokens=answer.usage.output_tokens,
            cost=answer.cost.to_dict(),
            cached=answer.cached,
            error=answer.error,
        )
        return answer


def _interpretation_of(answer: Answer) -> Any:
    """The reading of an answer whose agent did not describe it: from its plan or tool call."""
    from workbench.semantic.interpretation import interpret_plan, interpret_tool_call
    from workbench.semantic.model import load_model
    from workbench.semantic.plan import QueryPlan

    plan = answer.plan
    if isinstance(plan, QueryPlan):
        return interpret_plan(plan, load_model())
    if isinstance(plan, dict) and plan.get("tool"):
        return interpret_tool_call(
            str(plan["tool"]), dict(plan.get("arguments") or {}), reason=str(plan.get("reason", ""))
        )
    tool = answer.details.get("tool")
    if tool:
        return interpret_tool_call(str(tool), dict(answer.details.get("arguments") or {}))
    return None


def _accepts_parsed(classifier: Any) -> bool:
    """Whether a classifier reads a ParsedQuestion (``classify(..., parsed=...)``)."""
    try:
        return "parsed" in inspect.signature(classifier.classify).parameters
    except (TypeError, ValueError):
        return False


def _context(follow_up: Answer | None) -> dict[str, Any] | None:
    """What a follow-up's answer depends on besides its words: the previous plan and intent.

    The intent matters because the same refinement ("only the express ones") of the same
    listing is a plain listing after a SQL question and a listing plus a route after a
    hybrid one.
    """
    if follow_up is None:
        return None
    recorded = follow_up.details.get("intent")
    calculations = recorded.get("calculations", []) if isinstance(recorded, dict) else []
    return {
        "refines": plan_fingerprint(follow_up.plan),
        "intent": follow_up.intent.value if follow_up.intent else None,
        "agent": follow_up.agent,
        "calculations": list(calculations),
    }


def _add_costs(first: Cost, second: Cost) -> Cost:
    def add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        out = dict(a)
        for k, v in b.items():
            out[k] = round(out.get(k, 0.0) + v, 12)
        return out

    return Cost(add(first.actual, second.actual), add(first.aws_equivalent, second.aws_equivalent))
