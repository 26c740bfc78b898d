"""Orchestration: classify a question's intent, route it to an agent, cache, remember and cost it."""

from __future__ import annotations

from workbench.orchestrator.intent import (
    IntentClassifier,
    IntentResult,
    RuleIntentClassifier,
    create_intent_classifier,
    register_intent_classifier,
)

__all__ = [
    "IntentClassifier",
    "IntentResult",
    "RuleIntentClassifier",
    "create_intent_classifier",
    "register_intent_classifier",
]
