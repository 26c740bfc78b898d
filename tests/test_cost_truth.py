"""The ledger against AWS's billing rules: Redshift merged active periods, Bedrock prices per
model and inference profile, Lambda per request, the monthly estimate and the reconciliation."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from click.testing import CliRunner

import workbench.cli.cost_cmd  # noqa: F401  (registers the command)
from workbench.agents.answer import Answer, Intent
from workbench.cli.common import cli
from workbench.core.config import CostSettings, load_settings
from workbench.cost import pricing
from workbench.cost.estimate import AWS_TEMPLATE, Workload, aws_default_settings, compare, estimate
from workbench.cost.hooks import record_bedrock_request, record_lambda_request
from workbench.cost.ledger import CostLedger
from workbench.cost.pricing import (
    REDSHIFT,
    bedrock_base_model,
    bedrock_cost,
    bedrock_rate,
    lambda_billed_duration_ms,
    price,
    redshift_billed_seconds,
)
from workbench.cost.usage import Usage, WarehouseUsage

COST = CostSettings()
RPU_SECOND = 8 * 0.375 / 3600  # one second of the workgroup at 8 RPUs
T0 = 1_800_000_000.0  # epoch seconds of the replay's first arrival


def _answer(usage: Usage, question: str = "q") -> Answer:
    return Answer(
        question=question,
        persona="warehouse_manager",
        intent=Intent.SQL_QUERY,
        usage=usage,
        cost=price(usage, COST),
    )


def _query(
    start: float, seconds: float, *, scope: str = "wg", client_extra: float = 2.0
) -> WarehouseUsage:
    """A Redshift query that ran ``seconds`` on the server from ``start`` (the client saw more)."""
    return WarehouseUsage(
        "redshift",
        duration_ms=(seconds + client_extra) * 1000,  # polling included: must not be billed
        server_duration_ms=seconds * 1000,
        ended_at=T0 + start + seconds,
        scope=scope,
    )


# An arrival pattern: a burst sharing one minute, overlapping queries, a long query, queries
# just inside / just outside a paid minute, and a second workgroup billed on its own.
ARRIVALS: list[tuple[float, float, str]] = [
    (0.0, 2.0, "wg"),
    (10.0, 1.5, "wg"),
    (59.0, 3.0, "wg"),  # starts inside the first paid minute, runs past it
    (200.0, 1.0, "wg"),
    (200.5, 4.0, "wg"),  # concurrent with the previous one
    (262.0, 0.5, "wg"),  # just after the minute paid at 200 s: a new period
    (400.0, 95.0, "wg"),  # longer than the minimum
    (480.0, 30.0, "wg"),  # inside it, ends after it
    (1000.0, 0.2, "wg"),
    (1030.0, 0.2, "other"),
    (5.0, 1.0, "other"),
]


def _grid_bill(arrivals: list[tuple[float, float]], minimum: float = 60.0) -> float:
    """Independent bill: walk time in 0.1 s ticks as the workgroup lives it. A query that
    starts while the workgroup is idle wakes it and pays for ``minimum`` from then; the
    workgroup is billed for every tick in which a query runs or the paid minute lasts."""
    ticks = [(round(s * 10), round((s + d) * 10)) for s, d in arrivals]  # deciseconds
    last = max(e for _, e in ticks) + round(minimum * 10) + 1
    paid_until = -1
    billed = 0
    for t in range(last):
        running_before = any(s < t < e for s, e in ticks)
        active = running_before or t < paid_until
        if not active and any(s == t for s, _ in ticks):
            paid_until = t + round(minimum * 10)  # woken: the minimum starts now
        if t < paid_until or any(s <= t < e for s, e in ticks):
            billed += 1
    return billed / 10


def test_the_grid_bill_agrees_with_simple_cases() -> None:
    assert _grid_bill([(0.0, 1.0)]) == pytest.approx(60.0)
    assert _grid_bill([(0.0, 1.0), (30.0, 1.0)]) == pytest.approx(60.0)
    assert _grid_bill([(0.0, 1.0), (100.0, 1.0)]) == pytest.approx(120.0)
    assert _grid_bill([(0.0, 90.0)]) == pytest.approx(90.0)


def test_replayed_arrivals_are_charged_the_merged_window_bill(tmp_path: Path) -> None:
    ledger = CostLedger(tmp_path / "l.sqlite3")
    # Recorded out of order (answers finish in any order), some answers with two queries.
    order = [3, 0, 1, 2, 6, 4, 5, 7, 8, 9, 10]
    charged = 0.0
    for i in order[:2]:
        s, d, wg = ARRIVALS[i]
        charged += ledger.record_priced(_answer(Usage(warehouse=[_query(s, d, scope=wg)])))[
            1
        ].actual[REDSHIFT]
    pair = [_query(*ARRIVALS[i][:2], scope=ARRIVALS[i][2]) for i in order[2:4]]
    charged += ledger.record_priced(_answer(Usage(warehouse=pair)))[1].actual[REDSHIFT]
    for i in order[4:]:
        s, d, wg = ARRIVALS[i]
        _, cost = ledger.record_priced(_answer(Usage(warehouse=[_query(s, d, scope=wg)])))
        assert cost.actual[REDSHIFT] == cost.aws_equivalent[REDSHIFT]
        charged += cost.actual[REDSHIFT]
    expected_seconds = sum(
        _grid_bill([(s, d) for s, d, w in ARRIVALS if w == wg]) for wg in ("wg", "other")
    )
    # By hand: [0, 62] [200, 260] [262, 322] [400, 510] [1000, 1060] on wg; two minutes on other.
    assert expected_seconds == pytest.approx(62 + 60 + 60 + 110 + 60 + 60 + 60, abs=0.2)
    assert charged == pytest.approx(expected_seconds * RPU_SECOND, rel=1e-6)
    assert ledger.by_service(1).set_index("service").loc[REDSHIFT, "actual_usd"] == pytest.approx(
        expected_seconds * RPU_SECOND, abs=1e-5
    )
    # The same seconds from the function the estimate uses.
    for wg in ("wg", "other"):
        assert redshift_billed_seconds(
            [(s, s + d) for s, d, w in ARRIVALS if w == wg]
        ) == pytest.approx(_grid_bill([(s, d) for s, d, w in ARRIVALS if w == wg]), abs=0.2)
    assert ledger.queries(1)["charged_seconds"].sum() == pytest.approx(expected_seconds, abs=0.2)


def test_the_server_duration_is_billed_not_the_client_time(tmp_path: Path) -> None:
    ledger = CostLedger(tmp_path / "l.sqlite3")
    _, cost = ledger.record_priced(_answer(Usage(warehouse=[_query(0, 70.0, client_extra=30.0)])))
    assert cost.actual[REDSHIFT] == pytest.approx(70.0 * RPU_SECOND)


def test_local_queries_merge_in_their_own_reference_scope(tmp_path: Path) -> None:
    ledger = CostLedger(tmp_path / "l.sqlite3")
    local = WarehouseUsage("duckdb", 15.0, ended_at=T0)
    _, first = ledger.record_priced(_answer(Usage(warehouse=[local])))
    _, second = ledger.record_priced(
        _answer(Usage(warehouse=[WarehouseUsage("duckdb", 15.0, ended_at=T0 + 5)]))
    )
    assert first.actual == {} and first.aws_equivalent[REDSHIFT] == pytest.approx(0.05)
    assert second.aws_equivalent[REDSHIFT] == 0  # inside the minute the first one paid
    assert set(ledger.queries(None)["scope"]) == {"reference:redshift"}


# -- Bedrock ---------------------------------------------------------------------------------
#: (model id as configured, expected USD per 1,000 input tokens, per 1,000 output tokens).
SHIPPED = [
    ("anthropic.claude-3-sonnet-20240229-v1:0", 0.003, 0.015),
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", 0.003, 0.015),
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", 0.003, 0.015),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", 0.003, 0.015),
    ("anthropic.claude-sonnet-4-20250514-v1:0", 0.003, 0.015),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", 0.0033, 0.0165),  # in-Region: +10 %
    ("anthropic.claude-3-haiku-20240307-v1:0", 0.00025, 0.00125),
    ("anthropic.claude-3-5-haiku-20241022-v1:0", 0.0008, 0.004),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", 0.0011, 0.0055),
    ("anthropic.claude-3-opus-20240229-v1:0", 0.015, 0.075),
    ("anthropic.claude-opus-4-20250514-v1:0", 0.015, 0.075),
    ("anthropic.claude-opus-4-1-20250805-v1:0", 0.015, 0.075),
    ("anthropic.claude-opus-4-5-20251101-v1:0", 0.0055, 0.0275),
    ("amazon.nova-micro-v1:0", 0.000035, 0.00014),
    ("amazon.nova-lite-v1:0", 0.00006, 0.00024),
    ("amazon.nova-pro-v1:0", 0.0008, 0.0032),
]


def test_every_shipped_family_is_tested() -> None:
    tested = {bedrock_rate(m, COST).name for m, _, _ in SHIPPED}
    assert tested == {p.name for p in pricing.BEDROCK_PRICES}


@pytest.mark.parametrize(("model_id", "inp", "out"), SHIPPED)
def test_shipped_model_prices(model_id: str, inp: float, out: float) -> None:
    rate = bedrock_rate(model_id, COST)
    assert (rate.input_per_1k, rate.output_per_1k, rate.source) == (inp, out, "shipped")
    assert bedrock_cost(model_id, 2000, 500, COST) == pytest.approx(2 * inp + 0.5 * out)


@pytest.mark.parametrize(
    "profile",
    [
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "eu.anthropic.claude-3-5-haiku-20241022-v1:0",
        "apac.anthropic.claude-3-5-haiku-20241022-v1:0",
        "global.anthropic.claude-3-5-haiku-20241022-v1:0",
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-haiku-20241022-v1:0",
    ],
)
def test_inference_profiles_are_priced_as_their_model(profile: str) -> None:
    assert bedrock_base_model(profile) == "anthropic.claude-3-5-haiku-20241022-v1:0"
    rate = bedrock_rate(profile, COST)
    assert (rate.input_per_1k, rate.output_per_1k) == (0.0008, 0.004)


def test_the_claude_4_5_generation_lists_the_global_price_and_10_percent_more_elsewhere() -> None:
    glob = bedrock_rate("global.anthropic.claude-haiku-4-5-20251001-v1:0", COST)
    geo = bedrock_rate("us.anthropic.claude-haiku-4-5-20251001-v1:0", COST)
    assert (glob.input_per_1k, glob.output_per_1k) == (0.001, 0.005)
    assert (geo.input_per_1k, geo.output_per_1k) == (0.0011, 0.0055)
    # Older generations cost the same on every endpoint.
    assert bedrock_rate("us.anthropic.claude-3-5-haiku-20241022-v1:0", COST).input_per_1k == 0.0008


def test_configuration_overrides_the_shipped_price() -> None:
    cost = CostSettings(
        bedrock_input_per_1k_tokens={"default": 0.003, "amazon.nova-lite-v1:0": 0.0001},
        bedrock_output_per_1k_tokens={"default": 0.015, "amazon.nova-lite-v1:0": 0.0004},
    )
    rate = bedrock_rate("us.amazon.nova-lite-v1:0", cost)
    assert (rate.input_per_1k, rate.output_per_1k, rate.source) == (0.0001, 0.0004, "configuration")


def test_an_unknown_model_falls_back_to_default_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="workbench.cost.pricing"):
        rate = bedrock_rate("meta.llama3-70b-instruct-v1:0", COST)
        bedrock_rate("meta.llama3-70b-instruct-v1:0", COST)
    assert (rate.input_per_1k, rate.output_per_1k, rate.source) == (0.003, 0.015, "default")
    warnings = [r for r in caplog.records if getattr(r, "event", None) == "bedrock_price_fallback"]
    assert len(warnings) == 1 and "meta.llama3-70b-instruct-v1:0" in warnings[0].getMessage()


def test_bedrock_hook_records_each_response() -> None:
    usage: list[Any] = []
    record_bedrock_request(
        usage,
        backend="bedrock",
        model_id="amazon.nova-lite-v1:0",
        response={"usage": {"inputTokens": 900, "outputTokens": 80}},
    )
    assert (usage[0].input_tokens, usage[0].output_tokens) == (900, 80)


# -- Lambda ----------------------------------------------------------------------------------
def _log_tail(billed_ms: int) -> str:
    text = (
        "START RequestId: 1 Version: $LATEST\n"
        f"REPORT RequestId: 1\tDuration: {billed_ms - 0.6} ms\tBilled Duration: {billed_ms} ms\t"
        "Memory Size: 1024 MB\tMax Memory Used: 90 MB\n"
    )
    return base64.b64encode(text.encode()).decode()


def test_lambda_bills_its_own_billed_duration_and_every_request() -> None:
    assert lambda_billed_duration_ms(_log_tail(413)) == 413.0
    assert lambda_billed_duration_ms(None) is None
    usage = Usage()
    throttled = ClientError({"Error": {"Code": "TooManyRequestsException"}}, "Invoke")
    record_lambda_request(usage, function="f", memory_mb=1024, client_ms=35.0, error=throttled)
    timeout = ReadTimeoutError(endpoint_url="https://lambda")
    record_lambda_request(usage, function="f", memory_mb=1024, client_ms=60_000.0, error=timeout)
    record_lambda_request(
        usage,
        function="f",
        memory_mb=1024,
        client_ms=900.0,
        response={"StatusCode": 200, "LogResult": _log_tail(413)},
    )
    assert [(i.billed, i.billed_duration_ms) for i in usage.invocations] == [
        (False, None),
        (True, None),
        (True, 413.0),
    ]
    cost = price(usage, COST)
    per_request, gb_second = COST.lambda_per_request, COST.lambda_gb_second
    assert cost.actual["lambda"] == cost.aws_equivalent["lambda"]
    assert cost.actual["lambda"] == pytest.approx(2 * per_request + (60.0 + 0.413) * gb_second)


# -- workbench cost estimate ------------------------------------------------------------------
def test_the_aws_template_holds_the_cost_conscious_defaults(tmp_path: Path) -> None:
    s = aws_default_settings(tmp_path)
    assert s.warehouse.backend == "athena" and s.planner.mode == "auto"
    assert bedrock_rate(s.planner.bedrock.model_id, s.cost).source == "shipped"
    assert bedrock_rate(s.planner.bedrock.model_id, s.cost).input_per_1k < 0.003
    assert s.cost.redshift_base_rpus == 8 and s.cost.redshift_max_rpu_hours_per_month
    assert s.cost.athena_bytes_scanned_cutoff_per_query and s.cost.sagemaker_idle_stop_minutes > 0
    assert load_settings(AWS_TEMPLATE, home=tmp_path) == s


def test_estimate_reference_workload_on_the_aws_defaults(tmp_path: Path) -> None:
    s = aws_default_settings(tmp_path)
    result = compare(s)
    athena, redshift = result["backends"]["athena"], result["backends"]["redshift"]
    assert athena.questions == 3300 and result["configured"].backend == "athena"
    assert result["configured"].total <= 50
    # Athena itself: each of the 2,310 misses + 462 tool queries at the 10 MB minimum.
    assert athena.by_service["athena"] == pytest.approx(2772 * 10 / 1024**2 * 5.0)
    # The notebook: 8 h x 22 days x $0.05 + 5 GB x $0.14.
    assert athena.by_service["sagemaker_notebook"] == pytest.approx(8.8 + 0.7)
    # Redshift at 8 RPU: at least one minute per burst, at most one per query.
    # (at least 20 separate minutes a working day; at most a minute and more for every query)
    assert 22 * 20 * 60 * RPU_SECOND < redshift.by_service[REDSHIFT] < 5082 * 62 * RPU_SECOND
    assert redshift.redshift_rpu_hours < s.cost.redshift_max_rpu_hours_per_month
    # 128 RPUs (AWS's default) cost 16x as much.
    big = s.model_copy(update={"cost": s.cost.model_copy(update={"redshift_base_rpus": 128})})
    assert estimate(big, backend="redshift").by_service[REDSHIFT] == pytest.approx(
        16 * redshift.by_service[REDSHIFT]
    )
    always = s.model_copy(update={"cost": s.cost.model_copy(update={"sagemaker_always_on": True})})
    assert estimate(always).by_service["sagemaker_notebook"] == pytest.approx(730 * 0.05 + 0.7)
    with pytest.raises(Exception, match="cache_hit_rate"):
        Workload(cache_hit_rate=1.5)


def test_estimate_cli_prints_both_backends_llm_options_and_the_total(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "cost", "estimate"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "athena (USD)" in out and "redshift (USD)" in out and "LLM options" in out
    assert "us.anthropic.claude-3-7-sonnet" in out and "us.amazon.nova-lite-v1:0" in out
    total = re.search(r"^total per month: \$(\d+\.\d\d)$", out.splitlines()[-1])
    assert total is not None and float(total.group(1)) <= 50.0
    redshift = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "cost",
            "estimate",
            "--backend",
            "redshift",
            "--always-on",
            "--format",
            "json",
        ],
    )
    assert redshift.exit_code == 0, redshift.output
    assert '"backend": "redshift"' in redshift.output


def test_docs_show_the_estimate_the_command_prints(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "cost.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "cost", "estimate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() in docs, (
        "docs/cost.md: paste the output of `workbench cost estimate`"
    )
    for key in (
        "cost.sagemaker_idle_stop_minutes",
        "cost.redshift_max_rpu_hours_per_month",
        "cost.athena_bytes_scanned_cutoff_per_query",
    ):
        assert key in docs


def test_writers_in_parallel_still_sum_to_the_merged_bill(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "l.sqlite3"
    starts = [i * 7.0 for i in range(40)]  # one 1 s query every 7 s for 280 s
    charged: list[float] = []
    lock = threading.Lock()

    def writer(mine: list[float]) -> None:
        book = CostLedger(path)
        for s in mine:
            _, cost = book.record_priced(_answer(Usage(warehouse=[_query(s, 1.0)])))
            with lock:
                charged.append(cost.actual[REDSHIFT])
        book.close()

    threads = [threading.Thread(target=writer, args=(starts[k::2],)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = _grid_bill([(s, 1.0) for s in starts])
    # Paid minutes open at 0, 63, 126, 189 and 252 s (each query inside one shares it).
    assert expected == pytest.approx(5 * 60.0, abs=0.2)
    assert sum(charged) == pytest.approx(expected * RPU_SECOND, rel=1e-6)


def test_a_version_1_ledger_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL UNIQUE,"
        " ts TEXT NOT NULL, day TEXT NOT NULL, session_id TEXT, username TEXT, persona TEXT NOT NULL,"
        " question TEXT NOT NULL, intent TEXT, agent TEXT, backend TEXT, sql TEXT,"
        " duration_ms REAL NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0,"
        " input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,"
        " cost_actual TEXT NOT NULL DEFAULT '{}', cost_aws_equivalent TEXT NOT NULL DEFAULT '{}',"
        " actual_total REAL NOT NULL DEFAULT 0, aws_equivalent_total REAL NOT NULL DEFAULT 0,"
        " cached INTEGER NOT NULL DEFAULT 0, error TEXT, process_id INTEGER);"
        "PRAGMA user_version = 1;"
    )
    con.close()
    book = CostLedger(path)
    book.record(_answer(Usage(warehouse=[_query(0, 1.0)])))
    assert book.count() == 1 and len(book.queries(None)) == 1
