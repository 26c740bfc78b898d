"""Orchestration: classify a question's intent, route it to an agent, cache, remember and cost it."""

from __future__ import annotations

from workbench.orchestrator.hybrid import HybridEnricher, choose_tool
from workbench.orchestrator.intent import (
    IntentClassifier,
    IntentResult,
    RuleIntentClassifier,
    create_intent_classifier,
    looks_like_follow_up,
    register_intent_classifier,
)
from workbench.orchestrator.orchestrator import Orchestrator
from workbench.orchestrator.router import AgentDirectory, Route, Router

__all__ = [
    "AgentDirectory",
    "HybridEnricher",
    "IntentClassifier",
    "IntentResult",
    "Orchestrator",
    "Route",
    "Router",
    "RuleIntentClassifier",
    "choose_tool",
    "create_intent_classifier",
    "looks_like_follow_up",
    "register_intent_classifier",
]
