"""The offline planner: business language -> :class:`QueryPlan`, deterministic, no network.

How a question is read:

1. screen it (empty, too long, SQL, prompt injection);
2. split it into tokens (stems, numbers), fix typos against the vocabulary;
3. find candidates in four layers: time expressions, concepts of the semantic model
   (metrics, conditions, dimensions, listings, idioms — all from ``model.yaml``), entities
   named in the data (warehouses, products, suppliers …) and grammar words ("how many",
   "by", "top", "more than", "not");
4. keep the longest non-overlapping candidates;
5. interpret: a subject (metric, condition or listed entity), groupings, filters, the time
   window, ordering and limit; choose between meanings by persona and context;
6. refuse instead of guessing when words remain that it does not know, and check the
   persona may read every table the plan needs.

Follow-ups ("what about last month?", "only the express ones", "by category instead")
refine the previous plan instead of starting over.
"""

from __future__ import annotations

import calendar
import copy
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from workbench.core.errors import NotUnderstoodError, PermissionDeniedError
from workbench.data.schema import ORDER_STATUSES, PERSONA_TABLES, PO_STATUSES, Persona
from workbench.semantic.compiler import PlanCompiler, PlanError
from workbench.semantic.cues import Cues, read_cues
from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.model import TIME_GRAINS, SemanticModel, load_model
from workbench.semantic.plan import Filter, MetricFilter, Ordering, QueryPlan
from workbench.semantic.planner.lexicon import Lexicon, Target
from workbench.semantic.planner.screen import OutOfScopeError, screen_question
from workbench.semantic.planner.text import (
    IGNORABLE,
    Speller,
    Token,
    normalize_shorthand,
    tokenize_question,
)
from workbench.semantic.planner.text import phrase_key as _phrase_key
from workbench.semantic.question import ChangeNotSupportedError, ParsedQuestion, Quantity
from workbench.semantic.time import TimeWindow, find_time_windows

if TYPE_CHECKING:
    from workbench.warehouse.base import Warehouse

__all__ = ["OfflinePlanner", "is_followup"]

DEFAULT_TOP_N = 10

# Which data a table holds, in words a business user knows.
_TABLE_WORDS = {
    "purchase_order_header": "purchase-order data",
    "purchase_order_line": "purchase-order data",
    "supplier": "supplier data",
    "sales_order_header": "sales-order data",
    "sales_order_line": "sales-order data",
    "warehouse_product": "inventory data",
    "product": "product data",
    "warehouse": "warehouse data",
}
_ENTITY_DIMENSION = {
    "warehouse": "warehouse", "product": "product", "category": "category", "supplier": "supplier",
    "customer": "customer", "order_status": "order_status", "po_status": "po_status", "priority": "priority",
    "region": "region", "city": "city", "country": "supplier_country", "product_group": "product",
}  # fmt: skip
_PROCUREMENT_WORDS = frozenset(
    {
        "supplier",
        "vendor",
        "po",
        "purchase",
        "purchasing",
        "procurement",
        "receipt",
        "received",
        "receive",
        "buy",
        "bought",
        "spend",
        "spent",
    }
)
_SALES_WORDS = frozenset(
    {
        "customer",
        "client",
        "sales",
        "sale",
        "sold",
        "sell",
        "delivery",
        "deliver",
        "delivered",
        "shipment",
        "shipped",
        "express",
        "revenue",
    }
)
_INVENTORY_WORDS = frozenset(
    {
        "stock",
        "inventory",
        "on",
        "hand",
        "available",
        "reserved",
        "reorder",
        "stocked",
        "shelf",
        "position",
    }
)
_LIST_WHICH = frozenset({"which", "what", "who", "where"})
_PREPOSITIONS = frozenset(
    {
        "from",
        "for",
        "of",
        "with",
        "by",
        "per",
        "in",
        "at",
        "to",
        "on",
        "each",
        "every",
        "across",
        "about",
        "via",
        "through",
        "without",
        "excluding",
        "except",
        "among",
        "like",
    }
)
#: Words that attach a measure to listed rows ("orders with their value").
_WITH_WORDS = frozenset({"with", "including", "incl", "plus", "showing", "and"})
_QUANTITY_WORDS = frozenset({"unit", "qty", "quantity", "piece", "pc", "pcs", "ea", "each_unit"})
_AVERAGE_WORDS = frozenset({"average", "avg", "mean", "typical"})
_LAYER_PRIORITY = {"time": 0, "concept": 1, "entity": 2, "grammar": 3, "number": 4}
_NOT_UNDERSTOOD = "I could not understand that question well enough to answer it reliably."
# Sales-order and purchase-order numbers ("SO-000123", "po 45").
_DOCUMENT_ID = re.compile(r"\b(SO|PO)[\s#-]?(\d{1,9})\b", re.IGNORECASE)


@dataclass
class _Cand:
    start: int  # first token index
    end: int  # last token index (inclusive)
    layer: str
    payload: Any
    negated: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass
class _Analysis:
    question: str
    tokens: list[Token]
    chosen: list[_Cand]
    unknown: list[int]
    corrections: dict[int, str] = field(default_factory=dict)
    #: Token positions a rule outside the candidates explained ("the month before").
    claimed: set[int] = field(default_factory=set)

    def of(self, layer: str) -> list[_Cand]:
        return [c for c in self.chosen if c.layer == layer]

    def grammar(self, role: str) -> list[_Cand]:
        return [c for c in self.chosen if c.layer == "grammar" and role in c.payload]

    def has(self, role: str) -> bool:
        return bool(self.grammar(role))

    def concepts(self, *kinds: str) -> list[_Cand]:
        return [
            c
            for c in self.chosen
            if c.layer == "concept" and any(t.kind in kinds for t in c.payload)
        ]

    def next_after(self, cand: _Cand, *, skip: frozenset[str] = IGNORABLE) -> _Cand | None:
        """The next chosen candidate after ``cand``, skipping ignorable words only."""
        pos = cand.end + 1
        while (
            pos < len(self.tokens)
            and self.tokens[pos].text in skip
            and not any(c.start == pos for c in self.chosen)
        ):
            pos += 1
        return next((c for c in self.chosen if c.start == pos), None)

    def prev_before(self, cand: _Cand) -> _Cand | None:
        pos = cand.start - 1
        while (
            pos >= 0
            and self.tokens[pos].text in IGNORABLE
            and not any(c.end == pos for c in self.chosen)
        ):
            pos -= 1
        return next((c for c in self.chosen if c.end == pos), None)

    def words(self) -> set[str]:
        return {t.stem for t in self.tokens} | {t.text for t in self.tokens}


@dataclass
class _Reading:
    """What the analysis says, before it becomes a plan."""

    metrics: list[str] = field(default_factory=list)
    metric_cands: list[_Cand] = field(default_factory=list)
    conditions: list[tuple[str, bool]] = field(default_factory=list)  # (name, negated)
    phrase: Any = None
    phrase_cand: _Cand | None = None
    listing: str | None = None
    listing_cand: _Cand | None = None
    dims: list[str] = field(default_factory=list)
    order: list[Ordering] = field(default_factory=list)
    limit: int | None = None
    having: list[MetricFilter] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    window: TimeWindow | None = None
    count_intent: bool = False
    notes: list[str] = field(default_factory=list)
    #: "this month vs last month": the grain of the periods compared (one row each).
    comparison_grain: str | None = None


def is_followup(question: str) -> bool:
    """Whether the words of ``question`` read as a follow-up ("what about last month?")."""
    return _default_planner().is_followup(question)


_DEFAULT: OfflinePlanner | None = None
_DEFAULT_LOCK = threading.Lock()


def _default_planner() -> OfflinePlanner:
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = OfflinePlanner()
        return _DEFAULT


class OfflinePlanner:
    """Deterministic question -> plan for one semantic model.

    ``entities`` is an :class:`EntityIndex`, or a callable returning the current one (the
    SQL agent passes ``lambda: EntityIndex.from_warehouse(wh)`` so new data is picked up).
    """

    name = "offline"

    def __init__(
        self,
        model: SemanticModel | None = None,
        entities: EntityIndex | Callable[[], EntityIndex] | None = None,
        *,
        compiler: PlanCompiler | None = None,
        max_unknown_ratio: float = 0.0,
    ) -> None:
        self.model = model or load_model()
        self.lexicon = Lexicon(self.model)
        self.compiler = compiler or PlanCompiler(self.model)
        self._entities = entities
        self.max_unknown_ratio = max_unknown_ratio
        self._speller_cache: tuple[int, Speller] | None = None
        # One-word names of dimensions ("supplier", "warehouse"), to spot a grouping noun.
        self._word_dims: dict[str, list[str]] = {}
        for dim in self.model.dimensions.values():
            for syn in dim.synonyms:
                key = _phrase_key(syn)
                if len(key) == 1 and dim.name not in self._word_dims.setdefault(key[0], []):
                    self._word_dims[key[0]].append(dim.name)

    @classmethod
    def for_warehouse(
        cls,
        warehouse: Warehouse,
        model: SemanticModel | None = None,
        *,
        tables: frozenset[str] | None = None,
    ) -> OfflinePlanner:
        """A planner that knows the entity names in ``warehouse`` (only from ``tables`` when given)."""
        return cls(model, lambda: EntityIndex.from_warehouse(warehouse, tables=tables))

    # -- public API -------------------------------------------------------------------------
    def entity_index(self) -> EntityIndex:
        if self._entities is None:
            return EntityIndex(())
        return self._entities if isinstance(self._entities, EntityIndex) else self._entities()

    def parse(
        self, question: str, *, as_of: date, persona: Persona | str | None = None
    ) -> ParsedQuestion:
        """The one reading of ``question`` that intent routing, this planner and the
        specialists share (see :mod:`workbench.semantic.question`)."""
        who = Persona.parse(persona).value if persona is not None else None
        try:
            text = normalize_shorthand(screen_question(question))
        except NotUnderstoodError as err:
            # A request to act ("cancel PO-000045") keeps its cue: it is refused as a change.
            acting = err.code == "action_not_supported"
            return ParsedQuestion(
                text=str(question or ""),
                as_of=as_of,
                persona=who,
                screen_error=err,
                cues=read_cues(str(question)) if acting else Cues(),
            )
        cues = read_cues(text)
        documents = tuple(
            dict.fromkeys(f"{p.upper()}-{int(n):06d}" for p, n in _DOCUMENT_ID.findall(text))
        )
        index = self.entity_index()
        a = self._analyse(text, as_of, index)
        subject = [
            c
            for c in a.concepts("metric", "condition", "phrase", "listing", "attribute")
            if not self._after_cue(a, c)
        ]
        numbers = tuple(
            Quantity(
                t.number,
                "percent" if t.percent else "money" if t.money else None,
                t.start,
                t.end,
                text[t.start : t.end],
            )
            for t in a.tokens
            if t.number is not None
        )
        return ParsedQuestion(
            text=text,
            as_of=as_of,
            persona=who,
            tokens=tuple((t.text, t.stem, t.start, t.end) for t in a.tokens),
            corrections=tuple(
                (text[a.tokens[i].start : a.tokens[i].end], w) for i, w in a.corrections.items()
            ),
            entities=tuple(c.payload for c in a.of("entity")),
            time_windows=tuple(c.payload for c in a.of("time")),
            numbers=numbers,
            documents=documents,
            cues=cues,
            unknown_words=tuple(a.tokens[i].text for i in a.unknown),
            has_subject=bool(subject) or bool(documents),
            refines=self._followup(a),
            analysis=a,
            entity_index=index,
        )

    def plan(
        self,
        question: str,
        *,
        persona: Persona | str,
        as_of: date,
        previous: QueryPlan | None = None,
        parsed: ParsedQuestion | None = None,
        previous_keys: dict[str, tuple[Any, ...]] | None = None,
    ) -> QueryPlan:
        """The plan for ``question`` (or its ``parsed`` reading, when the caller has one);
        raises NotUnderstoodError / PermissionDeniedError."""
        persona = Persona.parse(persona)
        if parsed is None or (parsed.analysis is None and parsed.screen_error is None):
            parsed = self.parse(question, as_of=as_of, persona=persona)
        if parsed.screen_error is not None:
            raise parsed.screen_error
        if parsed.cues.change_verb:
            raise ChangeNotSupportedError(parsed.cues.change_verb)
        analysis = copy.deepcopy(parsed.analysis)
        if parsed.documents:
            return self._document_plan(parsed, analysis, persona, as_of)
        if previous is not None and parsed.follows_up:
            plan = self._refine(previous, analysis, persona, as_of)
            if previous_keys and parsed.points_at_rows and "instead" not in parsed.words:
                plan = self._scope_to_previous(plan, previous, previous_keys)
        else:
            plan = self._build(analysis, persona, as_of)
        return self._finish(plan, analysis, persona)

    def is_followup(self, question: str) -> bool:
        return self.parse(question, as_of=date.today()).follows_up

    def suggestions(self, question: str, persona: Persona | str, limit: int = 3) -> list[str]:
        """The persona's example questions closest to ``question``."""
        examples = list(self.model.persona_examples.get(Persona.parse(persona).value, ()))
        if not examples:
            return []
        if not question.strip():
            return examples[:limit]
        ranked = process.extract(question[:500], examples, scorer=fuzz.token_set_ratio, limit=limit)
        return [r[0] for r in ranked]

    # -- analysis ----------------------------------------------------------------------------
    def _speller(self, index: EntityIndex) -> Speller:
        key = id(index)
        if self._speller_cache is None or self._speller_cache[0] != key:
            # Typos are fixed towards business words only; names have their own fuzzy matching,
            # and their words count as known so they are never "corrected".
            names: set[str] = set()
            for record in index.records:
                for text in (record.name, *record.aliases, *record.exact_aliases, record.id):
                    names.update(t.text for t in tokenize_question(text))
            self._speller_cache = (key, Speller(self.lexicon.vocabulary, known=names))
        return self._speller_cache[1]

    def _analyse(self, question: str, as_of: date, index: EntityIndex | None = None) -> _Analysis:
        index = index if index is not None else self.entity_index()
        speller = self._speller(index)
        tokens = tokenize_question(question)
        corrections: dict[int, str] = {}
        for i, tok in enumerate(tokens):
            if (
                tok.number is None
                and tok.text.isalpha()
                and not speller.known(tok.text)
                and not speller.known(tok.stem)
            ):
                fixed = speller.correct(tok.text)
                if fixed:
                    corrections[i] = fixed
        # A corrected copy of the question, with each token's span in it.
        text = question
        spans = [(t.start, t.end) for t in tokens]
        if corrections:
            pieces, pos, new_spans = [], 0, []
            for i, tok in enumerate(tokens):
                pieces.append(question[pos : tok.start])
                start = sum(len(p) for p in pieces)
                word = corrections.get(i, question[tok.start : tok.end])
                pieces.append(word)
                new_spans.append((start, start + len(word)))
                pos = tok.end
            pieces.append(question[pos:])
            text, spans = "".join(pieces), new_spans
            tokens = [
                Token(
                    corrections[i],
                    _stem(corrections[i]),
                    t.start,
                    t.end,
                    t.number,
                    t.percent,
                    t.money,
                )
                if i in corrections
                else t
                for i, t in enumerate(tokens)
            ]

        def token_range(a: int, b: int) -> tuple[int, int] | None:
            inside = [i for i, (s, e) in enumerate(spans) if s < b and a < e]
            return (inside[0], inside[-1]) if inside else None

        cands: list[_Cand] = []
        for window, (a, b) in find_time_windows(text, as_of):
            rng = token_range(a, b)
            if rng:
                cands.append(_Cand(rng[0], rng[1], "time", window))
        for match in index.find(text):
            rng = token_range(*match.span)
            if rng:
                cands.append(_Cand(rng[0], rng[1], "entity", match))
        # Concepts: on stems, skipping ignorable words.
        reduced = [
            i for i, t in enumerate(tokens) if t.text not in IGNORABLE and t.stem not in IGNORABLE
        ]
        stems = [tokens[i].stem for i in reduced]
        for k in range(len(reduced)):
            for n in range(min(self.lexicon.max_concept, len(reduced) - k), 0, -1):
                targets = self.lexicon.concepts.get(tuple(stems[k : k + n]))
                if targets:
                    cands.append(_Cand(reduced[k], reduced[k + n - 1], "concept", list(targets)))
        full = [t.stem for t in tokens]
        texts = [t.text for t in tokens]
        for k in range(len(tokens)):
            for n in range(min(self.lexicon.max_grammar, len(tokens) - k), 0, -1):
                roles = self.lexicon.grammar.get(tuple(texts[k : k + n])) or [
                    role
                    for role in self.lexicon.grammar.get(tuple(full[k : k + n]), ())
                    # "orders by status" is not "order by status": sorting cues only as typed.
                    if role not in {"sort", "followup"} or full[k : k + n] == texts[k : k + n]
                ]
                if roles:
                    cands.append(_Cand(k, k + n - 1, "grammar", list(roles)))
        for i, tok in enumerate(tokens):
            if tok.number is not None:
                cands.append(_Cand(i, i, "number", tok))
        cands = self._bind_compounds(cands, tokens)
        cands = _statuses_as_typed(cands, tokens, question)
        chosen = _segment(
            cands, len(tokens), [t.text in IGNORABLE or t.stem in IGNORABLE for t in tokens]
        )
        taken = [False] * len(tokens)
        for c in chosen:
            for i in range(c.start, c.end + 1):
                taken[i] = True
        filler = self.model.language.filler
        unknown = [
            i
            for i, t in enumerate(tokens)
            if not taken[i]
            and t.text not in IGNORABLE
            and t.text not in filler
            and t.stem not in filler
            and not _inflects(t.text, filler)
            and t.number is None
        ]
        analysis = _Analysis(question, tokens, chosen, unknown, corrections)
        self._mark_negations(analysis)
        return analysis

    def _bind_compounds(self, cands: list[_Cand], tokens: list[Token]) -> list[_Cand]:
        """An entity noun that starts a compound ("customer orders", "supplier lead time")
        belongs to the compound, not to a phrase ending on it ("how many customer")."""
        compound_starts = {
            c.start
            for c in cands
            if c.layer == "concept"
            and c.length >= 2
            and any(t.kind in {"listing", "metric", "condition"} for t in c.payload)
        }
        return [
            c
            for c in cands
            if not (
                c.layer == "concept"
                and c.length >= 2
                and c.end in compound_starts
                and not tokens[c.end].plural
                and tokens[c.end].stem in self._word_dims
            )
        ]

    def _mark_negations(self, a: _Analysis) -> None:
        """Attach "not"/"excluding" to the condition or entity right after it."""
        for neg in a.grammar("negation"):
            target = a.next_after(neg, skip=IGNORABLE | {"in", "at", "for", "from", "the", "yet"})
            if target is not None and target.layer in {"concept", "entity"}:
                target.negated = True
                neg.payload = ["negation_used"]

    # -- follow-ups ---------------------------------------------------------------------------
    def _followup(self, a: _Analysis) -> bool:
        if not a.tokens:
            return False
        starts = [c for c in a.grammar("followup") if c.start <= 1] + [
            c for c in a.grammar("group") + a.grammar("sort") if c.start == 0
        ]
        subject = [
            c for c in a.concepts("metric", "condition", "phrase") if not self._after_cue(a, c)
        ]
        nouns = [c for c in a.concepts("listing") if not self._after_cue(a, c)]
        if starts or (
            a.grammar("followup")
            and any(t.text in {"instead", "too", "also", "again"} for t in a.tokens)
        ):
            return True
        refinements = (
            a.of("time")
            or a.of("entity")
            or a.grammar("group")
            or a.grammar("sort")
            or a.grammar("desc")
            or a.grammar("asc")
        )
        pronoun = any(
            t.text in {"those", "them", "these", "ones", "same", "that", "it"} for t in a.tokens
        )
        if not subject and not nouns and (refinements or pronoun):
            return True
        return bool(pronoun and not subject and refinements)

    @staticmethod
    def _after_cue(a: _Analysis, c: _Cand) -> bool:
        """Whether a concept follows "by"/"sort by"/"per" (a grouping or an ordering, not a subject)."""
        prev = a.prev_before(c)
        return (
            prev is not None
            and prev.layer == "grammar"
            and bool({"group", "sort"} & set(prev.payload))
        )

    def _refine(
        self, previous: QueryPlan, a: _Analysis, persona: Persona, as_of: date
    ) -> QueryPlan:
        """Apply the follow-up's changes to the previous plan."""
        subject = [c for c in a.concepts("metric", "phrase") if not self._after_cue(a, c)] or [
            c for c in a.concepts("condition") if not _weak(c)
        ]
        plan = previous.with_(
            as_of=as_of, question=a.question, notes=("Refined the previous question.",)
        )
        if subject:
            fresh = self._read(a, persona, as_of, allow_empty=True)
            if fresh.metrics and previous.kind == "metrics" and not fresh.conditions:
                keep_dims = fresh.dims or [
                    d for d in previous.dimensions if self._dim_ok(d, fresh.metrics)
                ]
                plan = plan.with_(
                    metrics=tuple(fresh.metrics),
                    dimensions=tuple(keep_dims),
                    order_by=(),
                    having=(),
                )
            else:
                built = self._build(a, persona, as_of)
                inherited = [f for f in previous.filters if built.filter_for(f.field) is None]
                plan = built.with_(
                    time_window=built.time_window or previous.time_window,
                    filters=tuple(built.filters) + tuple(inherited),
                    notes=("Refined the previous question.",),
                )
                return self._validated_filters(plan)
        reading = self._read(a, persona, as_of, allow_empty=True, base=plan)
        # Time window.
        same_last_year = previous.time_window is not None and _SAME_LAST_YEAR.search(a.question)
        if reading.window is not None and not same_last_year:
            plan = plan.with_(time_window=reading.window)
        elif previous.time_window is not None:
            # "and the month before?", "same period last year": a shift of the previous window.
            found = _shifted_window(a.question, previous.time_window, as_of)
            if found is not None:
                shifted, (lo, hi) = found
                plan = plan.with_(time_window=shifted)
                # The words of the shift are explained by it.
                inside = {i for i, t in enumerate(a.tokens) if lo <= t.start < hi}
                a.unknown = [i for i in a.unknown if i not in inside]
                a.claimed |= inside
        # Filters: a new value for a dimension replaces the old one, unless "too"/"also".
        additive = any(t.text in {"too", "also", "well", "plus"} for t in a.tokens)
        filters = list(plan.filters)
        for flt in reading.filters:
            old = next((f for f in filters if f.field == flt.field), None)
            if old is not None:
                filters.remove(old)
                if additive and old.op == flt.op:
                    flt = Filter(
                        flt.field,
                        flt.op,
                        tuple(dict.fromkeys((*old.values, *flt.values))),
                        f"{old.label} and {flt.label}",
                    )
            filters.append(flt)
        plan = plan.with_(filters=tuple(filters))
        # Conditions ("only the overdue ones").
        for name, negated in reading.conditions:
            if negated and name not in plan.negated_conditions:
                plan = plan.with_(negated_conditions=(*plan.negated_conditions, name))
            elif not negated and name not in plan.conditions:
                plan = plan.with_(conditions=(*plan.conditions, name))
        # Grouping ("by category instead").
        if reading.dims:
            base_metrics = (
                list(plan.metrics)
                if plan.kind == "metrics"
                else [self._count_metric_for_listing(plan)]
            )
            reading.dims = [
                self._resolve_dim(d, base_metrics, [(c, False) for c in plan.conditions])
                for d in reading.dims
            ]
            if plan.kind == "listing":
                metric = self._count_metric_for_listing(plan)
                plan = QueryPlan(kind="metrics", metrics=(metric,), dimensions=tuple(reading.dims), filters=plan.filters,
                                 conditions=tuple(c for c in plan.conditions if self.model.metrics[metric].condition != c),
                                 negated_conditions=plan.negated_conditions, time_window=plan.time_window, as_of=as_of,
                                 question=a.question, notes=plan.notes)  # fmt: skip
            else:
                plan = plan.with_(
                    dimensions=tuple(reading.dims),
                    order_by=tuple(o for o in plan.order_by if o.field in plan.metrics),
                )
        # Ordering and limit ("top 3 instead", "sort by revenue").
        if reading.order:
            order = []
            metrics = list(plan.metrics)
            for o in reading.order:
                if (
                    plan.kind == "metrics"
                    and o.field in self.model.metrics
                    and o.field not in metrics
                ):
                    metrics.append(o.field)
                order.append(o)
            plan = (
                plan.with_(metrics=tuple(metrics), order_by=tuple(order))
                if plan.kind == "metrics"
                else plan.with_(order_by=tuple(order))
            )
        if reading.limit is not None:
            plan = plan.with_(limit=reading.limit)
            if not plan.order_by and plan.kind == "metrics":
                plan = plan.with_(order_by=(Ordering(plan.metrics[0], True),))
        if reading.having and plan.kind == "metrics":
            plan = plan.with_(having=tuple(h for h in reading.having if h.metric in plan.metrics))
        if plan.kind == "listing" and a.has("count") and not reading.dims:
            # "late deliveries last month" / "how many of those were for Thornton": count the rows.
            metric = self._count_metric_for_listing(plan)
            plan = QueryPlan(kind="metrics", metrics=(metric,), filters=plan.filters,
                             conditions=tuple(c for c in plan.conditions if self.model.metrics[metric].condition != c),
                             negated_conditions=plan.negated_conditions, time_window=plan.time_window, as_of=as_of,
                             question=a.question, notes=plan.notes)  # fmt: skip
        changed = plan.with_(question="", notes=()) != previous.with_(
            as_of=as_of, question="", notes=()
        )
        if not changed:
            raise NotUnderstoodError(
                "I could not tell what to change in the previous question. Try 'what about last month?', "
                "'only the express ones', 'by category instead' or 'show the top 3'.",
                suggestions=self.suggestions(a.question, persona),
            )
        return self._validated_filters(plan)

    @staticmethod
    def _scope_to_previous(
        plan: QueryPlan, previous: QueryPlan, keys: dict[str, tuple[Any, ...]]
    ) -> QueryPlan:
        """ "Which of these are HVAC" after a top 5: the rows the previous answer showed.

        Only when the previous answer showed a subset (a top N or a threshold); otherwise
        the refined plan already covers the same rows.
        """
        if previous.limit is None and not previous.having:
            return plan
        for field_name, values in keys.items():
            if not values or len(values) > 1000 or plan.filter_for(field_name) is not None:
                continue
            label = f"the {len(values)} in the previous answer"
            plan = plan.with_(
                filters=(*plan.filters, Filter(field_name, "in", tuple(values), label)),
                limit=None if plan.limit == previous.limit else plan.limit,
                having=() if plan.having == previous.having else plan.having,
            )
        return plan

    def _dim_ok(self, dim: str, metrics: Sequence[str]) -> bool:
        if dim in TIME_GRAINS:
            return True
        sources = {s for m in metrics for s in self.model.metric_sources(m)}
        return all(s in self.model.dimension_sources(dim) for s in sources)

    def _count_metric_for_listing(self, plan: QueryPlan) -> str:
        for cond in plan.conditions:
            metric = next(
                (m.name for m in self.model.metrics.values() if m.condition == cond), None
            )
            if metric:
                return metric
        listing = self.model.listings[plan.listing or ""]
        if listing.count_metric is None:
            raise NotUnderstoodError(f"{listing.label.capitalize()} cannot be counted by group.")
        return listing.count_metric

    # -- reading -------------------------------------------------------------------------------
    def _choose(
        self, targets: Sequence[Target], kinds: set[str], persona: Persona, a: _Analysis
    ) -> Target | None:
        """Among a phrase's meanings, the one that fits the persona and the question's context."""
        options = [t for t in targets if t.kind in kinds]
        if len(options) <= 1:
            return options[0] if options else None
        words = a.words()
        entity_kinds = {c.payload.kind for c in a.of("entity")}
        procurement = bool(words & _PROCUREMENT_WORDS) or bool(
            entity_kinds & {"supplier", "po_status"}
        )
        sales = bool(words & _SALES_WORDS) or bool(
            entity_kinds & {"customer", "order_status", "priority"}
        )
        allowed = PERSONA_TABLES[persona]

        def score(t: Target) -> tuple[int, int]:
            tables = self._target_tables(t)
            domain = (
                "procurement"
                if tables & {"purchase_order_header", "purchase_order_line", "supplier"}
                else "sales"
                if tables & {"sales_order_header", "sales_order_line"}
                else "inventory"
            )
            context = (domain == "procurement" and procurement) or (domain == "sales" and sales)
            return (2 * int(context) + int(tables <= allowed), -options.index(t))

        return max(options, key=score)

    def _target_tables(self, t: Target) -> frozenset[str]:
        if t.kind == "metric":
            return self.model.metric_tables(t.name)
        if t.kind == "condition":
            return self.model.condition_tables(t.name)
        if t.kind == "listing":
            return self.model.listing_tables(t.name)
        if t.kind == "phrase":
            return self.model.metric_tables(self.model.phrases[int(t.name)].metric)
        return frozenset()

    def _read(
        self,
        a: _Analysis,
        persona: Persona,
        as_of: date,
        *,
        allow_empty: bool = False,
        base: QueryPlan | None = None,
    ) -> _Reading:
        model = self.model
        r = _Reading()
        r.count_intent = a.has("count")
        # Subjects: idioms, metrics, conditions.
        for c in a.concepts("phrase"):
            t = self._choose(c.payload, {"phrase"}, persona, a)
            if t is not None and r.phrase is None:
                r.phrase, r.phrase_cand = model.phrases[int(t.name)], c
        strong_conditions = [c for c in a.concepts("condition") if not _weak(c)]
        for c in a.concepts("metric"):
            if c is r.phrase_cand:
                continue
            cond_t = self._choose(c.payload, {"condition"}, persona, a)
            # The rows the condition describes are named ("which orders …", "orders delivered …").
            rows_of_condition = cond_t is not None and any(
                (t.kind == "listing" and self.model.listings[t.name].source == source)
                or (t.kind == "condition" and self.model.conditions[t.name].source == source)
                for other in a.concepts("listing", "condition")
                if other is not c
                for t in other.payload
                for source in [self.model.conditions[cond_t.name].source]
            )
            if (
                cond_t is not None
                and (r.count_intent or (a.has("list") and rows_of_condition))
                and not a.has("rate")
                and self._target_tables(cond_t) <= PERSONA_TABLES[persona]
            ):
                # "how many orders were delivered on time", "which orders were on time": a
                # condition and a rate; counted or listed, it is the condition.
                if cond_t.name not in [n for n, _ in r.conditions]:
                    r.conditions.append((cond_t.name, c.negated))
                continue
            t = self._choose(c.payload, {"metric"}, persona, a)
            allowed = PERSONA_TABLES[persona]
            cond = self._choose(c.payload, {"condition"}, persona, a)
            if (
                t is not None
                and not self._target_tables(t) <= allowed
                and cond is not None
                and self._target_tables(cond) <= allowed
            ):
                # "on-time delivery %": the persona's condition (and its rate), not another persona's metric.
                continue
            if t is not None and t.name not in r.metrics:
                r.metrics.append(t.name)
                r.metric_cands.append(c)
        for c in strong_conditions:
            if c in r.metric_cands:
                continue
            t = self._choose(c.payload, {"condition"}, persona, a)
            if t is not None and t.name not in [n for n, _ in r.conditions]:
                r.conditions.append((t.name, c.negated))
        if not strong_conditions and not r.metrics and not r.phrase:
            for c in a.concepts("condition"):
                t = self._choose(c.payload, {"condition"}, persona, a)
                if t is not None:
                    r.conditions.append((t.name, c.negated))
                    break
        # "today's deliveries" are the ones due today (nothing has been delivered yet today).
        if (
            windows_today(a, as_of)
            and [n for n, _ in r.conditions] == ["delivered_order"]
            and not r.metrics
            and "due_today" in model.conditions
        ):
            r.conditions = [("due_today", False)]
        if r.phrase is not None and r.metrics and r.phrase.metric not in r.metrics:
            # "top customers by units sold": the measure named ranks; the idiom keeps its
            # grouping and direction.
            r.phrase = replace(r.phrase, metric=r.metrics[0])
        if r.phrase is not None and r.phrase.metric not in r.metrics:
            r.metrics.insert(0, r.phrase.metric)
        # A metric that is also a condition ("delivered on time"): the condition when counting or listing.
        if r.metrics and r.conditions and (r.count_intent or a.has("list")):
            pass
        # Time.
        windows = [c.payload for c in a.of("time")]
        if windows:
            r.window = _merge_windows(windows)
            compared = len(windows) > 1 and a.has("compare")
            if compared:
                # "revenue this month vs last month": one row per period, when the periods are
                # whole calendar periods of one grain that follow each other.
                grains = {_period_grain(w, as_of) for w in windows}
                grain = grains.pop() if len(grains) == 1 else None
                if grain is None or r.window is None:
                    r.window = None
                else:
                    r.comparison_grain = grain
            if r.window is None:
                raise NotUnderstoodError(
                    "Comparing separate periods in one question is not supported yet; ask about each period separately "
                    f"(for example '... {windows[0].describe()}' and '... {windows[1].describe()}').",
                    suggestions=self.suggestions(a.question, persona),
                )
        # Entities become filters.
        by_dim: dict[tuple[str, bool], list[EntityMatch]] = {}
        for c in a.of("entity"):
            m: EntityMatch = c.payload
            by_dim.setdefault((_ENTITY_DIMENSION[m.kind], c.negated), []).append(m)
        for (dim, negated), matches in by_dim.items():
            ids = tuple(dict.fromkeys(i for m in matches for i in m.id.split(",")))
            label = " and ".join(dict.fromkeys(m.name for m in matches))
            r.filters.append(Filter(dim, "not_in" if negated else "in", ids, label))
        # Groupings, orderings, comparisons.
        self._read_groupings(a, r, persona)
        if r.comparison_grain is not None:
            _add(r.dims, r.comparison_grain)
        if a.has("compare"):
            # "express vs standard", "east compared to west": one row per value compared.
            for f in r.filters:
                if f.op == "in" and len(f.values) > 1 and f.field in model.dimensions:
                    _add(r.dims, f.field)
        self._read_ordering(a, r, persona, base)
        self._read_comparisons(a, r, base)
        self._read_existence(a, r)
        self._read_plural_measures(a, r)
        if (
            r.count_intent
            and [n for n, _ in r.conditions] == ["in_stock"]
            and not r.metrics
            and any(f.field == "product" for f in r.filters)
        ):
            r.conditions = []  # "how many cordless drills are in stock": units, not positions
        if (
            not (r.metrics or r.conditions or a.concepts("listing"))
            and r.count_intent
            and any(f.field == "product" and f.op == "in" for f in r.filters)
        ):
            # "how many cordless drills do we have": units in stock of those products.
            r.metrics.append("on_hand")
        if not allow_empty and not (
            r.metrics or r.conditions or r.dims or a.concepts("listing", "attribute")
        ):
            raise NotUnderstoodError(
                _NOT_UNDERSTOOD, suggestions=self.suggestions(a.question, persona)
            )
        return r

    def _noun_dims(self, c: _Cand, persona: Persona, a: _Analysis) -> list[str]:
        return [t.name for t in c.payload if t.kind == "dimension"]

    def _read_groupings(self, a: _Analysis, r: _Reading, persona: Persona) -> None:
        cues = list(a.grammar("group"))
        # "by month and warehouse": a grouping word joined by "and" continues the grouping.
        for c in a.concepts("dimension", "grain"):
            joiner = c.start - 1
            if joiner > 0 and a.tokens[joiner].text in {"and", "then"}:
                before = next((x for x in a.chosen if x.end == joiner - 1), None)
                if (
                    before is not None
                    and before.layer == "concept"
                    and any(t.kind in {"dimension", "grain"} for t in before.payload)
                ):
                    before_cue = a.prev_before(before)
                    if before_cue is not None and before_cue in cues:
                        cues.append(_Cand(joiner, joiner, "grammar", ["group"]))
        for cue in cues:
            nxt = a.next_after(cue)
            if nxt is None:
                # "… and the units on hand for each": each of the rows the question is about.
                if a.tokens[cue.end].text in {"each", "every"}:
                    noun = next(
                        (
                            c
                            for c in reversed(a.chosen)
                            if c.end < cue.start
                            and c.layer == "concept"
                            and self._word_dims.get(a.tokens[c.end].stem)
                        ),
                        None,
                    )
                    if noun is not None:
                        _add(r.dims, "|".join(self._word_dims[a.tokens[noun.end].stem]))
                continue
            if nxt.layer == "concept":
                grains = [t.name for t in nxt.payload if t.kind == "grain"]
                dims = self._noun_dims(nxt, persona, a)
                metric = [t for t in nxt.payload if t.kind == "metric"]
                if grains:
                    _add(r.dims, grains[0])
                elif dims:
                    _add(r.dims, "|".join(dims))
                elif (
                    metric
                    and cue.payload
                    and {"sort", "group"} & set(cue.payload)
                    and a.tokens[cue.start].text in {"by", "on"}
                ):
                    chosen = self._choose(metric, {"metric"}, persona, a)
                    if chosen is not None:
                        r.order.append(Ordering(chosen.name, True))
                        if chosen.name not in r.metrics:
                            r.metrics.append(chosen.name)
                        nxt.payload = [Target("used", chosen.name)]
                elif (
                    a.tokens[cue.start].text == "per"
                    and cue.length == 1
                    and all(t.kind == "listing" for t in nxt.payload)
                ):
                    # "units per order", "revenue per customer per order": a ratio to a count
                    # the model does not define, not a grouping; never silently dropped.
                    word = " ".join(a.tokens[i].text for i in range(nxt.start, nxt.end + 1))
                    raise NotUnderstoodError(
                        f"I can't work out an amount per {word} here, so I won't guess; "
                        f"ask for the total or the count of {word}s instead.",
                        suggestions=self.suggestions(a.question, persona),
                    )
            elif nxt.layer == "time":
                continue
            elif nxt.start in a.unknown:
                word = a.tokens[nxt.start].text
                raise NotUnderstoodError(
                    f"I cannot break the results down by '{word}': it is not something the data records.",
                    suggestions=[],
                )
        for cue in a.grammar("group_after"):
            # "order status breakdown", "category split": the grouping comes before the cue.
            before = a.prev_before(cue)
            if before is not None and before.layer == "concept":
                grains = [t.name for t in before.payload if t.kind == "grain"]
                dims = self._noun_dims(before, persona, a)
                if grains or dims:
                    _add(r.dims, grains[0] if grains else "|".join(dims))
        for cue in a.grammar("sort"):
            # "suppliers ranked by on-time rate": the noun before the cue is the grouping.
            before = a.prev_before(cue)
            if (
                before is not None
                and before.layer == "concept"
                and a.tokens[before.end].plural
                and not any(t.kind in {"metric", "condition", "phrase"} for t in before.payload)
            ):
                dims = self._noun_dims(before, persona, a)
                if dims:
                    _add(r.dims, "|".join(dims))
        for cue in a.grammar("sort"):
            # "rank suppliers by score": the noun after the cue is the grouping.
            nxt = a.next_after(cue)
            if (
                nxt is not None
                and nxt.layer == "concept"
                and not any(t.kind in {"metric", "condition", "phrase"} for t in nxt.payload)
            ):
                dims = self._noun_dims(nxt, persona, a)
                if dims:
                    _add(r.dims, "|".join(dims))
        for c in a.concepts("grain"):
            if c.payload and any(t.kind == "grain" for t in c.payload):
                text = a.tokens[c.start].text
                prev = a.prev_before(c)
                if (
                    text.endswith("ly")
                    or (c.length > 1 and text in {"per", "each", "every", "by"})
                    or text in {"annual"}
                    or (
                        prev is not None
                        and prev.layer == "grammar"
                        and {"list", "desc", "asc", "group"} & set(prev.payload)
                    )
                    or a.tokens[max(0, c.start - 1)].text in _LIST_WHICH
                ):
                    _add(r.dims, next(t.name for t in c.payload if t.kind == "grain"))
        # "which warehouse …", "top 5 products …", "products with the most …"
        superlative = a.grammar("desc") + a.grammar("asc")
        for c in a.concepts("dimension"):
            if any(t.kind in {"metric", "condition", "phrase"} for t in c.payload):
                continue
            dims = self._noun_dims(c, persona, a)
            if not dims:
                continue
            prev_words = {a.tokens[i].text for i in range(max(0, c.start - 2), c.start)}
            near_superlative = any(
                0 < c.start - s.end <= 4 or 0 < s.start - c.end <= 3 for s in superlative
            ) or any(0 < c.start - p.end <= 2 for p in a.concepts("phrase"))
            which = bool(prev_words & _LIST_WHICH)
            # "all warehouses and their capacity", "revenue for each of our warehouses": one row each.
            words_here = {t.text for t in a.tokens}
            every = a.tokens[c.end].plural and (
                bool(prev_words & {"each", "every"})
                or (
                    bool(prev_words & {"all", "list", "show"})
                    and bool(words_here & {"their", "its"})
                )
                or bool(words_here & {"each"} and prev_words & {"of"})
            )
            if which or near_superlative or every:
                c.payload = [*c.payload, Target("subject_noun", "|".join(dims))]
        # "which suppliers have a fill rate …": the noun leading a metric phrase is the grouping.
        for c in a.concepts("metric"):
            first = a.tokens[c.start]
            dims = self._word_dims.get(first.stem, [])
            prev_word = a.tokens[c.start - 1].text if c.start > 0 else ""
            last = a.tokens[c.end]
            if (
                dims
                and c.length > 1
                and (
                    prev_word in _LIST_WHICH | {"each", "every", "per", "by"}
                    or (first.plural and prev_word not in {"the", "our", "of", "for"})
                    or last.plural
                )
            ):
                c.payload = [*c.payload, Target("subject_noun", "|".join(dims))]
        # "which suppliers delivered late most often": a ranking of the noun leading a condition.
        if a.grammar("desc") or a.grammar("asc"):
            for c in a.concepts("condition"):
                first = a.tokens[c.start]
                dims = self._word_dims.get(first.stem, [])
                prev_word = a.tokens[c.start - 1].text if c.start > 0 else ""
                if dims and c.length > 1 and first.plural and prev_word in _LIST_WHICH:
                    c.payload = [*c.payload, Target("subject_noun", "|".join(dims))]

    def _read_plural_measures(self, a: _Analysis, r: _Reading) -> None:
        """ "stock levels for Safety products", "inventory values of our warehouses": a
        measure named in the plural is one figure per entity of the plural noun."""
        if r.dims or r.limit is not None:
            return
        plural_measure = any(
            a.tokens[c.end].text
            in {"levels", "values", "amounts", "quantities", "figures", "totals"}
            for c in a.concepts("metric")
        )
        if not plural_measure or not r.metrics:
            return
        for c in a.chosen:
            if c.layer != "concept" or not a.tokens[c.end].plural:
                continue
            if any(t.kind in {"metric", "condition", "phrase"} for t in c.payload):
                continue
            dims = self._word_dims.get(a.tokens[c.end].stem)
            if dims:
                _add(r.dims, "|".join(dims))
                return

    def _document_plan(
        self, parsed: ParsedQuestion, a: _Analysis, persona: Persona, as_of: date
    ) -> QueryPlan:
        """ "What's the status of order SO-000123?": the row of that order (or PO).

        The row shows the document's status and dates; any other word that asks for
        something of it ("the driver on SO-000123", "the lines of PO-000045") is not
        answered by that row, so the question is refused naming those words.
        """
        text = parsed.text
        kinds = {d.split("-", 1)[0] for d in parsed.documents}
        if len(kinds) > 1:
            raise NotUnderstoodError(
                "Ask about sales orders and purchase orders separately.",
                suggestions=self.suggestions(text, persona),
            )
        prefix = kinds.pop()
        listing, column = ("orders", "order_id") if prefix == "SO" else ("purchase_orders", "po_id")
        spans = [m.span() for m in _DOCUMENT_ID.finditer(text)]
        allowed_listing = {listing}
        unused: list[str] = []
        filler = self.model.language.filler
        for i, tok in enumerate(a.tokens):
            if any(s <= tok.start < e for s, e in spans):
                continue
            if tok.text in IGNORABLE or tok.text in filler or tok.stem in filler:
                continue
            cand = next((c for c in a.chosen if c.start <= i <= c.end), None)
            if cand is None:
                unused.append(tok.text)
                continue
            if cand.layer == "concept":
                names = {t.name for t in cand.payload}
                kinds_here = {t.kind for t in cand.payload}
                if names & allowed_listing or any(
                    t.kind == "attribute" and t.name.startswith(listing + ".") for t in cand.payload
                ):
                    continue
                if "dimension" in kinds_here and names & {"order_status", "po_status", "priority"}:
                    continue
                unused.append(tok.text)
            elif cand.layer == "grammar" and set(cand.payload) & {"list", "followup"}:
                continue
            elif cand.layer in {"entity", "time"}:
                unused.append(tok.text)
            else:
                unused.append(tok.text)
        if unused:
            words = ", ".join(repr(w) for w in dict.fromkeys(unused))
            raise NotUnderstoodError(
                f"I can show {', '.join(parsed.documents)} with its status and dates, but the data "
                f"does not answer the rest of the question ({words}), so I won't guess.",
                suggestions=self.suggestions(text, persona),
                unknown_words=list(dict.fromkeys(unused)),
            )
        plan = QueryPlan(
            kind="listing",
            listing=listing,
            filters=(Filter(column, "in", parsed.documents, ", ".join(parsed.documents)),),
            columns=("ship_date", "delivery_date", "warehouse_name") if listing == "orders" else (),
            as_of=as_of,
            persona=persona.value,
            question=text,
        )
        self._check_persona(plan, self.model.listing_tables(listing), persona)
        compiled = self.compiler.compile(plan)
        self._check_persona(plan, compiled.tables, persona)
        return plan

    def _listing_for_dims(self, dims: Sequence[str]) -> str | None:
        """The one listing whose rows every dimension (status, priority, customer …) describes."""
        options = []
        for listing in self.model.listings.values():
            if listing.count_metric is None:
                continue
            if all(
                any(
                    opt in self.model.dimensions
                    and listing.source in self.model.dimension_sources(opt)
                    for opt in d.split("|")
                )
                for d in dims
                if d not in TIME_GRAINS
            ):
                options.append(listing.name)
        return options[0] if len(options) == 1 else None

    def _resolve_dim(
        self, dim: str, metrics: Sequence[str], conditions: Sequence[tuple[str, bool]]
    ) -> str:
        """One dimension from a word that names several ("status": order or PO status)."""
        options = dim.split("|")
        if len(options) == 1:
            return dim
        sources = {s for m in metrics for s in self.model.metric_sources(m)} | {
            self.model.conditions[n].source for n, _ in conditions
        }
        for d in options:
            if sources and all(s in self.model.dimension_sources(d) for s in sources):
                return d
        return options[0]

    def _read_ordering(
        self, a: _Analysis, r: _Reading, persona: Persona, base: QueryPlan | None = None
    ) -> None:
        for cue in a.grammar("sort"):
            nxt = a.next_after(cue)
            if nxt is not None and nxt.layer == "concept":
                metric = self._choose(nxt.payload, {"metric"}, persona, a)
                if metric is not None:
                    desc = not (a.has("sort_asc") or a.has("asc"))
                    r.order = [o for o in r.order if o.field != metric.name]
                    r.order.insert(0, Ordering(metric.name, desc))
                    if metric.name not in r.metrics:
                        r.metrics.append(metric.name)
        superlatives = [(c, True) for c in a.grammar("desc")] + [
            (c, False) for c in a.grammar("asc")
        ]
        superlatives.sort(key=lambda x: x[0].start)
        numbers = a.of("number")
        if superlatives:
            cue, desc = superlatives[0]
            word = a.tokens[cue.start].text
            n = None
            for num in numbers:
                if (
                    num.start == cue.end + 1
                    or num.end == cue.start - 1
                    or (num.start == cue.end + 2 and a.tokens[cue.end + 1].text in IGNORABLE)
                ):
                    n = int(num.payload.number)
                    num.payload = Token(
                        num.payload.text, num.payload.stem, num.payload.start, num.payload.end, None
                    )
            metric_name = r.order[0].field if r.order else (r.metrics[0] if r.metrics else None)
            if metric_name is None and base is not None and base.metrics:
                # "fill rate by supplier" / "which one is the worst?": the measure shown.
                metric_name = base.metrics[0]
            if (
                word in {"best", "worst", "fastest", "slowest", "quickest", "shortest", "longest"}
                and metric_name
            ):
                hib = self.model.metrics[metric_name].higher_is_better
                if word in {"best", "worst"}:
                    desc = (word == "best") == hib
                elif word in {"fastest", "quickest", "shortest"}:
                    desc = False
                else:
                    desc = True
            if r.phrase is not None and not r.order:
                desc = (
                    r.phrase.descending
                    if word not in {"bottom", "least", "lowest", "fewest", "smallest"}
                    else not r.phrase.descending
                )
            if metric_name and not any(o.field == metric_name for o in r.order):
                r.order.insert(0, Ordering(metric_name, desc))
            elif r.order:
                r.order[0] = Ordering(r.order[0].field, desc)
            # 0: decided later by the noun (1 for "the warehouse", 10 for "products").
            r.limit = n if n is not None else self._lone_number(a) or 0
        elif r.phrase is not None:
            r.order.insert(0, Ordering(r.phrase.metric, r.phrase.descending))
            r.limit = self._lone_number(a) or 0
        if r.limit is None:
            # "list 10 orders", "show 5 products", "first 20"
            for num in numbers:
                if num.payload.number is None:
                    continue
                prev = a.tokens[num.start - 1].text if num.start > 0 else ""
                after = a.next_after(num)
                if (
                    prev in {"first", "list", "show", "top", "me", "the"}
                    and after is not None
                    and after.layer == "concept"
                    and any(t.kind in {"listing", "dimension"} for t in after.payload)
                ):
                    r.limit = int(num.payload.number)
                    num.payload = Token(
                        num.payload.text, num.payload.stem, num.payload.start, num.payload.end, None
                    )
        if a.has("sort_asc") and r.order:
            r.order[0] = Ordering(r.order[0].field, False)

    def _lone_number(self, a: _Analysis) -> int | None:
        """The only free whole number of a ranking question ("which 3 products sold the most")."""
        free = []
        for num in a.of("number"):
            value = num.payload.number
            prev = a.prev_before(num)
            if (
                value is None
                or value != int(value)
                or not 1 <= value <= 1000
                or num.payload.percent
                or num.payload.money
            ):
                continue
            if (
                prev is not None
                and prev.layer == "grammar"
                and any(str(p).startswith("cmp") for p in prev.payload)
            ):
                continue
            free.append(num)
        if len(free) != 1:
            return None
        num = free[0]
        value = int(num.payload.number)
        num.payload = Token(
            num.payload.text, num.payload.stem, num.payload.start, num.payload.end, None
        )
        return value

    def _read_existence(self, a: _Analysis, r: _Reading) -> None:
        """ "Which products still have units outstanding": the groups where the amount is
        above zero (the groups with none are not the rows asked for)."""
        if r.having or not r.metric_cands or not a.tokens or a.tokens[0].text not in _LIST_WHICH:
            return
        c = r.metric_cands[0]
        i = c.start - 1
        while i >= 0 and a.tokens[i].text in {"still", "any", "some", "currently"}:
            i -= 1
        if i < 1 or a.tokens[i].text not in {"have", "has"}:
            return
        metric = r.metrics[0]
        if self.model.metrics[metric].unit in {"units", "currency", "orders", "positions"}:
            r.having.append(MetricFilter(metric, ">", 0.0))

    def _read_comparisons(self, a: _Analysis, r: _Reading, base: QueryPlan | None = None) -> None:
        for cue in a.chosen:
            if cue.layer != "grammar":
                continue
            ops = [p for p in cue.payload if str(p).startswith("cmp:")]
            if not ops:
                continue
            op = ops[0][4:]
            num = a.next_after(cue, skip=IGNORABLE | {"than"})
            before = a.prev_before(cue)
            if (
                (num is None or num.layer != "number")
                and before is not None
                and before.layer == "number"
                and cue.payload
                and a.tokens[cue.start].text == "or"
            ):
                num = before
            if num is None or num.layer != "number" or num.payload.number is None:
                continue
            value = float(num.payload.number)
            # The metric nearest to the comparison.
            metric_cands = [c for c in a.concepts("metric") if c is not r.phrase_cand]
            if not metric_cands and base is not None and len(base.metrics) == 1:
                # "fill rate by supplier" / "which of these are below 85%": the measure shown.
                shown = base.metrics[0]
                if self.model.metrics[shown].is_rate and (num.payload.percent or value > 1):
                    value = value / 100.0
                r.having.append(MetricFilter(shown, op, value))
                num.payload = Token(
                    num.payload.text, num.payload.stem, num.payload.start, num.payload.end, None
                )
                cue.payload = ["cmp_used"]
                continue
            if not metric_cands:
                raise NotUnderstoodError(
                    f"I could not tell what '{a.tokens[cue.start].text} {num.payload.text}' refers to; name the measure (e.g. 'more than 100 units on hand')."
                )
            nearest = min(
                metric_cands, key=lambda c: min(abs(c.start - num.end), abs(num.start - c.end))
            )
            metric = next(
                (t.name for t in nearest.payload if t.kind == "metric" and t.name in r.metrics),
                None,
            )
            if metric is None:
                continue
            if self.model.metrics[metric].is_rate and (num.payload.percent or value > 1):
                value = value / 100.0
            r.having.append(MetricFilter(metric, op, value))
            num.payload = Token(
                num.payload.text, num.payload.stem, num.payload.start, num.payload.end, None
            )
            cue.payload = ["cmp_used"]

    # -- building -------------------------------------------------------------------------------
    def _build(self, a: _Analysis, persona: Persona, as_of: date) -> QueryPlan:
        model = self.model
        oos = a.grammar("out_of_scope")
        if oos:
            words = " ".join(a.tokens[i].text for c in oos for i in range(c.start, c.end + 1))
            raise OutOfScopeError(
                f"I answer questions about current and past supply-chain data ('{words}' is outside that). "
                "Forecasts, routes and optimization are handled by the specialist tools.",
                suggestions=self.suggestions(a.question, persona),
            )
        r = self._read(a, persona, as_of)
        if r.window is not None and r.window.start > as_of:
            self._check_planned(a, r, persona)
        attributes = [
            t for c in a.concepts("attribute") for t in c.payload if t.kind == "attribute"
        ]
        if attributes:
            return self._attribute_plan(a, r, persona, as_of, attributes)
        nouns = [
            c
            for c in a.concepts("listing", "dimension")
            if not any(t.kind in {"metric", "condition", "phrase"} for t in c.payload)
        ]
        subject_nouns = [
            (c, t.name)
            for c in a.concepts("listing", "dimension", "metric", "condition")
            for t in c.payload
            if t.kind == "subject_noun"
        ]
        inventory_context = bool(a.words() & _INVENTORY_WORDS) or any(
            f.field == "warehouse" for f in r.filters
        )

        def listing_for(c: _Cand) -> str | None:
            options = [t.name for t in c.payload if t.kind == "listing"]
            if not options:
                return None
            if "stock_positions" in options and "products" in options:
                return "stock_positions" if inventory_context or r.conditions else "products"
            chosen = self._choose([Target("listing", o) for o in options], {"listing"}, persona, a)
            return chosen.name if chosen else options[0]

        kind = "metrics"
        metrics = list(r.metrics)
        # "items below reorder point with the suggested order qty": rows of the condition,
        # with the measure as a column of each row (not the measure summed over them).
        shown_columns: list[str] = []
        strong = [n for n, neg in r.conditions if not neg]
        if strong and metrics and not r.count_intent and not r.dims and not r.having:
            cond_source = model.conditions[strong[0]].source
            lst = next((x for x in model.listings.values() if x.source == cond_source), None)

            def joined_by(c: _Cand) -> bool:
                i = c.start - 1
                while i >= 0 and a.tokens[i].text in IGNORABLE:
                    i -= 1
                return i >= 0 and a.tokens[i].text in _WITH_WORDS

            everything = any(t.text in {"everything", "each", "every"} for t in a.tokens)
            joined = [c for c in r.metric_cands if joined_by(c) or everything]
            if (
                lst is not None
                and joined
                and len(joined) == len(r.metric_cands)
                and all(lst.column(m) is not None for m in metrics)
            ):
                shown_columns, metrics = list(metrics), []
        conditions = list(r.conditions)
        listing: str | None = None
        dims = list(r.dims)
        grouping: list[_Cand] = []  # the words that name the grouping (for singular/plural)
        per_row_having = [h for h in r.having if model.metrics[h.metric].per_row]
        stock_nouns = [
            c
            for c in nouns
            if any(t.kind == "listing" and t.name == "stock_positions" for t in c.payload)
        ]
        counted = [c.end for c in a.grammar("count")]
        counted_noun = next(
            (
                c
                for c in nouns
                if any(c.start in (e + 1, e + 2) for e in counted)
                and any(t.kind == "dimension" for t in c.payload)
            ),
            None,
        )
        if (
            metrics
            and r.having
            and counted_noun is not None
            and not (per_row_having and counted_noun in stock_nouns)
        ):
            # "how many warehouses are over 75% capacity": counting the groups that pass a
            # threshold is not expressible yet; listing them would answer another question.
            words = " ".join(t.text for t in a.tokens[counted_noun.start : counted_noun.end + 1])
            raise NotUnderstoodError(
                f"I can't count {words} by a threshold on a measure yet; ask which {words} pass it "
                f"(for example 'which {words} are over …') and count the rows.",
                suggestions=self.suggestions(a.question, persona),
            )
        if not metrics and not conditions and a.has("rate"):
            # "% of orders that are express": a share of rows by a filter has no metric; listing
            # the rows would answer another question.
            raise NotUnderstoodError(
                "I can't work out that percentage reliably yet; ask for the count with the filter "
                "and the count without it (for example 'how many express orders' and 'how many orders').",
                suggestions=self.suggestions(a.question, persona),
            )
        if (
            metrics
            and per_row_having
            and not dims
            and stock_nouns
            and all(
                model.listings["stock_positions"].column(h.metric) is not None for h in r.having
            )
        ):
            # "items with less than 3 days of cover": stock positions, filtered on the per-position value.
            kind, listing = "listing", "stock_positions"
            r.filters.extend(Filter(h.metric, h.op, (h.value,)) for h in r.having)
            r.order = [Ordering(h.metric, h.op in (">", ">=")) for h in r.having[:1]]
            r.having = []
            metrics = []
        elif metrics:
            for c, dim in subject_nouns:
                if dim not in dims:
                    dims.append(dim)
                    grouping.append(c)
            if (r.having or a.grammar("sort")) and not dims:
                # "suppliers with spend over 1M", "vendor spend ranking": the noun is the grouping.
                for c in nouns:
                    d = [t.name for t in c.payload if t.kind == "dimension"]
                    if d:
                        dims.append("|".join(d))
                        grouping.append(c)
                        break
        elif conditions and a.has("rate") and not conditions[0][1]:
            # "what percentage of orders were cancelled": the rate whose numerator is the condition.
            cond_name = conditions[0][0]
            rate = next(
                (
                    m.name
                    for m in model.metrics.values()
                    if m.ratio and model.measures[m.ratio[0]].condition == cond_name
                ),
                None,
            )
            if rate is None:
                raise NotUnderstoodError(
                    f"There is no rate defined for '{model.conditions[cond_name].label}'; ask for the count instead.",
                    suggestions=self.suggestions(a.question, persona),
                )
            metrics, conditions = [rate], conditions[1:]
            for c, dim in subject_nouns:
                _add(dims, dim)
                grouping.append(c)
        elif conditions:
            cond_name, negated = conditions[0]
            cond = model.conditions[cond_name]
            cond_listing = next(lst for lst in model.listings.values() if lst.source == cond.source)
            # "not sold at the East warehouse": the rows of a source the condition also applies
            # to that can be filtered and grouped as asked (stock positions, not the catalog).
            asked = [f.field for f in r.filters if f.field in model.dimensions] + [
                d for d in dims if d not in TIME_GRAINS
            ]

            def fits(source: str) -> bool:
                return all(
                    any(
                        o in model.dimensions and source in model.dimension_sources(o)
                        for o in d.split("|")
                    )
                    for d in asked
                )

            if not fits(cond_listing.source):
                cond_listing = next(
                    (
                        lst
                        for lst in model.listings.values()
                        if lst.count_metric is not None
                        and model.condition_applies(cond_name, lst.source)
                        and fits(lst.source)
                    ),
                    cond_listing,
                )
            listing_entity_nouns = [
                c
                for c in nouns
                if any(t.kind == "listing" and t.name == cond_listing.name for t in c.payload)
            ]
            group_subjects = [(c, d) for c, d in subject_nouns if c not in listing_entity_nouns]
            neg = next((c for c in a.chosen if c.layer == "concept" and c.negated), None)
            none_word = (
                neg is not None
                and neg.start > 0
                and a.tokens[neg.start - 1].text in {"no", "without", "zero", "none"}
            )
            if negated and none_word and (dims or group_subjects) and not r.count_intent:
                # "which warehouses have no overdue orders": groups with a zero count, not a count of the rest.
                assert neg is not None
                words = " ".join(a.tokens[i].text for i in range(neg.start - 1, neg.end + 1))
                raise NotUnderstoodError(
                    f"I can't list the groups that have '{words}' reliably yet; ask for the count "
                    f"by group instead (for example 'how many {cond.label} orders by warehouse') and look for zeros.",
                    suggestions=self.suggestions(a.question, persona),
                )
            if r.count_intent or dims or group_subjects:
                for c, d in group_subjects:
                    _add(dims, d)
                    grouping.append(c)
                metric = (
                    None
                    if negated
                    else next(
                        (m.name for m in model.metrics.values() if m.condition == cond_name), None
                    )
                )
                if metric is None:
                    # Count the rows of the condition's listing with the condition as a filter.
                    metric = cond_listing.count_metric
                else:
                    conditions = conditions[1:]
                if metric is None:
                    raise NotUnderstoodError(
                        f"I cannot count {cond.label} rows.",
                        suggestions=self.suggestions(a.question, persona),
                    )
                metrics = [metric]
                if r.order:
                    r.order = [
                        Ordering(metric, o.descending) if i == 0 else o
                        for i, o in enumerate(r.order)
                    ]
                elif r.limit is not None:
                    r.order = [Ordering(metric, True)]
            else:
                kind, listing = "listing", cond_listing.name
        else:
            listing_nouns = [c for c in nouns if any(t.kind == "listing" for t in c.payload)]
            fallback = self._listing_for_dims(dims) if not listing_nouns and dims else None
            if fallback is not None:
                # "order status breakdown": count the rows the grouping describes.
                listing_nouns = [_Cand(0, 0, "concept", [Target("listing", fallback)])]
                r.count_intent = True
            if not listing_nouns:
                raise NotUnderstoodError(
                    _NOT_UNDERSTOOD, suggestions=self.suggestions(a.question, persona)
                )
            noun = listing_nouns[0]
            if (r.order or r.limit is not None) and len(listing_nouns) > 1:
                # "which supplier have we placed the most POs with": the rows counted are the
                # other noun's, ranked by the subject noun.
                subject_ids = {id(c) for c, _ in subject_nouns}
                counted_nouns = [c for c in listing_nouns if id(c) not in subject_ids]
                if counted_nouns and counted_nouns[0] is not noun:
                    noun = counted_nouns[0]
                    r.count_intent = True
            listing = listing_for(noun)
            assert listing is not None
            group_subjects = [(c, d) for c, d in subject_nouns if c is not noun]
            if r.count_intent or dims or group_subjects:
                for c, d in group_subjects:
                    _add(dims, d)
                    grouping.append(c)
                metric_name = model.listings[listing].count_metric
                if metric_name is None:
                    raise NotUnderstoodError(f"I cannot count {model.listings[listing].label}.")
                metrics = [metric_name]
                if r.order:
                    r.order = [Ordering(metric_name, r.order[0].descending)]
                elif r.limit is not None:
                    r.order = [Ordering(metric_name, True)]
            else:
                kind = "listing"
        # An idiom ("biggest suppliers") brings its grouping unless the question names one.
        if r.phrase is not None and kind == "metrics" and not dims:
            dims.append(r.phrase.dimension)
            grouping.append(r.phrase_cand)  # type: ignore[arg-type]
        dims = [
            self._resolve_dim(d, metrics if kind == "metrics" else [], conditions) for d in dims
        ]
        # Limit for "top"/"most" without a number: one for a singular noun, ten for a plural.
        limit = r.limit
        if limit == 0:
            plural = None
            for c in grouping:
                # A noun ("warehouse", "suppliers") says one or many; in an idiom its last noun does.
                span = range(c.end, c.start - 1, -1)
                nouns_here = [
                    a.tokens[i]
                    for i in span
                    if a.tokens[i].stem in self._word_dims or c.length == 1
                ]
                if nouns_here:
                    plural = nouns_here[0].plural
                    break
            if plural is None:
                # No noun: the verb says one or many ("what did we sell most" / "what are the best sellers").
                for i, tok in enumerate(a.tokens[:-1]):
                    if tok.text in _LIST_WHICH:
                        verb = a.tokens[i + 1].text
                        plural = (
                            False
                            if verb in {"is", "was", "did", "does", "has"}
                            else True
                            if verb in {"are", "were", "have", "do"}
                            # "what sold the most": a verb straight after "what" is singular.
                            else False
                            if verb.endswith(("ed", "s")) or verb in {"sold", "bought", "made"}
                            else None
                        )
                        break
            if kind == "listing":
                limit = DEFAULT_TOP_N
            elif (r.phrase is not None and r.phrase.all_rows) or not dims:
                limit = None
            else:
                limit = DEFAULT_TOP_N if plural is None or plural else 1
        if kind == "metrics" and not dims:
            # "What is the highest revenue?" without a grouping: the total, not a ranking.
            limit = None if r.limit in (None, 0) else limit
        order = r.order
        if kind == "listing":
            order = [
                o
                for o in order
                if o.field not in model.metrics
                or model.listings[listing or ""].column(o.field) is not None
            ]
            if r.having:
                lst = model.listings[listing or ""]
                extra = []
                for h in r.having:
                    if lst.column(h.metric) is None:
                        raise NotUnderstoodError(
                            f"I cannot filter {lst.label} by {model.metrics[h.metric].label}."
                        )
                    extra.append(Filter(h.metric, h.op, (h.value,)))
                r.filters.extend(extra)
            if metrics and kind == "listing":
                metrics = []
        plan = QueryPlan(
            kind=kind,  # type: ignore[arg-type]
            metrics=tuple(metrics) if kind == "metrics" else (),
            dimensions=tuple(dims) if kind == "metrics" else (),
            filters=tuple(r.filters),
            conditions=tuple(n for n, neg in conditions if not neg),
            negated_conditions=tuple(n for n, neg in conditions if neg),
            having=tuple(r.having) if kind == "metrics" else (),
            time_window=r.window,
            order_by=tuple(order),
            limit=limit,
            listing=listing if kind == "listing" else None,
            columns=tuple(c for c in shown_columns if kind == "listing")
            + tuple(
                o.field
                for o in order
                if kind == "listing"
                and o.field
                not in (
                    (
                        listing
                        and self.compiler.listing_columns(
                            QueryPlan(kind="listing", listing=listing)
                        )
                    )
                    or ()
                )
            ),
            as_of=as_of,
            persona=persona.value,
            question=a.question,
            notes=tuple(r.notes),
        )
        return self._validated_filters(plan)

    def _check_planned(self, a: _Analysis, r: _Reading, persona: Persona) -> None:
        """A window ahead of today applies only to planned dates (promised, expected)."""
        if any(self.model.conditions[name].planned for name, negated in r.conditions if not negated):
            return
        assert r.window is not None
        raise OutOfScopeError(
            f"I answer questions about current and past supply-chain data ('{r.window.describe()}' is "
            "ahead of today; only promised and expected dates can be). "
            "Forecasts, routes and optimization are handled by the specialist tools.",
            suggestions=self.suggestions(a.question, persona),
        )

    def _attribute_plan(
        self, a: _Analysis, r: _Reading, persona: Persona, as_of: date, targets: list[Target]
    ) -> QueryPlan:
        """ "What's the reorder point for P0005 at WH-EAST?": the rows holding that configured value."""
        model = self.model
        listing_name = targets[0].name.split(".", 1)[0]
        listing = model.listings[listing_name]
        refuse = NotUnderstoodError(
            f"I can show the {', '.join(t.name.split('.', 1)[1].replace('_', ' ') for t in targets)} "
            f"of {listing.label}, but not combined with the rest of this question, so I won't guess.",
            suggestions=self.suggestions(a.question, persona),
        )
        columns = [
            t.name.split(".", 1)[1] for t in targets if t.name.startswith(listing_name + ".")
        ]
        if len(columns) != len(targets) or r.phrase is not None or r.having:
            raise refuse
        # A comparison without a number compares two columns ("on hand below reorder point").
        if any(
            str(p).startswith("cmp:") for c in a.chosen if c.layer == "grammar" for p in c.payload
        ):
            raise refuse
        for m in r.metrics:
            if listing.column(m) is None:
                raise refuse
            columns.append(m)
        for name, _ in r.conditions:
            if not model.condition_applies(name, listing.source):
                raise refuse
        for d in r.dims:
            if not any(
                listing.source in model.dimension_sources(o)
                and all(c in listing.all_column_names for c in model.dimensions[o].columns)
                for o in d.split("|")
                if o in model.dimensions
            ):
                raise refuse
        if a.has("count"):
            raise refuse
        columns += [c for c in listing.lookup_columns if c not in columns]
        order: tuple[Ordering, ...] = ()
        limit = r.limit or None
        for cue in a.grammar("sort"):
            # "overdue orders sorted by promised date": order the rows by that column.
            nxt = a.next_after(cue)
            if nxt is not None and nxt.layer == "concept":
                col = next(
                    (
                        t.name.split(".", 1)[1]
                        for t in nxt.payload
                        if t.kind == "attribute" and t.name.startswith(listing_name + ".")
                    ),
                    None,
                )
                if col is not None:
                    order = (Ordering(col, a.has("sort_desc") or a.has("desc")),)
        if r.limit is not None:
            order = order or (Ordering(columns[0], not a.has("asc")),)
            limit = r.limit or DEFAULT_TOP_N
        plan = QueryPlan(
            kind="listing",
            listing=listing_name,
            filters=tuple(r.filters),
            conditions=tuple(n for n, neg in r.conditions if not neg),
            negated_conditions=tuple(n for n, neg in r.conditions if neg),
            time_window=r.window,
            order_by=order,
            limit=limit,
            columns=tuple(dict.fromkeys(columns)),
            as_of=as_of,
            persona=persona.value,
            question=a.question,
            notes=tuple(r.notes),
        )
        return self._validated_filters(plan)

    def _restated_statuses(self, plan: QueryPlan, a: _Analysis) -> QueryPlan:
        """ "pending POs (open or partial)": statuses listed with "or" that the plan's condition
        already spells out restate it; as a filter they would narrow it."""
        ors = [i for i, t in enumerate(a.tokens) if t.text == "or"]
        if not ors or not plan.conditions:
            return plan
        keep = []
        for f in plan.filters:
            if f.field in {"order_status", "po_status"} and f.op == "in":
                spelled = " ".join(
                    self.model.conditions[c].sql.sql()
                    for c in plan.conditions
                    if c in self.model.conditions
                )
                near_or = any(
                    c.layer == "entity" and (c.start - 1) in ors
                    for c in a.of("entity")
                    if c.payload.kind in {"po_status", "order_status"}
                )
                if near_or and all(f"'{v}'" in spelled for v in f.values):
                    continue
            keep.append(f)
        return plan.with_(filters=tuple(keep))

    def _validated_filters(self, plan: QueryPlan) -> QueryPlan:
        """Move status filters to the status of the plan's data (order vs PO) and drop misfits."""
        sources = self._plan_sources(plan)
        out: list[Filter] = []
        for f in plan.filters:
            field_name = f.field
            if (
                field_name == "po_status"
                and sources
                and sources <= {"orders", "sales"}
                and all(v in ORDER_STATUSES for v in f.values)
            ):
                field_name = "order_status"
            elif (
                field_name == "order_status"
                and sources
                and sources <= {"purchase_orders", "purchases"}
                and all(v in PO_STATUSES for v in f.values)
            ):
                field_name = "po_status"
            if (
                field_name == "order_status"
                and sources
                and sources <= {"purchase_orders", "purchases"}
                and f.op == "in"
                and set(f.values) == {"PENDING"}
                and "pending_po" in self.model.conditions
            ):
                # "pending POs": the glossary's pending PO (OPEN or PARTIAL), not an order status.
                if "pending_po" not in plan.conditions:
                    plan = plan.with_(conditions=(*plan.conditions, "pending_po"))
                continue
            out.append(replace(f, field=field_name))
        return plan.with_(filters=tuple(out))

    def _plan_sources(self, plan: QueryPlan) -> set[str]:
        if plan.kind == "listing":
            return (
                {self.model.listings[plan.listing or ""].source}
                if plan.listing in self.model.listings
                else set()
            )
        return {
            s for m in plan.metrics if m in self.model.metrics for s in self.model.metric_sources(m)
        }

    # -- finishing ----------------------------------------------------------------------------
    def _finish(self, plan: QueryPlan, a: _Analysis, persona: Persona) -> QueryPlan:
        plan = self._restated_statuses(plan, a)
        # Another persona's data first: unknown words may be names this persona cannot see.
        self._check_persona(plan, self._plan_tables_hint(plan), persona)
        # Words left unexplained: refuse rather than guess.
        content = [
            i
            for i, t in enumerate(a.tokens)
            if t.text not in IGNORABLE and t.text not in self.model.language.filler
        ]
        # Words the plan itself explains ("units" of a quantity, "avg" of an average).
        unknown = [i for i in a.unknown if not self._claimed_by_plan(a.tokens[i], plan)]
        a.unknown = unknown
        for i in unknown:
            prev = a.tokens[i - 1].text if i > 0 else ""
            if prev in _PREPOSITIONS and a.tokens[i].text not in self.model.language.filler:
                raise NotUnderstoodError(
                    f"I don't know what '{a.tokens[i].text}' means in this data, so I can't answer reliably.",
                    suggestions=self.suggestions(a.question, persona),
                    unknown_words=[a.tokens[j].text for j in unknown],
                )
        unused_numbers = [c for c in a.of("number") if c.payload.number is not None]
        if unused_numbers:
            word = a.question[
                a.tokens[unused_numbers[0].start].start : a.tokens[unused_numbers[0].end].end
            ]
            raise NotUnderstoodError(
                f"I could not tell what '{word}' refers to, so I won't guess. Try 'top {word} …', 'more than {word} units …' or 'last {word} days'.",
                suggestions=self.suggestions(a.question, persona),
            )
        # "more reserved than on hand", "sold more this month than last month": a comparison
        # of two measures or periods, which a plan cannot express.
        for i, tok in enumerate(a.tokens):
            if tok.text != "than" or any(
                c.start <= i <= c.end and c.layer != "grammar" for c in a.chosen
            ):
                continue
            used = any(
                c.start <= i <= c.end and "cmp_used" in c.payload for c in a.grammar("cmp_used")
            )
            nxt = a.tokens[i + 1] if i + 1 < len(a.tokens) else None
            if not used and not (nxt is not None and nxt.number is not None):
                raise NotUnderstoodError(
                    "This compares two measures, columns or periods with each other, which I can't "
                    "do reliably yet; ask for each one and compare them.",
                    suggestions=self.suggestions(a.question, persona),
                )
        # Every content word must be explained: a word the parse did not use may carry the
        # meaning ("a ship date *after* the delivery date"), so it is never silently dropped.
        allowed_unknown = int(len(content) * self.max_unknown_ratio) if len(content) >= 4 else 0
        if len(unknown) > allowed_unknown:
            raise NotUnderstoodError(
                f"{_NOT_UNDERSTOOD} Words I don't know here: {', '.join(repr(a.tokens[i].text) for i in unknown[:5])}.",
                suggestions=self.suggestions(a.question, persona),
                unknown_words=[a.tokens[j].text for j in unknown],
            )
        self._check_unused_concepts(plan, a, persona)
        negated_other = [
            c
            for c in a.chosen
            if c.negated
            and c.layer == "concept"
            and not any(t.kind == "condition" for t in c.payload)
        ]
        if negated_other:
            c = negated_other[0]
            words = " ".join(a.tokens[i].text for i in range(c.start, c.end + 1))
            raise NotUnderstoodError(
                f"I can't answer a question about what did 'not' happen ('not {words}') reliably yet; "
                "ask about what did happen (for example the units sold by product) and look for zeros.",
                suggestions=self.suggestions(a.question, persona),
            )
        unused_negation = [c for c in a.grammar("negation") if "negation_used" not in c.payload]
        if unused_negation and not a.concepts("condition") and not plan.negated_conditions:
            raise NotUnderstoodError(
                f"I could not tell what '{a.tokens[unused_negation[0].start].text}' applies to, so I won't guess.",
                suggestions=self.suggestions(a.question, persona),
            )
        if (
            a.has("rate")
            and plan.kind == "metrics"
            and not any(
                self.model.metrics[m].is_rate for m in plan.metrics if m in self.model.metrics
            )
        ):
            # "what share of spend went to each supplier": a share of a total, not the total.
            raise NotUnderstoodError(
                "I can't work out a share or percentage of that total reliably yet; ask for the "
                "amounts by group and the overall total, and compare them.",
                suggestions=self.suggestions(a.question, persona),
            )
        entity_dims = [d for d in plan.dimensions if d not in TIME_GRAINS]
        if plan.kind == "metrics" and plan.limit is not None and len(entity_dims) >= 2:
            # "top 3 products in each warehouse": a ranking within groups.
            raise NotUnderstoodError(
                f"I can't rank the top {plan.limit} within each group yet; ask for one group at a "
                "time (for example '… at the East warehouse').",
                suggestions=self.suggestions(a.question, persona),
            )
        try:
            compiled = self.compiler.compile(plan)
        except PlanError as err:
            tables = self._plan_tables_hint(plan)
            self._check_persona(plan, tables, persona)
            raise NotUnderstoodError(
                err.message, suggestions=self.suggestions(a.question, persona), detail=err.detail
            ) from None
        self._check_persona(plan, compiled.tables, persona)
        confidence = 1.0 - 0.1 * len(a.unknown) - 0.05 * len(a.corrections)
        notes = list(plan.notes) + list(compiled.notes)
        if a.corrections:
            notes.append(
                "Read "
                + ", ".join(
                    f"'{a.question[a.tokens[i].start : a.tokens[i].end]}' as '{w}'"
                    for i, w in a.corrections.items()
                )
                + "."
            )
        return plan.with_(
            confidence=round(max(0.0, confidence), 2), notes=tuple(dict.fromkeys(notes))
        )

    def _check_unused_concepts(self, plan: QueryPlan, a: _Analysis, persona: Persona) -> None:
        """The coverage rule for words the model knows: a time grain or a date column the
        question names but the plan does not use means the plan answers another question."""
        unused: list[str] = []
        day_metric = any(
            self.model.metrics[m].unit == "days" for m in plan.metrics if m in self.model.metrics
        )
        for c in a.concepts("grain", "attribute"):
            kinds = {t.kind for t in c.payload}
            if kinds & {"metric", "condition", "phrase", "listing", "dimension", "used"}:
                continue
            if all(i in a.claimed for i in range(c.start, c.end + 1)):
                continue
            if day_metric and {t.name for t in c.payload if t.kind == "grain"} == {"day"}:
                continue  # "lead time in days": the unit of the measure
            words = " ".join(a.tokens[i].text for i in range(c.start, c.end + 1))
            if "grain" in kinds:
                grains = {t.name for t in c.payload if t.kind == "grain"}
                if plan.kind == "metrics" and grains & set(plan.dimensions):
                    continue
                unused.append(words)
            elif "attribute" in kinds:
                columns = {t.name.split(".", 1)[1] for t in c.payload if t.kind == "attribute"}
                listing_cols = (
                    set(plan.columns)
                    | {o.field for o in plan.order_by}
                    | {f.field for f in plan.filters}
                )
                if plan.kind == "listing" and (
                    columns & listing_cols
                    or any(
                        t.name.startswith(f"{plan.listing}.")
                        for t in c.payload
                        if t.kind == "attribute"
                    )
                ):
                    continue
                unused.append(words)
        if unused:
            shown = ", ".join(repr(w) for w in dict.fromkeys(unused))
            raise NotUnderstoodError(
                f"I could not use {shown} in an answer to this question, so I won't guess. "
                "Name a grouping ('by month'), or ask for the rows ('which orders … with their promised date').",
                suggestions=self.suggestions(a.question, persona),
                unknown_words=list(dict.fromkeys(unused)),
            )

    def _claimed_by_plan(self, tok: Token, plan: QueryPlan) -> bool:
        """Whether an element of the plan explains a word the parse left unclaimed.

        The coverage rule: a word the model knows is answered by the plan or the question is
        refused. Some words restate what the plan's measure already is: "units" / "qty" of a
        measure counted in units, "avg" / "mean" of an average or a rate, "ordered" of rows
        that are orders.
        """
        word = tok.stem
        metrics = [self.model.metrics[m] for m in plan.metrics if m in self.model.metrics]
        if word in _QUANTITY_WORDS:
            return any(m.unit == "units" for m in metrics) or plan.listing == "stock_positions"
        if word in _AVERAGE_WORDS:
            return any(
                m.ratio is not None
                or m.label.startswith("average")
                or (m.measure is not None and self.model.measures[m.measure].agg == "avg")
                for m in metrics
            )
        if word in {"ordered", "order"}:
            return bool(
                self._plan_sources(plan) & {"orders", "sales", "purchases", "purchase_orders"}
            )
        return False

    def _plan_tables_hint(self, plan: QueryPlan) -> frozenset[str]:
        tables: set[str] = set()
        for m in plan.metrics:
            if m in self.model.metrics:
                tables |= self.model.metric_tables(m)
        if plan.listing in self.model.listings:
            tables |= self.model.listing_tables(plan.listing or "")
        for f in plan.filters:
            dim = self.model.dimensions.get(f.field)
            if dim is not None:
                from sqlglot import exp

                tables |= {c.table for c in dim.key.find_all(exp.Column)}
        return frozenset(tables)

    def _check_persona(self, plan: QueryPlan, tables: frozenset[str], persona: Persona) -> None:
        allowed = PERSONA_TABLES[persona]
        denied = sorted(t for t in tables if t not in allowed)
        if not denied:
            return
        what = self._plan_subject_label(plan)
        data = " and ".join(dict.fromkeys(_TABLE_WORDS.get(t, t) for t in denied))
        who = [p for p, ts in PERSONA_TABLES.items() if tables <= ts]
        if who:
            ask = "Ask as " + " or ".join(p.label for p in who) + "."
        else:
            ask = "No single persona can see all of that data together; ask about each part separately."
        raise PermissionDeniedError(
            f"{what} needs {data}, which the {persona.label} persona cannot see. {ask}",
            persona=persona.value,
            tables=denied,
            allowed_personas=[p.value for p in who],
        )

    def _plan_subject_label(self, plan: QueryPlan) -> str:
        if plan.kind == "metrics" and plan.metrics:
            label = self.model.metrics[plan.metrics[0]].label
        elif plan.listing:
            label = self.model.listings[plan.listing].label
        else:
            label = "This question"
        return label[:1].upper() + label[1:]


def _segment(cands: Sequence[_Cand], n_tokens: int, ignorable: Sequence[bool] = ()) -> list[_Cand]:
    """The non-overlapping candidates that explain the most words, in the fewest pieces.

    Dynamic programming over token positions: maximize covered meaningful tokens (a
    concept phrase skipping "are"/"the" does not earn them), then prefer fewer (longer)
    pieces, then the more specific layers (time, concept, entity, grammar).
    """

    def weight(c: _Cand) -> int:
        if not ignorable:
            return c.length
        return sum(1 for i in range(c.start, c.end + 1) if not ignorable[i]) or 1

    starts: dict[int, list[_Cand]] = {}
    for c in cands:
        starts.setdefault(c.start, []).append(c)
    # best[i] = (score, pieces) for tokens i..end; score = (covered, -pieces, -layer penalty)
    best: list[tuple[tuple[int, int, int], list[_Cand]]] = [((0, 0, 0), [])] * (n_tokens + 1)
    for i in range(n_tokens - 1, -1, -1):
        score, pieces = best[i + 1]
        choice = (score, pieces)
        for c in starts.get(i, ()):
            rest_score, rest = best[c.end + 1]
            cand_score = (
                rest_score[0] + weight(c),
                rest_score[1] - 1,
                rest_score[2] - _LAYER_PRIORITY[c.layer],
            )
            if cand_score > choice[0]:
                choice = (cand_score, [c, *rest])
        best[i] = choice
    return best[0][1]


def windows_today(a: _Analysis, as_of: date) -> bool:
    """Whether the question's only time expression is today (or later)."""
    windows = [c.payload for c in a.of("time")]
    return len(windows) == 1 and windows[0].start >= as_of


def _inflects(word: str, words: frozenset[str]) -> bool:
    """Whether ``word`` is an inflection of one of ``words`` ("holding" of "hold")."""
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if (
                base in words
                or base + "e" in words
                or (base[-1] == base[-2] and base[:-1] in words)
            ):
                return True
    return False


def _weak(c: _Cand) -> bool:
    """A condition that is also a plain noun ("deliveries"): a subject only when nothing else is."""
    return any(t.kind == "listing" for t in c.payload) and any(
        t.kind == "condition" for t in c.payload
    )


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _stem(word: str) -> str:
    from workbench.semantic.planner.text import stem

    return stem(word)


def _period_grain(window: TimeWindow, as_of: date) -> str | None:
    """The calendar period a window is (day, week, month, quarter, year; to date when current)."""
    s, e = window.start, window.end
    if s == e:
        return "day"
    if s.weekday() == 0 and (e - s).days <= 6:
        return "week" if (e - s).days == 6 or e == as_of else None
    if s.day != 1:
        return None
    nxt = date(s.year + (s.month == 12), s.month % 12 + 1, 1)
    if e.year == s.year and e.month == s.month:
        return "month" if e == nxt - timedelta(days=1) or e == as_of else None
    if s.month in (1, 4, 7, 10):
        q_end = date(s.year + (s.month == 10), (s.month + 2) % 12 + 1, 1) - timedelta(days=1)
        if e == q_end or (e == as_of and e < q_end):
            return "quarter"
    if s.month == 1 and e.year == s.year and (e == date(s.year, 12, 31) or e == as_of):
        return "year"
    return None


def _merge_windows(windows: Sequence[TimeWindow]) -> TimeWindow | None:
    """One window from several that touch ("April and May"); None for separate periods."""
    ordered = sorted(windows, key=lambda w: w.start)
    merged = ordered[0]
    for w in ordered[1:]:
        if w.start <= merged.end + timedelta(days=1):
            end = max(merged.end, w.end)
            merged = TimeWindow(
                merged.start,
                end,
                f"{merged.describe()} to {w.describe()}" if w.end > merged.end else merged.label,
            )
        else:
            return None
    return merged


_SHIFT_BACK = re.compile(
    r"\b(?:the\s+)?(?P<grain>day|week|month|quarter|year|period)\s+(?:before|prior|earlier)\b"
    r"|\b(?:before|prior\s+to)\s+(?:that|this|it)\b|\bthe\s+one\s+before\b",
    re.IGNORECASE,
)
_SAME_LAST_YEAR = re.compile(
    r"\bsame\s+(?:period|time|month|week|quarter|days?|dates?)\s+(?:last|a|the\s+previous|the\s+prior)\s+year\b"
    r"|\b(?:a|one)\s+year\s+(?:earlier|before|ago)\b|\byear\s+over\s+year\b|\bprior\s+year\b",
    re.IGNORECASE,
)


def _shifted_window(
    text: str, window: TimeWindow, as_of: date
) -> tuple[TimeWindow, tuple[int, int]] | None:
    """The previous window moved back: one calendar period of its own grain ("the month
    before" May is April), its own length otherwise, or a year ("same period last year")."""
    year = _SAME_LAST_YEAR.search(text)
    if year:

        def back_year(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:  # 29 February
                return d.replace(year=d.year - 1, day=28)

        start, end = back_year(window.start), back_year(window.end)
        label = "the same period a year earlier"
        return TimeWindow(start, end, label), year.span()
    m = _SHIFT_BACK.search(text)
    if m is None:
        return None
    grain = (m.group("grain") or "period").lower()
    own = _period_grain(window, as_of)
    if grain == "period" or own is None or grain != own:
        if grain not in ("period",) and own is not None and grain != own:
            return None  # "the week before" a month: not a shift of that window
        length = window.days
        end = window.start - timedelta(days=1)
        start = end - timedelta(days=length - 1)
        return TimeWindow(start, end, f"the {length} days before {window.describe()}"), m.span()
    end = window.start - timedelta(days=1)
    if own == "day":
        start = end
    elif own == "week":
        start = end - timedelta(days=6)
    elif own == "month":
        start = end.replace(day=1)
    elif own == "quarter":
        start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    else:
        start = date(end.year, 1, 1)
    label = {
        "day": start.isoformat(),
        "week": f"the week of {start.isoformat()}",
        "month": f"{calendar.month_name[start.month]} {start.year}",
        "quarter": f"Q{(start.month - 1) // 3 + 1} {start.year}",
        "year": str(start.year),
    }[own]
    return TimeWindow(start, end, label), m.span()


_STATUS_VALUES = frozenset(ORDER_STATUSES) | frozenset(PO_STATUSES)


def _statuses_as_typed(cands: list[_Cand], tokens: list[Token], question: str) -> list[_Cand]:
    """A status typed as the data spells it ("POs still OPEN") is that status, not the
    glossary's wider condition ("open POs" = OPEN or PARTIAL)."""
    literal = {
        i
        for i, t in enumerate(tokens)
        if question[t.start : t.end].isupper() and question[t.start : t.end] in _STATUS_VALUES
    }
    if not literal:
        return cands
    has_entity = {
        i for c in cands if c.layer == "entity" for i in range(c.start, c.end + 1) if i in literal
    }
    return [
        c
        for c in cands
        if not (c.layer == "concept" and any(c.start <= i <= c.end for i in has_entity))
    ]
