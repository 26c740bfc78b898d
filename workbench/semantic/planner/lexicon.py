"""The planner's vocabulary, built from the semantic model: phrases -> what they mean.

Concept phrases (metrics, conditions, dimensions, time grains, listings, idioms) are keyed
by their stems without ignorable words; grammar phrases ("how many", "by", "top", "more
than", "not") by their full stems. One phrase may mean several things ("on time rate" is a
sales and a supplier metric): the planner chooses by persona and context.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from workbench.semantic.model import SemanticModel
from workbench.semantic.planner.text import IGNORABLE, NUMBER_WORDS, phrase_key, tokenize_question

__all__ = ["GRAMMAR_ROLES", "Lexicon", "Target"]

GRAMMAR_ROLES = (
    "count",
    "list",
    "group",
    "total",
    "desc",
    "asc",
    "negation",
    "followup",
    "out_of_scope",
    "sort",
)

_TIME_WORDS = [
    "today",
    "yesterday",
    "tomorrow",
    "last",
    "past",
    "previous",
    "prior",
    "this",
    "current",
    "week",
    "weeks",
    "month",
    "months",
    "quarter",
    "quarters",
    "year",
    "years",
    "day",
    "days",
    "ago",
    "since",
    "until",
    "till",
    "through",
    "thru",
    "between",
    "from",
    "to",
    "date",
    "mtd",
    "ytd",
    "qtd",
    "wtd",
    "so",
    "far",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "q1",
    "q2",
    "q3",
    "q4",
    "first",
    "second",
    "third",
    "fourth",
    "trailing",
    "rolling",
    "recent",
    "before",
]


#: Words the model knows that carry meaning: never filler, so a plan that leaves one unused
#: does not answer the question (the coverage rule); known to the speller.
MEANING_WORDS = frozenset(
    ["above", "against", "amount", "amounts", "average", "avg", "below", "best", "between", "biggest", "bottom", "categories", "category", "compare", "comparison", "customer", "customers", "daily", "date", "dates", "day", "during", "fewer", "figure", "figures", "greater", "highest", "historical", "history", "item", "items", "largest", "last", "latest", "least", "less", "level", "levels", "long", "lowest", "mean", "month", "monthly", "more", "most", "order", "ordered", "over", "past", "percent", "percentage", "period", "position", "positions", "product", "products", "qty", "quantities", "quantity", "quarter", "quarterly", "rate", "ratio", "recent", "recently", "share", "since", "smallest", "status", "sum", "supplier", "suppliers", "than", "through", "time", "today", "top", "trend", "trends", "typical", "under", "unit", "units", "until", "value", "values", "versus", "vs", "warehouse", "warehouses", "week", "weekly", "within", "worst", "year", "yearly"]
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """What a concept phrase can mean: ``kind`` is metric, condition, dimension, grain, listing or phrase."""

    kind: str
    name: str


class Lexicon:
    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        concepts: dict[tuple[str, ...], list[Target]] = defaultdict(list)

        def add(phrase: str, target: Target) -> None:
            key = phrase_key(phrase)
            if key and target not in concepts[key]:
                concepts[key].append(target)

        listing_words = {phrase_key(s) for lst in model.listings.values() for s in lst.synonyms}
        for name, metric in model.metrics.items():
            # A label that is just the counted noun ("products") is a listing word, not a metric.
            if (
                metric.condition is None
                and metric.label != metric.unit
                and phrase_key(metric.label) not in listing_words
            ):
                add(metric.label, Target("metric", name))
            for s in metric.synonyms:
                add(s, Target("metric", name))
        for name, cond in model.conditions.items():
            for s in cond.synonyms:
                add(s, Target("condition", name))
        for name, dim in model.dimensions.items():
            for s in dim.synonyms:
                add(s, Target("dimension", name))
        for name, grain in model.time_grains.items():
            for s in grain.synonyms:
                add(s, Target("grain", name))
        for name, listing in model.listings.items():
            for s in listing.synonyms:
                add(s, Target("listing", name))
        for name, listing in model.listings.items():
            for column, phrases in listing.attributes:
                for s in phrases:
                    add(s, Target("attribute", f"{name}.{column}"))
        for i, idiom in enumerate(model.phrases):
            for s in idiom.synonyms:
                add(s, Target("phrase", str(i)))
        self.concepts: dict[tuple[str, ...], list[Target]] = dict(concepts)
        self.max_concept = max((len(k) for k in self.concepts), default=1)

        grammar: dict[tuple[str, ...], list[str]] = defaultdict(list)
        lang = model.language

        def add_g(phrase: str, role: str) -> None:
            key = tuple(t.stem for t in tokenize_question(phrase)) or (
                (phrase,) if phrase in {"<", ">", "<=", ">=", "="} else ()
            )
            if key and role not in grammar[key]:
                grammar[key].append(role)

        for role, words in (
            ("group", lang.group_by), ("count", lang.count), ("list", lang.list), ("total", lang.total), ("rate", lang.rate),
            ("desc", lang.descending), ("asc", lang.ascending), ("negation", lang.negation),
            ("followup", lang.followup), ("out_of_scope", lang.out_of_scope),
        ):  # fmt: skip
            for w in words:
                add_g(w, role)
        for op, words in lang.comparisons.items():
            for w in words:
                add_g(w, f"cmp:{op}")
        for w in (
            "sort by",
            "order by",
            "rank by",
            "sorted by",
            "ordered by",
            "ranked by",
            "rank",
            "sort",
            "ranking",
        ):
            add_g(w, "sort")
        for w in ("ascending", "lowest first", "smallest first", "in ascending order", "asc"):
            add_g(w, "sort_asc")
        for w in (
            "descending",
            "highest first",
            "largest first",
            "biggest first",
            "in descending order",
            "desc",
        ):
            add_g(w, "sort_desc")
        for w in ("breakdown", "break down", "distribution", "split", "mix"):
            add_g(w, "group_after")
        for w in (
            "vs", "versus", "compared to", "compared with", "compare", "comparison", "change",
            "changed", "difference between", "how did", "how has", "how have", "v", "against",
        ):  # fmt: skip
            add_g(w, "compare")
        self.grammar: dict[tuple[str, ...], list[str]] = dict(grammar)
        self.max_grammar = max((len(k) for k in self.grammar), default=1)

        vocab: set[str] = (
            set(IGNORABLE)
            | set(lang.filler)
            | set(_TIME_WORDS)
            | set(NUMBER_WORDS)
            | set(MEANING_WORDS)
        )
        for key in (*self.concepts, *self.grammar):
            vocab.update(key)
        for phrase in (
            *(s for m in model.metrics.values() for s in m.synonyms),
            *(s for c in model.conditions.values() for s in c.synonyms),
        ):
            vocab.update(t.text for t in tokenize_question(phrase))
        self.vocabulary = frozenset(w for w in vocab if w.isalpha())
