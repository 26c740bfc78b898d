"""Intent classification: is a question a lookup (SQL), a calculation (optimization), or both?

* ``SQL_QUERY`` — lookups, listings and aggregates the semantic layer answers ("which
  products are below their reorder point?", "revenue by category last month").
* ``OPTIMIZATION`` — calculations the specialist tools do: EOQ, safety-stock levels, a
  calculated reorder point, demand forecasts, delivery routes, supplier scores and rankings,
  cheapest supplier, cost savings, warehouse capacity.
* ``HYBRID`` — a listing with a business filter *and* a calculation on what it lists:
  "which items are below their reorder point at the East warehouse and how much should I
  order?", "which overdue orders should I deliver first and in what order?".

The offline :class:`RuleIntentClassifier` is deterministic and explains itself (``reasons``).
Another classifier (an LLM one, later) plugs in through :func:`register_intent_classifier`
and the :class:`IntentClassifier` protocol.

The rules read the question's :class:`~workbench.semantic.cues.Cues` (evaluated once, when
the question is parsed; the signal tables live in :mod:`workbench.semantic.cues`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workbench.agents.answer import Intent
from workbench.semantic.cues import (
    _FOLLOW_UP,
    FILTERS,
    LISTING,
    OPTIMIZATION_SIGNALS,
    SQL_SIGNALS,
    read_cues,
)
from workbench.semantic.question import ParsedQuestion

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = [
    "FILTERS",
    "LISTING",
    "OPTIMIZATION_SIGNALS",
    "SQL_SIGNALS",
    "IntentClassifier",
    "IntentResult",
    "RuleIntentClassifier",
    "asks_for_calculation",
    "create_intent_classifier",
    "listing_question",
    "looks_like_follow_up",
    "register_intent_classifier",
]


@dataclass(frozen=True)
class IntentResult:
    """The intent of a question, how sure the classifier is (0..1) and why."""

    intent: Intent
    confidence: float
    reasons: tuple[str, ...] = ()
    #: Which optimization topic matched (inventory, logistics, procurement), for routing.
    topics: tuple[str, ...] = field(default=())
    #: Which calculations were asked for ("economic order quantity", "delivery route", ...).
    calculations: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent.value,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "topics": list(self.topics),
            "calculations": list(self.calculations),
        }


@runtime_checkable
class IntentClassifier(Protocol):
    name: str

    def classify(self, question: str, persona: Any = None) -> IntentResult: ...


class RuleIntentClassifier:
    """Deterministic keyword rules; offline, fast, and explained in ``IntentResult.reasons``."""

    name = "rules"

    def classify(
        self, question: str, persona: Any = None, *, parsed: ParsedQuestion | None = None
    ) -> IntentResult:
        cues = parsed.cues if parsed is not None else read_cues(question)
        optimization = list(cues.calculations)
        filters = list(cues.filters)
        listing = cues.listing
        sql = list(cues.sql)
        ranks_or_counts = any(s.label in {"ranking", "count"} for s, _ in sql)
        if optimization and ranks_or_counts and all(s.soft for s, _ in optimization):
            optimization = []  # "which DC has the lowest capacity utilization": a metric ranking
        persona_note = (
            (f"persona: {getattr(persona, 'value', persona)}",) if persona is not None else ()
        )
        opt_reasons = tuple(f"calculation: {s.label} ('{hit}')" for s, hit in optimization)
        topics = tuple(dict.fromkeys(s.topic for s, _ in optimization if s.topic))
        calculations = tuple(dict.fromkeys(s.label for s, _ in optimization))

        if optimization and listing and filters:
            filter_reasons = tuple(f"filter: {s.label} ('{hit}')" for s, hit in filters)
            return IntentResult(
                Intent.HYBRID,
                0.85 if len(optimization) == 1 else 0.9,
                (
                    f"listing: '{listing}'",
                    *filter_reasons,
                    *opt_reasons,
                    *persona_note,
                ),
                topics or tuple(dict.fromkeys(s.topic for s, _ in filters)),
                calculations,
            )
        if optimization:
            confidence = 0.9 if len(optimization) > 1 or not sql else 0.8
            return IntentResult(
                Intent.OPTIMIZATION,
                confidence,
                (*opt_reasons, *persona_note),
                topics,
                calculations,
            )
        sql_reasons = tuple(f"{s.label}: '{hit}'" for s, hit in sql) + tuple(
            f"filter: {s.label} ('{hit}')" for s, hit in filters
        )
        if sql or filters:
            return IntentResult(Intent.SQL_QUERY, 0.9, (*sql_reasons, *persona_note))
        return IntentResult(
            Intent.SQL_QUERY, 0.6, ("no calculation asked: treated as a lookup", *persona_note)
        )


def asks_for_calculation(question: str) -> bool:
    """Whether the question names a calculation of its own (EOQ, route, forecast, ...)."""
    return read_cues(question).asks_for_calculation


def looks_like_follow_up(question: str) -> bool:
    """Whether the words of a question read as refining the previous one ("what about this month?")."""
    return bool(_FOLLOW_UP.search(question))


ClassifierFactory = Callable[["Settings"], IntentClassifier]
_REGISTRY: dict[str, ClassifierFactory] = {"rules": lambda settings: RuleIntentClassifier()}
#: Planner mode -> classifier name; a mode whose classifier is not registered uses the rules.
_MODE_TO_CLASSIFIER = {"offline": "rules", "bedrock": "bedrock", "auto": "rules"}


def register_intent_classifier(name: str) -> Callable[[ClassifierFactory], ClassifierFactory]:
    """Decorator: make a classifier available (e.g. ``"bedrock"`` for ``planner.mode: bedrock``)."""

    def deco(factory: ClassifierFactory) -> ClassifierFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def create_intent_classifier(settings: Settings) -> IntentClassifier:
    """The classifier for the configured planner mode (the offline rules unless one is registered)."""
    name = _MODE_TO_CLASSIFIER.get(settings.planner.mode, "rules")
    if name not in _REGISTRY and name == "bedrock":
        import workbench.llm.intent  # noqa: F401  (registers the Bedrock classifier)
    factory = _REGISTRY.get(name, _REGISTRY["rules"])
    return factory(settings)


#: Words that join a listing to the calculation asked about it ("... and what is the best route").
_GLUE = frozenset(
    [
        "and",
        "then",
        "also",
        "plus",
        "so",
        "what",
        "what's",
        "whats",
        "is",
        "are",
        "the",
        "a",
        "an",
        "best",
        "optimal",
        "shortest",
        "fastest",
        "cheapest",
        "should",
        "shall",
        "must",
        "do",
        "does",
        "can",
        "could",
        "would",
        "i",
        "we",
        "you",
        "calculate",
        "compute",
        "work",
        "out",
        "find",
        "give",
        "me",
        "show",
        "tell",
        "get",
        "plan",
        "with",
        "their",
        "its",
        "for",
        "them",
        "each",
        "how",
        "much",
        "many",
        "to",
        "of",
        "in",
        "order",
    ]
)
_REPHRASE = (
    (re.compile(r"\bshould (?:i|we) (?:re-?order|restock)\b", re.IGNORECASE), "need reordering"),
)


def listing_question(question: str) -> str:
    """The listing half of a hybrid question, for the SQL agent.

    "Which items are below their reorder point at the East warehouse and how much should I
    order?" -> "Which items are below their reorder point at the East warehouse". The text
    before the first calculation phrase, without the words that join the two halves. The
    whole question comes back when nothing would be left.
    """
    starts = [m.start() for s in OPTIMIZATION_SIGNALS for m in s.pattern.finditer(question)]
    head = question[: min(starts)] if starts else question
    words = head.split()
    while words and words[-1].strip(",;:-").lower() in _GLUE | {""}:
        words.pop()
    text = " ".join(words).rstrip(",;:- ")
    for pattern, replacement in _REPHRASE:
        text = pattern.sub(replacement, text)
    return text if len(text.split()) >= 2 else question
