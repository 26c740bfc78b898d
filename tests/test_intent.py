"""The rule intent classifier against a table of questions across personas."""

from __future__ import annotations

import pytest

from workbench.agents.answer import Intent
from workbench.core.config import load_settings
from workbench.data.schema import Persona
from workbench.orchestrator.intent import (
    IntentClassifier,
    IntentResult,
    RuleIntentClassifier,
    create_intent_classifier,
    register_intent_classifier,
)

WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST
SQL, OPT, HYB = Intent.SQL_QUERY, Intent.OPTIMIZATION, Intent.HYBRID

CASES: list[tuple[Persona, str, Intent]] = [
    # Warehouse manager: lookups
    (WM, "Which products are below their reorder point?", SQL),
    (WM, "Which items are low on stock at WH-EAST?", SQL),
    (WM, "How many products are out of stock in each warehouse?", SQL),
    (WM, "What is the inventory value by category?", SQL),
    (WM, "Top 5 products by revenue last month", SQL),
    (WM, "Show the days of cover for P0001 at the East warehouse", SQL),
    (WM, "Which products are at stockout risk?", SQL),
    (WM, "What is the reorder point for P0001 at WH-EAST?", SQL),
    (WM, "What is the safety stock of P0002 at WH-WEST?", SQL),
    (WM, "Units sold by warehouse this quarter", SQL),
    (WM, "Average daily demand for P0003 at WH-EAST", SQL),
    (WM, "products with no sales in the last 60 days", SQL),
    # Warehouse manager: calculations
    (WM, "Calculate the reorder point for P0001 at WH-EAST", OPT),
    (WM, "What is the economic order quantity for P0004?", OPT),
    (WM, "What safety stock level should P0001 have at 98% service level?", OPT),
    (WM, "Forecast demand for P0001 at WH-EAST for the next 14 days", OPT),
    (WM, "How much should I order of P0005 for the West warehouse?", OPT),
    (WM, "What is the capacity utilization of each warehouse?", OPT),
    (WM, "How much free space is left at WH-EAST?", OPT),
    # Calculation phrasings users type (abbreviations, "should" after the noun).
    (WM, "safety stock recommendation for consumables at east", OPT),
    (WM, "what reorder point should p0012 have at west", OPT),
    (WM, "calculate ROP for P0008 at 99% service level", OPT),
    (WM, "economic order qty for P0004 with order cost of 100", OPT),
    (FE, "plan tomorrow's delivery run from central", OPT),
    (PS, "where can we cut costs on purchasing", OPT),
    (PS, "compare supplier prices for Cordless Drill 18V", OPT),
    (PS, "spend trend by supplier over the last 6 months", OPT),
    (PS, "what is the reorder point for P0005", SQL),
    # Capacity utilization is also a glossary metric: ranking it is a query.
    (WM, "Which DC has the lowest capacity utilization?", SQL),
    (WM, "Top 2 warehouses by capacity utilization", SQL),
    (WM, "Recommend a safety stock for P0007", OPT),
    (WM, "What will demand for cordless drills look like next month?", OPT),
    (WM, "EOQ for P0010", OPT),
    # Warehouse manager: hybrid
    (
        WM,
        "Which items are below their reorder point at the East warehouse and how much should I order?",
        HYB,
    ),
    (WM, "List the low stock items and calculate their EOQ", HYB),
    (WM, "Which products should I reorder and how much?", HYB),
    (WM, "Which products are out of stock and what is the forecast demand for them?", HYB),
    # Field engineer: lookups
    (FE, "Which orders are overdue?", SQL),
    (FE, "How many deliveries are due today at WH-EAST?", SQL),
    (FE, "Show delayed shipments from the West warehouse", SQL),
    (FE, "What is the on-time delivery rate this month?", SQL),
    (FE, "List the express orders due today", SQL),
    (FE, "Average fulfilment time by warehouse last quarter", SQL),
    (FE, "Which customers had late deliveries last week?", SQL),
    # Field engineer: calculations
    (FE, "Plan the delivery route for today from WH-EAST", OPT),
    (FE, "What is the shortest route for today's deliveries from the West warehouse?", OPT),
    (FE, "Optimize my deliveries for today", OPT),
    (FE, "How much free space is left in each warehouse?", OPT),
    # Field engineer: hybrid
    (FE, "Which overdue orders should I deliver first and in what order?", HYB),
    (FE, "Which orders are due today and what is the best route?", HYB),
    (FE, "Show the open orders at WH-EAST and plan the route", HYB),
    # Procurement specialist: lookups
    (PS, "What is the total spend by supplier this year?", SQL),
    (PS, "Which suppliers have the lowest fill rate?", SQL),
    (PS, "Supplier on-time rate last quarter", SQL),
    (PS, "List pending purchase orders for WH-EAST", SQL),
    (PS, "What is the average supplier lead time by country?", SQL),
    (PS, "Cost variance by product category this year", SQL),
    (PS, "Which POs are late?", SQL),
    # Procurement specialist: calculations
    (PS, "Rank suppliers by supplier score", OPT),
    (PS, "Who is the cheapest supplier for P0003?", OPT),
    (PS, "Where can we find cost savings in purchasing?", OPT),
    (PS, "Which supplier should I buy P0004 from?", OPT),
    (PS, "Show the supplier scorecard", OPT),
    (PS, "Which supplier do you recommend for P0002?", OPT),
    (PS, "What is the suggested order quantity for products below reorder point?", SQL),
    (FE, "How many orders are overdue at WH-EAST?", SQL),
    # Procurement specialist: hybrid
    (PS, "Which products are below their reorder point and how much should we order?", HYB),
    (PS, "Which items are out of stock and which supplier should I order them from?", HYB),
]


@pytest.fixture(scope="module")
def classifier() -> RuleIntentClassifier:
    return RuleIntentClassifier()


def test_the_table_is_large_and_covers_every_persona_and_intent() -> None:
    assert len(CASES) >= 45
    assert {(p, i) for p, _, i in CASES} == {(p, i) for p in Persona for i in Intent}


@pytest.mark.parametrize(("persona", "question", "expected"), CASES, ids=[q for _, q, _ in CASES])
def test_classifies(
    classifier: RuleIntentClassifier, persona: Persona, question: str, expected: Intent
) -> None:
    result = classifier.classify(question, persona)
    assert result.intent is expected, result.reasons
    assert 0.5 <= result.confidence <= 1.0
    assert result.reasons


def test_reasons_name_what_matched(classifier: RuleIntentClassifier) -> None:
    result = classifier.classify(
        "Which overdue orders should I deliver first and in what order?", FE
    )
    text = " ".join(result.reasons)
    assert "overdue" in text and "in what order" in text
    assert result.topics == ("logistics",)
    assert result.to_dict()["intent"] == "hybrid"


def test_unknown_wording_is_a_low_confidence_lookup(classifier: RuleIntentClassifier) -> None:
    result = classifier.classify("tell me about P0001")
    assert result.intent is SQL and result.confidence < 0.7


def test_topics_follow_the_calculation(classifier: RuleIntentClassifier) -> None:
    assert classifier.classify("Calculate the EOQ for P0001").topics == ("inventory",)
    assert classifier.classify("Plan the delivery route from WH-EAST").topics == ("logistics",)
    assert classifier.classify("Rank suppliers by score").topics == ("procurement",)


def test_bedrock_mode_loads_the_llm_classifier() -> None:
    classifier = create_intent_classifier(load_settings({"planner": {"mode": "bedrock"}}))
    assert classifier.name == "bedrock"  # built lazily: no AWS call until it classifies


def test_factory_uses_rules_offline_and_accepts_a_plugged_in_classifier() -> None:
    assert isinstance(create_intent_classifier(load_settings({})), RuleIntentClassifier)

    class AlwaysOptimization:
        name = "fake_llm"

        def classify(self, question: str, persona: object = None) -> IntentResult:
            return IntentResult(Intent.OPTIMIZATION, 0.99, ("fake",))

    from workbench.orchestrator import intent as module

    saved = module._REGISTRY.get("bedrock")
    register_intent_classifier("bedrock")(lambda settings: AlwaysOptimization())
    try:
        plugged = create_intent_classifier(load_settings({"planner": {"mode": "bedrock"}}))
        assert isinstance(plugged, IntentClassifier)
        assert plugged.classify("which products are low on stock").intent is OPT
    finally:
        if saved is None:
            module._REGISTRY.pop("bedrock", None)
        else:
            module._REGISTRY["bedrock"] = saved
