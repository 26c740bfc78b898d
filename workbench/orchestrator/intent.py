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

The overlaps are deliberate: a glossary *state* is a lookup ("below their reorder point",
"below safety stock", "what is the reorder point of P0001" reads the column), while asking
for the *value to use* is a calculation ("calculate the reorder point for P0001", "what
safety stock level should P0001 have").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workbench.agents.answer import Intent

if TYPE_CHECKING:
    from workbench.core.config import Settings


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


@dataclass(frozen=True)
class _Signal:
    label: str
    pattern: re.Pattern[str]
    topic: str = ""
    #: A calculation that is also a glossary metric (capacity utilization): it decides
    #: OPTIMIZATION only when the question does not rank or count, which the SQL agent does.
    soft: bool = False


def _sig(label: str, regex: str, topic: str = "", *, soft: bool = False) -> _Signal:
    return _Signal(label, re.compile(regex, re.IGNORECASE), topic, soft)


_CALC = r"(?:calculate|compute|recommend(?:ed|ations?)?|determine|estimate|work out|optimi[sz]e|optimal|ideal|right|suggest(?:ed)?)"
_ME = r"(?:i|we|you)"
#: Up to three words between two parts of a phrase ("calculate the optimal reorder point").
_GAP = r"(?:\s+\S+){0,3}?\s+"

#: Calculations only a specialist tool does. Strong signals: each alone decides OPTIMIZATION.
OPTIMIZATION_SIGNALS: tuple[_Signal, ...] = (
    _sig("economic order quantity", r"\beoqs?\b|economic order (?:quantit|qty)", "inventory"),
    _sig(
        "order quantity to buy",
        rf"\bhow (?:much|many)\b(?:[^?.]*?)\b(?:should|do|must|to)\b(?:\s+{_ME})?\s+(?:re)?(?:order|buy|purchase)\b",
        "inventory",
    ),
    _sig(
        "order quantity to buy",
        r"\b(?:optimal|ideal|best|right) (?:order|reorder|purchase) (?:quantity|size|amount)",
        "inventory",
    ),
    _sig(
        "'and how much'",
        r"\band how (?:much|many)(?: (?:units|of each|of them|each))?\s*[?.!]*\s*$",
        "inventory",
    ),
    _sig(
        "safety stock level",
        # Only the level to *use* is a calculation; "the safety stock level for P0010" reads the column.
        r"\bsafety[- ]stock (?:levels?|targets?)\b[^?.]*\b(?:should|need|needed|required|service level|\d+(?:\.\d+)?\s*%)"
        r"|\b(?:should|need|needed|required)\b[^?.]*\bsafety[- ]stock (?:levels?|targets?)\b"
        r"|\bhow much safety[- ]stock\b[^?.]*\b(?:should|need|needed|required|to (?:keep|hold|carry))\b"
        r"|\bsafety[- ]stock\b[^?.]*\bservice level\b",
        "inventory",
    ),
    _sig(
        "safety stock calculation",
        rf"\b{_CALC}{_GAP}safety[- ]stock\b|\b{_CALC} safety[- ]stock\b|\bsafety[- ]stock{_GAP}should (?:be|i|we)\b|what should (?:the |my |our )?safety[- ]stock"
        r"|\bwhat safety[- ]stock\b[^?.]*\bshould\b|\bsafety[- ]stock recommendations?\b",
        "inventory",
    ),
    _sig(
        "reorder point calculation",
        rf"\b{_CALC}{_GAP}reorder[- ]points?\b|\b{_CALC} reorder[- ]points?\b|\breorder[- ]points?{_GAP}should be\b|what should (?:the |my |our )?reorder[- ]points?"
        rf"|\bwhat reorder[- ]points?\b[^?.]*\bshould\b|\b{_CALC}{_GAP}?rops?\b|\brops?\b[^?.]*\bservice level\b",
        "inventory",
    ),
    _sig(
        "demand forecast",
        r"\bforecast|\bpredict|\bprojected demand|\bwhat will\b[^?.]*\b(?:demand|sell|sales)\b|\bhow (?:much|many)\b[^?.]*\bwill (?:we|i) sell\b|\bexpected demand\b",
        "inventory",
    ),
    _sig("what-if", r"\bwhat[- ]if\b|\bsimulat|\bscenario", "inventory"),
    _sig(
        "delivery route",
        r"\broute\b|\brouting\b|\bshortest (?:path|trip|tour)\b|\bplan (?:the |my |our )?(?:today'?s |tomorrow'?s )?deliver"
        r"|\bdelivery (?:run|round)s?\b",
        "logistics",
    ),
    _sig(
        "delivery sequence",
        r"\bin (?:what|which) order\b|\b(?:deliver|visit|ship|do|handle)\w* (?:them |those |it )?first\b|\bsequence\b|\border of (?:the )?(?:stops|deliveries)\b",
        "logistics",
    ),
    _sig(
        "warehouse capacity",
        r"\bcapacity\b|\bfree (?:space|units|room)\b|\bhow full\b|\bspace left\b",
        "logistics",
        soft=True,
    ),
    _sig(
        "supplier score",
        r"\bsupplier[- ]?scores?\b|\bscorecards?\b|\brank(?:ing|ed)?\b[^?.]*\bsuppliers?\b|\bsuppliers?\b[^?.]*\brank(?:ing|ed)?\b|\bscore (?:the |our |my )?suppliers\b",
        "procurement",
    ),
    _sig(
        "supplier choice",
        rf"\bcheapest\b|\b(?:best|which|recommend(?:ed)?|preferred|alternative) suppliers?{_GAP}?(?:should {_ME} (?:buy|order|use|source|purchase)|to (?:use|buy|order))\b|\bsuppliers?{_GAP}recommend|\brecommend(?:ed)?{_GAP}?suppliers?\b|\bbest suppliers?\b|\bswitch(?:ing)? suppliers?\b",
        "procurement",
    ),
    _sig(
        "cost savings",
        r"\bcost[- ]savings?\b|\bsav(?:e|ing|ings) (?:money|cost|costs)\b|\bhow much (?:could|can|would) (?:we|i) save\b|\bsavings\b"
        r"|\bcut (?:costs?|spend(?:ing)?)\b|\breduce (?:costs?|spend(?:ing)?)\b",
        "procurement",
    ),
    _sig(
        "supplier price comparison",
        r"\bcompare\b[^?.]*\b(?:supplier|vendor)s?'?\s+(?:prices?|costs?|quotes?)\b|\b(?:supplier|vendor)s?'? (?:prices|costs) for\b",
        "procurement",
    ),
    _sig(
        "purchase trend",
        r"\b(?:spend(?:ing)?|purchas\w*|buying|procurement) trends?\b|\btrends? (?:in|of) (?:spend(?:ing)?|purchas\w*)\b",
        "procurement",
    ),
    _sig("optimization", r"\boptimi[sz]", ""),
)

#: Asking for a list (the first half of a hybrid question).
LISTING = _sig(
    "listing",
    r"^\s*(?:which|list|show|give me|find|display)\b|\bwhich\b|\bwhat (?:are|items|products|orders)\b|\blist (?:the|all|every)\b",
)

#: Business filters from the glossary that pick the rows a hybrid question works on.
FILTERS: tuple[_Signal, ...] = (
    _sig(
        "below reorder point",
        r"\bbelow (?:their |the |its |our )?reorder[- ]points?\b|\breorder (?:needed|required)\b|\bneeds? (?:to be )?reorder|\bshould (?:i|we) reorder\b|\bat or below (?:their |the )?reorder",
        "inventory",
    ),
    _sig(
        "low stock",
        r"\blow[- ](?:on[- ])?stock\b|\bbelow (?:their |the )?safety[- ]stock\b|\brunning low\b",
        "inventory",
    ),
    _sig("out of stock", r"\bout[- ]of[- ]stock\b|\bstocked out\b", "inventory"),
    _sig("stockout risk", r"\bstockout risk\b|\bat risk of (?:a )?stock", "inventory"),
    _sig("overdue orders", r"\boverdue\b|\blate orders\b|\bpast due\b", "logistics"),
    _sig(
        "due today",
        r"\bdue today\b|\bdeliveries (?:for |due )?today\b|\btoday'?s deliveries\b",
        "logistics",
    ),
    _sig(
        "open orders",
        r"\bopen (?:sales )?orders\b|\bdelayed (?:shipments|orders)\b|\bpending (?:sales )?orders\b",
        "logistics",
    ),
    _sig(
        "pending POs",
        r"\bpending (?:pos|purchase orders)\b|\bopen (?:pos|purchase orders)\b",
        "procurement",
    ),
)

#: Signs of a lookup or aggregate (raise the confidence of SQL_QUERY).
SQL_SIGNALS: tuple[_Signal, ...] = (
    _sig("count", r"\bhow many\b|\bnumber of\b|\bcount\b"),
    _sig(
        "aggregate",
        r"\btotal\b|\bsum\b|\baverage\b|\bmean\b|\brevenue\b|\bspend\b|\bunits sold\b|\bvalue\b|\brate\b",
    ),
    _sig(
        "ranking",
        r"\btop \d+\b|\bbottom \d+\b|\bhighest\b|\blowest\b|\bmost\b|\bleast\b|\bbest[- ]selling\b",
    ),
    _sig(
        "grouping",
        r"\bby (?:category|warehouse|supplier|product|month|week|day|priority|status|region|customer|country)\b|\bper (?:category|warehouse|supplier|product)\b",
    ),
    _sig(
        "time window",
        r"\b(?:this|last) (?:week|month|quarter|year)\b|\blast \d+ days\b|\byesterday\b|\btoday\b",
    ),
    _sig("lookup", r"\bwhat is\b|\bwhat are\b|\bwhat's\b|\bshow\b|\blist\b|\bwhich\b"),
)


def _matches(signals: tuple[_Signal, ...], text: str) -> list[tuple[_Signal, str]]:
    """Each signal that matches, with every distinct phrase it matched ("a', 'b")."""
    found = []
    for signal in signals:
        hits = list(dict.fromkeys(m.group(0).strip() for m in signal.pattern.finditer(text)))
        if hits:
            found.append((signal, "', '".join(hits)))
    return found


class RuleIntentClassifier:
    """Deterministic keyword rules; offline, fast, and explained in ``IntentResult.reasons``."""

    name = "rules"

    def classify(self, question: str, persona: Any = None) -> IntentResult:
        text = " ".join(question.split())
        optimization = _matches(OPTIMIZATION_SIGNALS, text)
        filters = _matches(FILTERS, text)
        listing = LISTING.pattern.search(text)
        sql = _matches(SQL_SIGNALS, text)
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
                    f"listing: '{listing.group(0).strip()}'",
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


_FOLLOW_UP = re.compile(
    "|".join(
        (
            r"^\s*(?:and|but|also|now|then|ok(?:ay)?|so|what about|how about|same|only|just|instead)\b",
            r"\binstead\b|\bsame (?:for|but|thing|question|as)\b|\bthose\b|\bthese\b|\bthem\b",
            r"\bonly (?:the|for|in|at|show)\b|\bjust (?:the|for|in|at|show)\b",
            r"^\s*(?:show|give|list)(?: me)? (?:the )?(?:top|bottom|first|last) \d+\s*[?.!]*\s*$",
            r"^\s*(?:by|per|for|in|at|from) [\w\s-]{1,40}[?.!]*\s*$",
            r"^\s*(?:this|last|next) (?:week|month|quarter|year)\s*[?.!]*\s*$",
        )
    ),
    re.IGNORECASE,
)


def asks_for_calculation(question: str) -> bool:
    """Whether the question names a calculation of its own (EOQ, route, forecast, ...)."""
    return any(s.pattern.search(question) for s in OPTIMIZATION_SIGNALS)


def looks_like_follow_up(question: str) -> bool:
    """Whether a question refines the previous one ("what about this month?", "only the express ones").

    Deliberately generous: a false positive only narrows caching to the same conversation
    context, while a missed follow-up would be answered without the plan it refines.
    """
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
