"""Cues: what the words of a question ask for, read once as part of :class:`ParsedQuestion`.

The intent rules (a lookup, a calculation for a specialist, or both), the hybrid filters,
follow-up cues and change requests are regular expressions over the question's text. They
are evaluated once, when the question is parsed; the intent classifier, the orchestrator
and the specialists read the resulting :class:`Cues`.

The overlaps are deliberate: a glossary *state* is a lookup ("below their reorder point",
"below safety stock", "what is the reorder point of P0001" reads the column), while asking
for the *value to use* is a calculation ("calculate the reorder point for P0001", "what
safety stock level should P0001 have").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FILTERS",
    "LISTING",
    "OPTIMIZATION_SIGNALS",
    "SQL_SIGNALS",
    "Cues",
    "Signal",
    "read_cues",
]


@dataclass(frozen=True)
class Signal:
    label: str
    pattern: re.Pattern[str]
    topic: str = ""
    #: A calculation that is also a glossary metric (capacity utilization): it decides
    #: OPTIMIZATION only when the question does not rank or count, which the SQL agent does.
    soft: bool = False
    #: The specialist tool that does the calculation, when one tool does.
    tool: str | None = None


#: Calculation label -> the tool that computes it (a specialist's choice when its own
#: wording rules find none: "how many units will we need next month" is a forecast).
_TOOLS = {
    "economic order quantity": "economic_order_quantity",
    "order quantity to buy": "economic_order_quantity",
    "safety stock level": "safety_stock",
    "safety stock calculation": "safety_stock",
    "reorder point calculation": "reorder_point",
    "demand forecast": "forecast_demand",
    "delivery route": "optimize_delivery_route",
    "delivery sequence": "optimize_delivery_route",
    "warehouse capacity": "calculate_warehouse_capacity",
    "supplier score": "analyze_supplier_performance",
    "supplier choice": "compare_supplier_costs",
    "cost savings": "identify_cost_savings",
    "supplier price comparison": "compare_supplier_costs",
    "purchase trend": "analyze_purchase_trends",
}


def _sig(label: str, regex: str, topic: str = "", *, soft: bool = False) -> Signal:
    return Signal(label, re.compile(regex, re.IGNORECASE), topic, soft, _TOOLS.get(label))


_CALC = r"(?:calculate|compute|recommend(?:ed|ations?)?|determine|estimate|work out|optimi[sz]e|optimal|ideal|right|suggest(?:ed)?)"
_ME = r"(?:i|we|you)"
#: Up to three words between two parts of a phrase ("calculate the optimal reorder point").
_GAP = r"(?:\s+\S+){0,3}?\s+"

#: Calculations only a specialist tool does. Strong signals: each alone decides OPTIMIZATION.
OPTIMIZATION_SIGNALS: tuple[Signal, ...] = (
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
        r"\bforecast|\bpredict|\bprojected demand|\bwhat will\b[^?.]*\b(?:demand|sell|sales)\b|\bhow (?:much|many)\b[^?.]*\bwill (?:we|i) (?:sell|need)\b|\bexpected demand\b"
        r"|\b(?:will|going to) (?:we |i )?need\b[^?.]*\bnext (?:\d+ )?(?:day|week|month|quarter)s?\b|\bdemand (?:next|for next|over the next)\b",
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
        r"\b(?:who|where|which (?:supplier|vendor))\b[^?.]*\bshould (?:i|we) (?:buy|order|source|purchase|get)\b|"
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
FILTERS: tuple[Signal, ...] = (
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
SQL_SIGNALS: tuple[Signal, ...] = (
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


def _matches(signals: tuple[Signal, ...], text: str) -> list[tuple[Signal, str]]:
    """Each signal that matches, with every distinct phrase it matched ("a', 'b")."""
    found = []
    for signal in signals:
        hits = list(dict.fromkeys(m.group(0).strip() for m in signal.pattern.finditer(text)))
        if hits:
            found.append((signal, "', '".join(hits)))
    return found


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


#: Requests to change data: the workbench only reads, so these are refused before any query.
#: An imperative verb at the start of a clause (after "please", "can you", "I want to" …)
#: with something to change after it: "mark SO-000123 as delivered", "cancel PO-000045",
#: "set the reorder point of P0001 to 50". "Cancelled orders" or "updated prices" are not.
_CHANGE_VERBS = (
    r"mark|set|update|change|modify|edit|delete|remove|drop|cancel|insert|add|create|close|"
    r"reopen|approve|reject|assign|reassign|raise|place|submit|increase|decrease|reduce|adjust|"
    r"move|transfer|rename|deactivate|activate|archive|void|refund|ship|receive|book|schedule|"
    r"put|write|record|log|register|flag|unflag|restock|replenish|reorder|order|purchase|buy"
)
_CHANGE_LEAD = (
    r"(?:(?:please|pls|plz|kindly|now|ok(?:ay)?|then|also|and|hey|hi)[,\s]+)*"
    r"(?:(?:can|could|would|will)\s+(?:you|u|we|i)\s+(?:please\s+|pls\s+)?|"
    r"(?:i\s+(?:want|need|would\s+like|'d\s+like)|we\s+(?:want|need))\s+(?:you\s+)?to\s+|"
    r"let'?s\s+|go\s+ahead\s+and\s+|help\s+me\s+)?"
)
_CHANGE_REQUEST = re.compile(
    rf"(?:^|[.;!?]\s*|\band\s+then\s+)\s*{_CHANGE_LEAD}(?P<verb>{_CHANGE_VERBS})\b"
    r"(?!\s*(?:\?|$))",
    re.IGNORECASE,
)
#: Verbs that start an ordinary question as often as a change ("order" is a noun, "show"…).
#: They count as a change only with a target and an assignment ("reorder P0001 now", "order 50 units of …").
_AMBIGUOUS_VERBS = frozenset({"order", "reorder", "restock", "replenish", "purchase", "buy", "log",
                              "record", "schedule", "ship", "receive", "book", "place", "raise",
                              "increase", "decrease", "reduce", "adjust", "move", "transfer", "close",
                              "flag", "register", "write", "put"})  # fmt: skip
_CHANGE_OBJECT = re.compile(
    r"\b(?:SO|PO)[\s#-]?\d+|\bP\d{3,5}\b|\bWH-[A-Z]+\b|\b(?:as|to)\s+(?:\w+\s+){0,2}"
    r"(?:delivered|shipped|cancel+ed|received|closed|open|paid|done|complete|completed|inactive|active|\$?\d)"
    r"|\b\d[\d,]*\s*(?:units?|pcs|pieces|cases|boxes|each)\b|\bfrom\s+(?:the\s+)?(?:system|database|list|table)",
    re.IGNORECASE,
)
#: Questions that start with a change verb but ask something ("order status by warehouse",
#: "set of products", "add up …", "order count"): nouns or phrasal uses, not commands.
_NOT_A_COMMAND = re.compile(
    r"^\s*(?:order|orders|purchase|purchases|ship|set|log|record|change|changes|update|updates|"
    r"reorder|close|move|raise|place|book|flag|transfer|schedule|receive|buy)\s+"
    r"(?:status|statuses|count|counts|volume|volumes|value|values|history|trend|trends|rate|rates|"
    r"points?|dates?|lines?|totals?|level|levels|quantity|quantities|qty|lead|of\b|by\b|per\b|in\b|"
    r"for\b|over\b|since\b|from\b|this\b|last\b|vs\b|date|times?|numbers?|ids?|up\b|price|prices|cost|costs|spend)",
    re.IGNORECASE,
)


def change_request(text: str) -> str | None:
    """The verb of a request to change data ("mark", "cancel", "set" …), or None."""
    for m in _CHANGE_REQUEST.finditer(text):
        verb = m.group("verb").lower()
        clause = text[m.start("verb") :]
        if m.start("verb") == len(text) - len(text.lstrip()) and _NOT_A_COMMAND.match(clause):
            continue
        if verb in _AMBIGUOUS_VERBS and not _CHANGE_OBJECT.search(clause):
            continue
        return verb
    return None


@dataclass(frozen=True)
class Cues:
    """What the words ask for: calculations (with topics), hybrid filters, a listing, SQL
    signs, follow-up words and a change request. Each hit keeps the phrase it matched."""

    calculations: tuple[tuple[Signal, str], ...] = ()
    filters: tuple[tuple[Signal, str], ...] = ()
    listing: str | None = None
    sql: tuple[tuple[Signal, str], ...] = ()
    follow_up_words: bool = False
    change_verb: str | None = None

    @property
    def asks_for_calculation(self) -> bool:
        return bool(self.calculations)

    @property
    def calculation_labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.label for s, _ in self.calculations))

    @property
    def tools(self) -> tuple[str, ...]:
        """The tools of the calculations asked for, in the order the rules list them."""
        return tuple(dict.fromkeys(s.tool for s, _ in self.calculations if s.tool))

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.topic for s, _ in self.calculations if s.topic))

    def to_dict(self) -> dict[str, Any]:
        return {
            "calculations": list(self.calculation_labels),
            "filters": [s.label for s, _ in self.filters],
            "listing": self.listing,
            "sql": [s.label for s, _ in self.sql],
            "follow_up_words": self.follow_up_words,
            "change_verb": self.change_verb,
        }


def read_cues(question: str) -> Cues:
    """The cues of a question's text (whitespace normalized)."""
    text = " ".join(question.split())
    listing = LISTING.pattern.search(text)
    return Cues(
        calculations=tuple(_matches(OPTIMIZATION_SIGNALS, text)),
        filters=tuple(_matches(FILTERS, text)),
        listing=listing.group(0).strip() if listing else None,
        sql=tuple(_matches(SQL_SIGNALS, text)),
        follow_up_words=bool(_FOLLOW_UP.search(text)),
        change_verb=change_request(text),
    )
