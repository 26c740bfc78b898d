"""The orchestrator's own logic: routing, cache, memory, ledger, hybrid chaining, auth.

Agents here are small fakes that run real SQL over the sample data, so the orchestration is
tested on its own; ``test_followups.py`` and ``test_orchestrator_e2e.py`` go through the
real agents with ``Workbench.ask``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import AS_OF
from workbench.agents.answer import Answer, Intent
from workbench.agents.base import AgentRequest
from workbench.cache import ResultCache
from workbench.core.config import CacheSettings, Settings, load_settings
from workbench.core.errors import NotUnderstoodError
from workbench.cost.ledger import CostLedger
from workbench.cost.usage import Usage, WarehouseUsage
from workbench.data.schema import Persona
from workbench.orchestrator.intent import IntentResult, RuleIntentClassifier
from workbench.orchestrator.orchestrator import Orchestrator
from workbench.orchestrator.router import Router
from workbench.warehouse.base import Warehouse, create_warehouse

WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST

BELOW_ROP_EAST = (
    "SELECT wp.warehouse_id, wp.product_id, p.product_name, wp.quantity_on_hand, wp.reorder_point, wp.max_stock "
    "FROM warehouse_product wp JOIN product p ON p.product_id = wp.product_id "
    "WHERE wp.quantity_on_hand <= wp.reorder_point AND wp.warehouse_id = 'WH-EAST' ORDER BY wp.product_id"
)
OVERDUE = (
    "SELECT order_id, warehouse_id, customer_name, priority, promised_date FROM sales_order_header "
    "WHERE status IN ('PENDING', 'PICKING', 'SHIPPED') AND promised_date < DATE '2026-06-30' ORDER BY order_id"
)
SPEND = "SELECT s.supplier_id, SUM(l.line_total) AS spend FROM purchase_order_line l JOIN purchase_order_header h ON h.po_id = l.po_id JOIN supplier s ON s.supplier_id = h.supplier_id GROUP BY 1 ORDER BY 1"


@dataclass
class FakeSqlAgent:
    """Stands in for PersonaSqlAgent: a few questions, answered with real SQL."""

    name: str
    warehouse: Warehouse
    requests: list[AgentRequest] = field(default_factory=list)

    def answer(self, request: AgentRequest) -> Answer:
        self.requests.append(request)
        q = request.question.lower()
        if "gibberish" in q:
            raise NotUnderstoodError(
                "I did not understand that.", suggestions=["Which orders are overdue?"]
            )
        if "reorder point" in q:
            sql = BELOW_ROP_EAST
        elif "overdue" in q:
            sql = OVERDUE
        elif "spend" in q:
            sql = SPEND
        elif request.previous is not None:
            sql = request.previous.plan["sql"]
        else:
            sql = "SELECT COUNT(*) AS n FROM product"
        result = self.warehouse.execute(sql)
        frame = result.frame
        if "top 3" in q and request.previous is not None:
            frame = frame.head(3)
        refines = request.previous.plan if request.previous is not None else None
        return Answer(
            question=request.question,
            persona=request.persona.value,
            intent=Intent.SQL_QUERY,
            agent=self.name,
            sql=sql,
            frame=frame,
            answer=f"{len(frame)} row(s).",
            plan={"sql": sql, "refines": refines, "top3": "top 3" in q},
            usage=Usage(
                warehouse=[WarehouseUsage(result.backend, result.duration_ms, None, len(frame))]
            ),
        )


@dataclass
class FakeSpecialist:
    name: str
    requests: list[AgentRequest] = field(default_factory=list)

    def answer(self, request: AgentRequest) -> Answer:
        self.requests.append(request)
        return Answer(
            request.question,
            request.persona.value,
            intent=Intent.OPTIMIZATION,
            agent=self.name,
            answer="calculated",
            frame=pd.DataFrame({"x": [1]}),
        )


class FakeDirectory:
    def __init__(self, warehouse: Warehouse) -> None:
        self.sql = {p: FakeSqlAgent(f"{p.value}_sql", warehouse) for p in Persona}
        self.specialists: dict[str, FakeSpecialist] = {}

    def sql_agent(self, persona: Persona) -> FakeSqlAgent:
        return self.sql[persona]

    def specialist(self, persona: Persona, name: str) -> FakeSpecialist:
        return self.specialists.setdefault(name, FakeSpecialist(f"{name}_specialist"))


class VersionedWarehouse:
    """The real warehouse with a data version the test controls (a reload without regenerating)."""

    #: Not file-backed: its version changes without its file changing.
    path = None

    def __init__(self, inner: Warehouse) -> None:
        self.inner, self.version = inner, "v1"
        self.name, self.dialect = inner.name, inner.dialect

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)

    def data_version(self) -> str:
        return self.version


@pytest.fixture(scope="module")
def settings(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = load_settings(None, home=sample_home)
    home = tmp_path_factory.mktemp("orchestrator_home")
    # Ledger and logs in a private home; the data stays in the shared sample home.
    return base.replace(
        home=home,
        warehouse={**base.warehouse.model_dump(), "duckdb": {"path": str(base.duckdb_path)}},
    )


@pytest.fixture(scope="module")
def real_warehouse(settings: Settings) -> Iterator[Warehouse]:
    wh = create_warehouse(settings)
    yield wh
    wh.close()


@pytest.fixture
def parts(
    settings: Settings, real_warehouse: Warehouse, tmp_path: Path
) -> tuple[Orchestrator, FakeDirectory, VersionedWarehouse]:
    wh = VersionedWarehouse(real_warehouse)
    directory = FakeDirectory(real_warehouse)
    orch = Orchestrator(
        settings,
        warehouse=lambda: wh,
        directory=directory,
        ledger=CostLedger(tmp_path / "ledger.sqlite3"),
    )
    return orch, directory, wh


# Routing ------------------------------------------------------------------------------
ROUTES = [
    (WM, Intent.SQL_QUERY, (), ("warehouse_manager_sql",)),
    (WM, Intent.OPTIMIZATION, ("inventory",), ("inventory_specialist",)),
    (WM, Intent.OPTIMIZATION, ("logistics",), ("logistics_specialist",)),
    (WM, Intent.HYBRID, ("inventory",), ("warehouse_manager_sql", "inventory_specialist")),
    (FE, Intent.SQL_QUERY, (), ("field_engineer_sql",)),
    (FE, Intent.OPTIMIZATION, ("logistics",), ("logistics_specialist",)),
    (FE, Intent.OPTIMIZATION, (), ("logistics_specialist",)),
    (FE, Intent.HYBRID, ("logistics",), ("field_engineer_sql", "logistics_specialist")),
    (PS, Intent.SQL_QUERY, (), ("procurement_specialist_sql",)),
    (PS, Intent.OPTIMIZATION, ("procurement",), ("supplier_specialist",)),
    (PS, Intent.OPTIMIZATION, ("inventory", "procurement"), ("supplier_specialist",)),
    (PS, Intent.HYBRID, ("procurement",), ("procurement_specialist_sql", "supplier_specialist")),
]


@pytest.mark.parametrize(("persona", "intent", "topics", "agents"), ROUTES)
def test_router_every_persona_and_intent(
    real_warehouse: Warehouse,
    persona: Persona,
    intent: Intent,
    topics: tuple[str, ...],
    agents: tuple[str, ...],
) -> None:
    route = Router(FakeDirectory(real_warehouse)).route(
        persona, IntentResult(intent, 0.9, (), topics)
    )
    assert route.agent_names == agents and route.intent is intent and route.persona is persona


# The ask pipeline ---------------------------------------------------------------------
def test_sql_answer_is_priced_logged_and_recorded(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workbench")
    orch, _directory, _ = parts
    answer = orch.ask("Which orders are overdue?", FE, session_id="s1", username="eve")
    assert answer.ok and answer.intent is Intent.SQL_QUERY and answer.agent == "field_engineer_sql"
    assert len(answer.frame) == 52 and answer.as_of == AS_OF and not answer.cached
    assert answer.cost.actual == {} and answer.cost.aws_equivalent == {
        "redshift_serverless": pytest.approx(0.05)
    }
    assert answer.details["intent"]["intent"] == "sql_query" and answer.duration_ms > 0
    [row] = orch.ledger.entries(None)
    assert (
        row.persona,
        row.intent,
        row.agent,
        row.rows,
        row.session_id,
        row.username,
        row.backend,
    ) == ("field_engineer", "sql_query", "field_engineer_sql", 52, "s1", "eve", "duckdb")
    assert row.sql == OVERDUE and row.aws_equivalent_total == pytest.approx(0.05)
    [logged] = [r.fields for r in caplog.records if getattr(r, "event", None) == "answer"]  # type: ignore[attr-defined]
    assert logged["session_id"] == "s1" and logged["username"] == "eve"
    assert (
        logged["persona"] == "field_engineer"
        and logged["intent"] == "sql_query"
        and logged["agent"] == "field_engineer_sql"
    )
    assert (
        logged["sql"] == OVERDUE
        and logged["rows"] == 52
        and logged["input_tokens"] == 0
        and logged["output_tokens"] == 0
    )
    assert (
        logged["cost"]["aws_equivalent_total"] == pytest.approx(0.05) and logged["duration_ms"] > 0
    )


def test_cache_hit_costs_nothing_and_skips_the_agent(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, _ = parts
    first = orch.ask("Which orders are overdue?", FE)
    second = orch.ask("  which ORDERS are overdue ", FE)
    assert not first.cached and second.cached
    assert second.cost.total == 0 and second.cost.aws_equivalent_total == 0
    assert second.question == "  which ORDERS are overdue "
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert len(directory.sql[FE].requests) == 1
    stats = orch.cache.stats()
    assert (stats.hits, stats.misses) == (1, 1)
    rows = orch.ledger.entries(None)
    assert [r.cached for r in rows] == [True, False] and rows[0].aws_equivalent_total == 0


def test_cache_expires(settings: Settings, real_warehouse: Warehouse, tmp_path: Path) -> None:
    now = [0.0]
    cache = ResultCache(CacheSettings(ttl_seconds={"sql_query": 60.0}), clock=lambda: now[0])
    directory = FakeDirectory(real_warehouse)
    orch = Orchestrator(
        settings,
        warehouse=lambda: real_warehouse,
        directory=directory,
        cache=cache,
        ledger=CostLedger(tmp_path / "l.sqlite3"),
    )
    orch.ask("Which orders are overdue?", FE)
    now[0] = 59.0
    assert orch.ask("Which orders are overdue?", FE).cached
    now[0] = 61.0
    assert not orch.ask("Which orders are overdue?", FE).cached
    assert cache.stats().expirations == 1 and len(directory.sql[FE].requests) == 2


def test_new_data_version_misses_and_frees_old_entries(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, wh = parts
    orch.ask("Which orders are overdue?", FE)
    assert orch.ask("Which orders are overdue?", FE).cached
    wh.version = "v2"
    assert not orch.ask("Which orders are overdue?", FE).cached
    assert orch.cache.stats().invalidations == 1 and len(directory.sql[FE].requests) == 2


def test_persona_is_part_of_the_key(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, _directory, _ = parts
    orch.ask("Which orders are overdue?", FE)
    assert not orch.ask("Which orders are overdue?", WM).cached


def test_follow_up_gets_the_previous_answer_and_its_own_cache_entry(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, _ = parts
    agent = directory.sql[WM]
    first = orch.ask("Which products are below their reorder point?", WM, session_id="a")
    follow = orch.ask("show the top 3 instead", WM, session_id="a")
    assert agent.requests[0].previous is None
    assert agent.requests[1].previous is not None and agent.requests[1].previous.plan == first.plan
    assert len(follow.frame) == 3 and follow.plan["refines"] == first.plan
    # A standalone question in the same session is not given the previous answer.
    orch.ask("Which orders are overdue?", WM, session_id="a")
    assert agent.requests[2].previous is None
    # The same follow-up words after a different question are a different cache entry.
    orch.ask("show the top 3 instead", WM, session_id="a")
    assert (
        agent.requests[3].previous is not None and agent.requests[3].previous.plan["sql"] == OVERDUE
    )
    assert [t.question for t in orch.memory.history("a")] == [
        "Which products are below their reorder point?",
        "show the top 3 instead",
        "Which orders are overdue?",
        "show the top 3 instead",
    ]


def test_follow_up_keeps_the_previous_intent(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, _directory, _ = parts
    first = orch.ask(
        "Which items are below their reorder point at the East warehouse and how much should I order?",
        WM,
        session_id="h",
    )
    assert first.intent is Intent.HYBRID
    follow = orch.ask("show the top 3 instead", WM, session_id="h")
    assert follow.intent is Intent.HYBRID and len(follow.frame) == 3
    assert "economic_order_quantity" in follow.frame.columns


def test_persona_switch_clears_the_session(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, _ = parts
    orch.ask("Which products are below their reorder point?", WM, session_id="p")
    orch.ask("What is the total spend by supplier?", PS, session_id="p")
    assert [t.persona for t in orch.memory.history("p")] == ["procurement_specialist"]
    orch.ask("show the top 3 instead", PS, session_id="p")
    previous = directory.sql[PS].requests[-1].previous
    assert previous is not None and previous.plan["sql"] == SPEND


def test_optimization_goes_to_the_specialist(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, _ = parts
    answer = orch.ask("Plan the delivery route for today from WH-EAST", FE)
    assert answer.agent == "logistics_specialist" and answer.intent is Intent.OPTIMIZATION
    assert (
        directory.specialists["logistics"].requests[0].hints["intent"].intent is Intent.OPTIMIZATION
    )


def test_not_understood_is_an_error_answer_with_suggestions_not_cached(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, _directory, _ = parts
    answer = orch.ask("gibberish", WM)
    assert answer.error == "I did not understand that." and answer.suggestions == [
        "Which orders are overdue?"
    ]
    assert not orch.ask("gibberish", WM).cached
    assert orch.ledger.count() == 2


def test_unknown_persona_is_an_error_answer(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, _, _ = parts
    answer = orch.ask("Which orders are overdue?", "pirate")
    assert answer.error and "Unknown persona" in answer.error
    assert orch.ledger.entries(None)[0].error == answer.error


# Hybrid chaining ----------------------------------------------------------------------
def test_hybrid_lists_then_adds_eoq_and_suggested_quantity(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse], real_warehouse: Warehouse
) -> None:
    orch, _, _ = parts
    answer = orch.ask(
        "Which items are below their reorder point at the East warehouse and how much should I order?",
        WM,
    )
    assert answer.ok, answer.error
    assert (
        answer.intent is Intent.HYBRID
        and answer.agent == "warehouse_manager_sql+inventory_specialist"
    )
    frame = answer.frame
    listing = real_warehouse.execute(BELOW_ROP_EAST).frame
    assert list(frame["product_id"]) == list(listing["product_id"])
    assert {
        "economic_order_quantity",
        "recommended_order_quantity",
        "suggested_order_quantity",
    } <= set(frame.columns)
    assert (
        frame["suggested_order_quantity"] == frame["max_stock"] - frame["quantity_on_hand"]
    ).all()
    # The EOQ column is the tool's own result for these positions.
    from workbench.tools.registry import default_registry

    direct = default_registry().call(
        "economic_order_quantity",
        {
            "as_of": AS_OF.isoformat(),
            "warehouse_id": "WH-EAST",
            "product_ids": sorted(listing["product_id"]),
        },
        real_warehouse,
    )
    expected = dict(
        zip(
            (r[1] for r in direct.rows),
            (r[direct.columns.index("economic_order_quantity")] for r in direct.rows),
            strict=True,
        )
    )
    assert frame.set_index("product_id")["economic_order_quantity"].to_dict() == pytest.approx(
        expected
    )
    assert answer.sql == BELOW_ROP_EAST and "Economic order quantity" in answer.answer
    assert {"redshift_serverless", "lambda"} <= set(
        answer.cost.aws_equivalent
    ) and answer.cost.actual == {}
    assert [i.function for i in answer.usage.invocations] == ["economic_order_quantity"]


def test_hybrid_routes_the_overdue_orders(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse], real_warehouse: Warehouse
) -> None:
    orch, _, _ = parts
    answer = orch.ask("Which overdue orders should I deliver first and in what order?", FE)
    assert answer.ok, answer.error
    assert (
        answer.intent is Intent.HYBRID and answer.agent == "field_engineer_sql+logistics_specialist"
    )
    listed = set(real_warehouse.execute(OVERDUE).frame["order_id"])
    stops = answer.frame[answer.frame["stop_type"] == "delivery"]
    assert set(stops["order_id"]) == listed and len(stops) == len(listed)
    for _wid, tour in answer.frame.groupby("warehouse_id", sort=False):
        assert next(iter(tour["stop_type"])) == "start" and list(tour["stop_type"])[-1] == "return"
        assert tour["cumulative_km"].is_monotonic_increasing
    assert set(answer.details["enrichment"]["summary"]["routes"]) == {
        "WH-EAST",
        "WH-WEST",
        "WH-CENTRAL",
    }
    assert len(answer.details["listing"]["rows"]) == len(listed)
    assert "Deliver in the order shown" in answer.answer


def test_hybrid_leaves_out_a_calculation_the_persona_may_not_read(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, _, _ = parts
    answer = orch.ask(
        "Which products are below their reorder point and how much should we order?", PS
    )
    assert answer.ok and answer.intent is Intent.HYBRID
    assert "economic_order_quantity" not in answer.frame.columns
    assert "suggested_order_quantity" in answer.frame.columns
    assert "sales_order_header" in answer.answer and "may not read" in answer.answer
    assert answer.usage.invocations == []


# Authorization ------------------------------------------------------------------------
class FakeAuth:
    def __init__(self) -> None:
        self.audits: list[tuple[str, str | None, dict[str, Any]]] = []

    def authorize(self, token: str, persona: Persona) -> Any:
        from workbench.core.errors import PermissionDeniedError

        if token != "good" or persona is PS:
            raise PermissionDeniedError(f"Your account is not granted the {persona.label} persona.")
        return type("S", (), {"username": "ann"})()

    def audit(self, event: str, username: str | None, **fields: Any) -> None:
        self.audits.append((event, username, fields))


def test_auth_token_refusal_reads_nothing(
    settings: Settings, real_warehouse: Warehouse, tmp_path: Path
) -> None:
    auth = FakeAuth()
    directory = FakeDirectory(real_warehouse)
    orch = Orchestrator(
        settings,
        warehouse=lambda: real_warehouse,
        directory=directory,
        auth=auth,
        ledger=CostLedger(tmp_path / "l.sqlite3"),
    )
    refused = orch.ask("What is the total spend by supplier?", PS, auth_token="good")
    assert refused.error == "Your account is not granted the Procurement Specialist persona."
    assert refused.frame.empty and directory.sql[PS].requests == []
    ok = orch.ask("Which orders are overdue?", FE, auth_token="good", session_id="z")
    assert ok.ok and auth.audits == [
        (
            "question_asked",
            "ann",
            {"persona": FE, "question": "Which orders are overdue?", "session_id": "z"},
        )
    ]
    assert orch.ledger.entries(None)[0].username == "ann"


def test_real_auth_service(settings: Settings, real_warehouse: Warehouse, tmp_path: Path) -> None:
    from workbench.auth.service import AuthService

    home_settings = settings.replace(
        home=tmp_path, auth={**settings.auth.model_dump(), "bcrypt_rounds": 4}
    )
    auth = AuthService(home_settings)
    auth.users.add_user("eve", "Correct-Horse-Battery-9", personas=[FE])
    token = auth.login("eve", "Correct-Horse-Battery-9").token
    directory = FakeDirectory(real_warehouse)
    orch = Orchestrator(
        home_settings, warehouse=lambda: real_warehouse, directory=directory, auth=auth
    )
    assert orch.ask("Which orders are overdue?", FE, auth_token=token).ok
    denied = orch.ask("What is the total spend by supplier?", PS, auth_token=token)
    assert denied.error and directory.sql[PS].requests == []
    events = [e.event for e in auth.audit_entries()]
    assert "question_asked" in events


def test_intent_classifier_is_pluggable(
    settings: Settings, real_warehouse: Warehouse, tmp_path: Path
) -> None:
    class Always:
        name = "always"

        def classify(self, question: str, persona: object = None) -> IntentResult:
            return IntentResult(Intent.OPTIMIZATION, 1.0, ("fake",), ("procurement",))

    directory = FakeDirectory(real_warehouse)
    orch = Orchestrator(
        settings,
        warehouse=lambda: real_warehouse,
        directory=directory,
        classifier=Always(),
        ledger=CostLedger(tmp_path / "l.sqlite3"),
    )
    assert orch.ask("Which orders are overdue?", WM).agent == "supplier_specialist"
    assert isinstance(RuleIntentClassifier().classify("x"), IntentResult)


def test_as_of_defaults_to_the_configured_day(
    parts: tuple[Orchestrator, FakeDirectory, VersionedWarehouse],
) -> None:
    orch, directory, _ = parts
    orch.ask("Which orders are overdue?", FE)
    orch.ask("Which orders are overdue?", FE, as_of=dt.date(2026, 6, 1))
    assert [r.as_of for r in directory.sql[FE].requests] == [AS_OF, dt.date(2026, 6, 1)]


def test_llm_classifier_tokens_are_priced_and_recorded(
    settings: Settings, real_warehouse: Warehouse, tmp_path: Path
) -> None:
    from workbench.cost.usage import LlmUsage
    from workbench.llm.intent import LlmIntentResult

    class TokenSpendingClassifier:
        name = "fake_llm"

        def classify(self, question: str, persona: object = None) -> IntentResult:
            return LlmIntentResult(
                Intent.SQL_QUERY,
                0.95,
                ("llm",),
                (),
                (),
                (LlmUsage("bedrock", "some-model", 1000, 200),),
            )

    orch = Orchestrator(
        settings,
        warehouse=lambda: real_warehouse,
        directory=FakeDirectory(real_warehouse),
        classifier=TokenSpendingClassifier(),
        ledger=CostLedger(tmp_path / "l.sqlite3"),
    )
    answer = orch.ask("Which orders are overdue?", FE)
    expected = 1.0 * 0.003 + 0.2 * 0.015
    assert answer.cost.actual == {"bedrock": pytest.approx(expected)}
    assert answer.cost.aws_equivalent["bedrock"] == pytest.approx(expected)
    row = orch.ledger.entries(None)[0]
    assert (row.input_tokens, row.output_tokens) == (
        1000,
        200,
    ) and row.actual_total == pytest.approx(expected)
    # The hit is free: no classification, no tokens.
    hit = orch.ask("Which orders are overdue?", FE)
    assert hit.cached and hit.cost.total == 0 and hit.usage.input_tokens == 0


class BilledVersionWarehouse(VersionedWarehouse):
    """Like Redshift: reading the version runs a billed query, and the warehouse offers the
    version it last read (``known_data_version``) plus the queries it ran for no answer."""

    def __init__(self, inner: Warehouse) -> None:
        super().__init__(inner)
        self.reads = 0
        self._known: str | None = None
        self._overhead: list[WarehouseUsage] = []

    def data_version(self) -> str:
        self.reads += 1
        self._known = self.version
        self._overhead.append(
            WarehouseUsage(
                "redshift",
                40.0,
                server_duration_ms=12.0,
                ended_at=1_800_000_000.0 + self.reads * 600,  # ten minutes apart
                scope="wg",
                purpose="data_version",
            )
        )
        return self.version

    def known_data_version(self) -> str | None:
        return self._known

    def drain_usage(self) -> list[WarehouseUsage]:
        out, self._overhead = self._overhead, []
        return out


def test_version_is_read_on_a_miss_only_and_recorded_in_the_ledger(
    settings: Settings, real_warehouse: Warehouse, tmp_path: Path
) -> None:
    wh = BilledVersionWarehouse(real_warehouse)
    ledger = CostLedger(tmp_path / "l.sqlite3")
    orch = Orchestrator(
        settings, warehouse=lambda: wh, directory=FakeDirectory(real_warehouse), ledger=ledger
    )
    first = orch.ask("Which orders are overdue?", FE)
    assert wh.reads == 1 and not first.cached
    assert first.cost.actual["redshift_serverless"] == pytest.approx(8 * 60 / 3600 * 0.375)
    hit = orch.ask("Which orders are overdue?", FE)
    assert hit.cached and wh.reads == 1  # a cache hit never wakes the workgroup
    assert hit.cost.total == 0
    orch.ask("Which products are below their reorder point at WH-EAST?", WM)
    assert wh.reads == 2
    queries = ledger.queries(None)
    checks = queries[queries["purpose"] == "data_version"]
    assert len(checks) == 2 and set(checks["scope"]) == {"redshift:wg"}
    assert list(checks["charged_seconds"]) == [60.0, 60.0]  # ten minutes apart: two periods
    # The version moved: the next miss reads it, drops the stale answers, and re-asks.
    wh.version = "v2"
    orch.ask("Which suppliers did we spend the most with?", PS)
    assert wh.reads == 3 and not orch.ask("Which orders are overdue?", FE).cached
