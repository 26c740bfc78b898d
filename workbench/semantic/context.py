"""What a calculation question names: entities, a time window and the tools' parameters.

Part of the one reading of a question (:class:`~workbench.semantic.question.ParsedQuestion`
computes it once, from the same text and the same entity index): the specialists read
:class:`QuestionContext` instead of parsing the question themselves. Numbers the tools take
(service level, horizon, vehicles and their capacity, order cost, holding rate, a minimum
score) are read with the shared number words of :mod:`workbench.semantic.numbers`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.numbers import ARTICLES, CARDINALS
from workbench.semantic.time import TimeWindow, parse_time_window

__all__ = ["QuestionContext", "understand"]

_ENTITY_KINDS = ("warehouse", "product", "category", "supplier")
#: Phrases that name a measure, blanked before entity matching ("safety stock" is not the Safety category).
_MEASURE_PHRASES = re.compile(
    r"safety\s+stocks?|safety\s+levels?|service\s+levels?|order\s+quantit(?:y|ies)|reorder\s+points?|"
    r"lead\s+times?|fill\s+rates?|on[- ]time|supplier\s+scores?|price\s+scores?",
    re.IGNORECASE,
)
#: A size typed without its space ("12in", "40mm"), as product names spell it apart ("12 in").
_GLUED_UNIT = re.compile(r"(\d)(in|mm|ft|lb|oz|gal)\b", re.IGNORECASE)
#: The shared number words; "a truck" counts one.
_NUMBER_WORDS = {**CARDINALS, **ARTICLES}


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _number(token: str) -> float:
    token = token.lower().replace(",", "")
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)


@dataclass(frozen=True)
class QuestionContext:
    """What a question names, resolved against the data and the as-of date."""

    text: str
    as_of: dt.date
    warehouses: tuple[EntityMatch, ...] = ()
    products: tuple[EntityMatch, ...] = ()
    categories: tuple[EntityMatch, ...] = ()
    suppliers: tuple[EntityMatch, ...] = ()
    window: TimeWindow | None = None
    service_level: float | None = None
    horizon_days: int | None = None
    vehicles: int | None = None
    vehicle_capacity: int | None = None
    order_cost: float | None = None
    holding_rate: float | None = None
    min_score: float | None = None
    #: The first bare percentage in the question, as a fraction ("99%" -> 0.99).
    percent: float | None = None

    @property
    def level(self) -> float | None:
        """The service level asked for: explicit, else a bare percentage that can be one (50-99.99%)."""
        if self.service_level is not None:
            return self.service_level
        if self.percent is not None and 0.5 <= self.percent < 1:
            return self.percent
        return None

    @property
    def warehouse_id(self) -> str | None:
        return self.warehouses[0].id if self.warehouses else None

    @property
    def product_ids(self) -> list[str] | None:
        ids = list(dict.fromkeys(m.id for m in self.products))
        return ids or None

    @property
    def category(self) -> str | None:
        return self.categories[0].id if self.categories else None

    @property
    def supplier_ids(self) -> list[str] | None:
        ids = list(dict.fromkeys(m.id for m in self.suppliers))
        return ids or None

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.IGNORECASE) is not None


def _service_level(text: str) -> float | None:
    """A service level such as "99%", "97.5 % service" or "service level 0.98"; None when not given."""
    m = re.search(r"service\s+level\s+(?:of\s+|=\s*)?(0?\.\d+)\b", text, re.IGNORECASE)
    if m:
        return float(m.group(1))
    if not re.search(r"service|level|availability|confidence", text, re.IGNORECASE):
        return None
    for m in re.finditer(r"(\d{2}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", text, re.IGNORECASE):
        value = float(m.group(1)) / 100
        if 0.5 <= value < 1:
            return value
    return None


def _percent(text: str) -> float | None:
    m = re.search(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", text, re.IGNORECASE)
    return float(m.group(1)) / 100 if m else None


_WORD_NUM = (
    r"(\d{1,4}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + ")"
)


def _horizon(text: str) -> int | None:
    m = re.search(
        rf"(?:next|coming|following|upcoming)\s+{_WORD_NUM}\s+(day|week|month)s?",
        text,
        re.IGNORECASE,
    )
    if m:
        n = _number(m.group(1))
        return int(n * {"day": 1, "week": 7, "month": 30}[m.group(2).lower()])
    m = re.search(
        r"(?:next|coming|following|upcoming)\s+(day|week|fortnight|month|quarter)(?:'?s'?)?\b",
        text,
        re.IGNORECASE,
    )
    if m:
        return {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90}[
            m.group(1).lower()
        ]
    m = re.search(rf"{_WORD_NUM}[- ](day|week)s?\s+(?:forecast|ahead|horizon)", text, re.IGNORECASE)
    if m:
        return int(_number(m.group(1)) * (7 if m.group(2).lower() == "week" else 1))
    return None


def _vehicles(text: str) -> tuple[int | None, int | None]:
    vehicles = capacity = None
    m = re.search(rf"{_WORD_NUM}\s+(?:vehicles?|trucks?|vans?|drivers?)", text, re.IGNORECASE)
    if m:
        vehicles = int(_number(m.group(1)))
    m = re.search(
        r"(?:capacity\s+(?:of\s+)?|holds?\s+|carry(?:ing)?\s+|up\s+to\s+)(\d[\d,]*)\s*(?:units?)?|(\d[\d,]*)\s+units?\s+(?:each|per\s+(?:vehicle|truck|van))|(?:vehicles?|trucks?|vans?)\s+(?:of|with|carrying|holding|taking)\s+(\d[\d,]*)\s*units?",
        text,
        re.IGNORECASE,
    )
    if m:
        capacity = int((m.group(1) or m.group(2) or m.group(3)).replace(",", ""))
    return vehicles, capacity


def _order_cost(text: str) -> float | None:
    m = re.search(
        r"(?:order(?:ing)?|setup)\s+costs?\s+(?:of\s+|is\s+|are\s+|=\s*)?\$?(\d+(?:\.\d+)?)",
        text,
        re.IGNORECASE,
    )
    return float(m.group(1)) if m else None


def _holding_rate(text: str) -> float | None:
    m = re.search(
        r"holding\s+(?:(?:costs?|rate)\s+)?(?:of\s+|is\s+|at\s+|=\s*)?(\d+(?:\.\d+)?)\s*(%|percent\b)?",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    value = float(m.group(1))
    return value / 100 if m.group(2) or value > 1 else value


def _min_score(text: str) -> float | None:
    m = re.search(
        r"score\s+(?:of\s+)?(?:at\s+least|above|over|>=?|of)\s+(0?\.\d+|\d{2})", text, re.IGNORECASE
    )
    if not m:
        return None
    value = float(m.group(1))
    return value / 100 if value > 1 else value


def _supplier_by_leading_words(text: str, entities: EntityIndex) -> list[EntityMatch]:
    """Suppliers named by the first two or more words of their name ("cascade supply").

    Users shorten names; a prefix counts only when it names exactly one supplier.
    """
    words_of = {
        rec.id: re.findall(r"[a-z0-9]+", rec.name.lower()) for rec in entities.entities("supplier")
    }
    owners: dict[str, set[str]] = {}
    for sid, words in words_of.items():
        for k in range(2, len(words) + 1):
            owners.setdefault(" ".join(words[:k]), set()).add(sid)
    lowered = text.lower()
    found: dict[str, EntityMatch] = {}
    for prefix, ids in sorted(owners.items(), key=lambda kv: -len(kv[0])):
        if len(ids) != 1:
            continue
        m = re.search(rf"\b{re.escape(prefix)}\b", lowered)
        if m is None:
            continue
        sid = next(iter(ids))
        if sid not in found:
            name = entities.name_of("supplier", sid)
            found[sid] = EntityMatch("supplier", sid, name, 90.0, (m.start(), m.end()))
    return list(found.values())


def understand(text: str, as_of: dt.date, entities: EntityIndex) -> QuestionContext:
    """Resolve the entities, time window and tool parameters a question names."""
    masked = _GLUED_UNIT.sub(r"\1 \2", _blank(text, _MEASURE_PHRASES))
    found = entities.find(masked, kinds=(*_ENTITY_KINDS, "product_group"))
    by_kind: dict[str, list[EntityMatch]] = {k: [] for k in (*_ENTITY_KINDS, "product_group")}
    for match in found:
        by_kind[match.kind].append(match)
    # A product family ("gfci outlets", "cordless drill") names all its products.
    for group in by_kind.pop("product_group"):
        by_kind["product"].extend(
            replace(group, kind="product", id=pid) for pid in group.id.split(",") if pid
        )
    if not by_kind["supplier"]:
        by_kind["supplier"].extend(_supplier_by_leading_words(masked, entities))
    window = parse_time_window(text, as_of)
    vehicles, capacity = _vehicles(text)
    return QuestionContext(
        text=text,
        as_of=as_of,
        warehouses=tuple(by_kind["warehouse"]),
        products=tuple(by_kind["product"]),
        categories=tuple(by_kind["category"]),
        suppliers=tuple(by_kind["supplier"]),
        window=window,
        service_level=_service_level(text),
        horizon_days=_horizon(text),
        vehicles=vehicles,
        vehicle_capacity=capacity,
        order_cost=_order_cost(text),
        holding_rate=_holding_rate(text),
        min_score=_min_score(text),
        percent=_percent(text),
    )


_NOUNS = r"(?:suppliers?|vendors?|warehouses?|products?|items?|skus?|parts?|dcs?|sites?)"
_TOP_N = re.compile(
    rf"\b(top|best|bottom|worst)\s+(\d{{1,3}}|{'|'.join(CARDINALS)})\b", re.IGNORECASE
)
_TOP_ONE = re.compile(
    rf"\b(top|best|highest[- ]scoring|best[- ]scoring|number one|worst|bottom|lowest[- ]scoring|worst[- ]scoring)"
    rf"(?:[- ](?:ranked|rated|performing))?\s+({_NOUNS})\b",
    re.IGNORECASE,
)


def rank_request(text: str) -> tuple[int, bool] | None:
    """How many ranked rows a question asks for and from which end: ``(3, True)`` for "top 3",
    ``(1, False)`` for "the worst supplier"; None when it asks for the whole ranking."""
    m = _TOP_N.search(text)
    if m:
        word = m.group(2).lower()
        n = int(word) if word.isdigit() else CARDINALS[word]
        return n, m.group(1).lower() in {"top", "best"}
    m = _TOP_ONE.search(text)
    if m and not m.group(2).lower().endswith("s"):
        return 1, not m.group(1).lower().startswith(("worst", "bottom", "lowest"))
    return None
