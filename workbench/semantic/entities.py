"""Finding the business entities a question names: warehouses, products, suppliers, statuses …

Names come from the data (one small catalog query per table, cached per data version),
plus the fixed vocabularies of DATA_MODEL.md (statuses, priorities). Matching works on
word n-grams of the question: exact aliases first ("WH-EAST", "east warehouse", "the east
distribution center", "east dc"), then typo-tolerant matches of longer names (rapidfuzz),
never of short or common words. Matches never overlap; longer and exact matches win.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from workbench.data.schema import ORDER_PRIORITIES, ORDER_STATUSES, PO_STATUSES

if TYPE_CHECKING:
    from workbench.warehouse.base import Warehouse

__all__ = [
    "ENTITY_KINDS",
    "EntityIndex",
    "EntityMatch",
    "EntityRecord",
    "normalize",
    "tokenize",
]

ENTITY_KINDS: tuple[str, ...] = (
    "warehouse",
    "product",
    "category",
    "supplier",
    "customer",
    "order_status",
    "po_status",
    "priority",
    "region",
    "city",
    "country",
    "product_group",
)
# Tie-break when two kinds match the same words equally well (lower wins).
_KIND_PRIORITY = {kind: i for i, kind in enumerate(ENTITY_KINDS)}


@dataclass(frozen=True)
class EntityMatch:
    """One entity named in a question."""

    kind: str
    id: str
    name: str
    score: float  # 0..100
    span: tuple[int, int]  # characters of the question matched


@dataclass(frozen=True)
class EntityRecord:
    """One entity of the catalog with the extra phrasings that refer to it."""

    kind: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    #: Aliases listed here (normalized) match exactly only, never by typo tolerance.
    exact_aliases: tuple[str, ...] = ()


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalize(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces: "WH-EAST" -> "wh east"."""
    return " ".join(t.replace("'", "") for t in _TOKEN.findall(text.lower().replace("’", "'")))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` (lower case) with their character spans."""
    lowered = text.lower().replace("’", "'")
    return [(m.group(0).replace("'", ""), m.start(), m.end()) for m in _TOKEN.finditer(lowered)]


# Words that describe a warehouse without naming it.
_FACILITY_WORDS = (
    "warehouse", "wh", "dc", "distribution center", "distribution centre", "distribution centers",
    "depot", "site", "facility", "hub", "fulfillment center", "fulfilment centre", "fulfilment center",
    "dist center", "location", "branch", "center", "centre",
)  # fmt: skip
_FACILITY_NAME_WORDS = {
    "warehouse", "distribution", "center", "centre", "dc", "depot", "hub", "facility", "fulfillment",
    "fulfilment", "site", "the",
}  # fmt: skip
_LEGAL_SUFFIXES = {
    "inc",
    "ltd",
    "llc",
    "co",
    "corp",
    "corporation",
    "gmbh",
    "plc",
    "sa",
    "ag",
    "bv",
    "limited",
    "company",
    "group",
    "srl",
    "oy",
    "ab",
    "pty",
    "kk",
}

# Ordinary business words that must never be read as a typo of a name.
_COMMON_WORDS = frozenset(
    """
    a an the of in at for to by on and or with from per each every all any which what who how many much
    is are was were be been being do does did have has had show list give me tell find get our we my i
    order orders ordered sales sale sold sell selling product products item items sku skus stock stocks
    inventory warehouse warehouses supplier suppliers vendor vendors customer customers category categories
    status priority region regions city cities unit units revenue spend value cost costs price prices
    delivery deliveries delivered deliver shipment shipments shipped ship late early open pending overdue
    due today yesterday week weeks month months quarter quarter year years day days last this next past
    top bottom best worst most least highest lowest biggest largest smallest total average mean count number
    rate time lead fill score variance on hand available reserved reorder point safety level levels low
    out running short below above under over more less than between since until po pos purchase purchases
    """.split()  # noqa: SIM905
)

# "Japanese suppliers" = suppliers in Japan.
_DEMONYMS = {
    "united states": "american", "usa": "american", "us": "american", "canada": "canadian", "mexico": "mexican",
    "united kingdom": "british", "uk": "british", "germany": "german", "france": "french", "italy": "italian",
    "spain": "spanish", "netherlands": "dutch", "poland": "polish", "sweden": "swedish", "china": "chinese",
    "japan": "japanese", "south korea": "korean", "korea": "korean", "taiwan": "taiwanese", "vietnam": "vietnamese",
    "india": "indian", "thailand": "thai", "malaysia": "malaysian", "indonesia": "indonesian", "brazil": "brazilian",
    "turkey": "turkish", "australia": "australian",
}  # fmt: skip

# Phrases whose words look like names but are glossary terms ("safety stock" is not the Safety category).
_BLOCKED_PHRASES: tuple[tuple[str, ...], ...] = (
    ("safety", "stock"), ("safety", "stocks"), ("safety", "level"), ("safety", "levels"),
    ("open", "orders"), ("open", "order"), ("on", "order"),
)  # fmt: skip

_STATUS_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "PENDING": (
            "pending",
            "not yet picked",
            "awaiting picking",
            "unpicked",
            "waiting to be picked",
            "waiting for picking",
            "not picked yet",
            "to be picked",
        ),
        "PICKING": ("picking", "being picked", "in picking"),
        "SHIPPED": ("shipped", "in transit", "on the way", "dispatched", "out for delivery"),
        "DELIVERED": ("delivered", "completed", "fulfilled"),
        "CANCELLED": ("cancelled", "canceled", "cancellations", "cancelled ones", "canceled ones"),
    },
    "po_status": {
        "OPEN": ("open", "not yet received", "unreceived", "outstanding"),
        "PARTIAL": ("partial", "partially received", "partly received", "partially delivered"),
        "RECEIVED": ("received", "fully received", "closed"),
        "CANCELLED": ("cancelled", "canceled"),
    },
    "priority": {
        "EXPRESS": ("express", "rush", "urgent", "expedited", "high priority", "express priority"),
        "STANDARD": (
            "standard",
            "normal",
            "regular",
            "standard priority",
            "non express",
            "non-express",
        ),
    },
}
assert set(_STATUS_ALIASES["order_status"]) == set(ORDER_STATUSES)
assert set(_STATUS_ALIASES["po_status"]) == set(PO_STATUSES)
assert set(_STATUS_ALIASES["priority"]) == set(ORDER_PRIORITIES)


@dataclass(frozen=True)
class _Alias:
    text: str
    ntokens: int
    record: EntityRecord
    fuzzy: bool


def _plural_forms(word: str) -> set[str]:
    forms = {word}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    elif word.endswith("y"):
        forms.add(word[:-1] + "ies")
    else:
        forms.add(word + "s")
    return forms


def _warehouse_aliases(wid: str, name: str, city: str | None) -> tuple[list[str], list[str]]:
    """(fuzzy-able aliases, exact-only aliases) for a warehouse."""
    fuzzy_aliases = [name]
    exact: list[str] = [wid, wid.replace("-", ""), wid.replace("-", " ")]
    core_words = [w for w in normalize(name).split() if w not in _FACILITY_NAME_WORDS]
    id_core = [w for w in normalize(wid).split() if w not in {"wh", "whs", "dc"}]
    cores = {" ".join(core_words), " ".join(id_core)}
    if city:
        cores.add(normalize(city))
        # "Edison, NJ" is also just "Edison".
        cores.add(normalize(city.split(",")[0]))
    for core in filter(None, cores):
        for word in _FACILITY_WORDS:
            fuzzy_aliases.append(f"{core} {word}")
            exact.append(f"{word} {core}")
        # The bare core word ("East") names the warehouse only exactly.
        exact.append(core)
    return fuzzy_aliases, exact


def _supplier_aliases(sid: str, name: str) -> tuple[list[str], list[str]]:
    words = normalize(name).split()
    stripped = [w for w in words if w not in _LEGAL_SUFFIXES]
    fuzzy_aliases = [name]
    if stripped and stripped != words:
        fuzzy_aliases.append(" ".join(stripped))
    return fuzzy_aliases, [sid]


def _unique_leading_words(suppliers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The first two words of a supplier's name ("Cascade Supply" for "Cascade Supply
    Partners") when no other supplier's name starts with them and they are not the whole name."""
    starts: dict[str, list[tuple[str, int]]] = {}
    for sid, name in suppliers:
        words = [w for w in normalize(name).split() if w not in _LEGAL_SUFFIXES]
        if len(words) >= 2:
            starts.setdefault(" ".join(words[:2]), []).append((sid, len(words)))
    return {
        owners[0][0]: key for key, owners in starts.items() if len(owners) == 1 and owners[0][1] > 2
    }


def _compass_split(region: str) -> str | None:
    """'Northeast' -> 'north east', 'Midwest' -> 'mid west'; None for other names."""
    low = normalize(region)
    for head in ("north", "south", "mid"):
        for tail in ("east", "west"):
            if low == head + tail:
                return f"{head} {tail}"
    return None


def _product_families(
    products: Sequence[tuple[str, str, str | None]], categories: set[str]
) -> list[EntityRecord]:
    """Product families named by the leading words of product names ("cordless drills").

    A family is a run of two or more leading words shared by several products (or one
    product's whole leading words); it matches exactly only, and a full product name,
    being longer, always wins over its family.
    """
    members: dict[str, list[str]] = {}
    for pid, name, _category in products:
        words: list[str] = []
        for raw in name.split():
            if not raw.isalpha():
                break
            words.append(raw.lower())
        if words and words[0] == "pro":
            words = words[1:]
        prefixes = {" ".join(words[:k]) for k in range(2, len(words) + 1)}
        if len(words) == 1:
            prefixes.add(words[0])
        for prefix in prefixes:
            members.setdefault(prefix, []).append(pid)
    out = []
    for family, ids in sorted(members.items()):
        if family in categories or family in _COMMON_WORDS or len(family) < 4:
            continue
        words = family.split()
        plural = " ".join([*words[:-1], *sorted(_plural_forms(words[-1]))[-1:]])
        aliases = tuple(
            dict.fromkeys(
                (family, plural, *(" ".join([*words[:-1], f]) for f in _plural_forms(words[-1])))
            )
        )
        out.append(
            EntityRecord("product_group", ",".join(sorted(ids)), family.title(), (), aliases)
        )
    return out


class EntityIndex:
    """Aliases of every entity, searchable in free text."""

    def __init__(self, records: Iterable[EntityRecord]) -> None:
        self.records: tuple[EntityRecord, ...] = tuple(records)
        self._exact: dict[str, list[_Alias]] = {}
        # Fuzzy candidates grouped by number of words, so an n-gram is compared with like-sized names.
        self._fuzzy: dict[int, list[_Alias]] = {}
        self._fuzzy_texts: dict[int, list[str]] = {}
        self._by_kind_id: dict[tuple[str, str], EntityRecord] = {}
        for record in self.records:
            self._add(record)
        for n, aliases in self._fuzzy.items():
            self._fuzzy_texts[n] = [a.text for a in aliases]
        self._max_tokens = max(
            (a.ntokens for aliases in self._exact.values() for a in aliases), default=1
        )

    def _add(self, record: EntityRecord) -> None:
        self._by_kind_id.setdefault((record.kind, record.id), record)
        seen: set[tuple[str, bool]] = set()
        for raw, fuzzy in [
            (record.name, True),
            *((a, True) for a in record.aliases),
            *((a, False) for a in record.exact_aliases),
            (record.id, False),
        ]:
            text = normalize(raw)
            if not text or (text, fuzzy) in seen:
                continue
            seen.add((text, fuzzy))
            alias = _Alias(text, len(text.split()), record, fuzzy)
            self._exact.setdefault(text, []).append(alias)
            # Typos are tolerated only in names long enough that a typo cannot turn one word into another.
            if fuzzy and len(text) >= 6 and text not in _COMMON_WORDS:
                self._fuzzy.setdefault(alias.ntokens, []).append(alias)

    # -- construction from data ------------------------------------------------------------
    @classmethod
    def from_rows(
        cls,
        *,
        warehouses: Sequence[tuple[str, str, str | None, str | None]] = (),
        products: Sequence[tuple[str, str, str | None]] = (),
        suppliers: Sequence[tuple[str, ...]] = (),
        customers: Sequence[tuple[str, str]] = (),
    ) -> EntityIndex:
        """Build from plain rows: warehouses (id, name, city, region), products (id, name, category),
        suppliers (id, name[, country]), customers (id, name)."""
        records: list[EntityRecord] = []
        regions: set[str] = set()
        cities: set[str] = set()
        for wid, name, city, region in warehouses:
            fuzzy_aliases, exact = _warehouse_aliases(wid, name, city)
            records.append(EntityRecord("warehouse", wid, name, tuple(fuzzy_aliases), tuple(exact)))
            if city:
                cities.add(city)
            if region:
                regions.add(region)
        for region in sorted(regions):
            aliases = [f"{region} region"]
            # "Northeast" is also typed "north east".
            split = _compass_split(region)
            if split:
                aliases += [split, f"{split} region"]
            records.append(EntityRecord("region", region, region, tuple(aliases), ()))
        for city in sorted(cities):
            short = city.split(",")[0].strip()
            records.append(EntityRecord("city", city, city, (short,) if short != city else ()))
        categories: set[str] = set()
        for pid, name, category in products:
            records.append(EntityRecord("product", pid, name))
            if category:
                categories.add(category)
        records.extend(_product_families(products, {normalize(c) for c in categories}))
        for category in sorted(categories):
            base = normalize(category)
            # "Electrical" is also said "electric".
            adjective = {base[:-2]} if base.endswith("al") and len(base) > 6 else set()
            # "Plumbing products" leaves "products" to the planner as the noun of the question.
            forms = _plural_forms(base) | adjective | {f"{base} category"}
            records.append(EntityRecord("category", category, category, tuple(sorted(forms))))
        countries: set[str] = set()
        leading = _unique_leading_words([(sid, name) for sid, name, *_ in suppliers])
        for sid, name, *rest in suppliers:
            fuzzy_aliases, exact = _supplier_aliases(sid, name)
            if sid in leading:
                fuzzy_aliases.append(leading[sid])
            records.append(EntityRecord("supplier", sid, name, tuple(fuzzy_aliases), tuple(exact)))
            if rest and rest[0]:
                countries.add(rest[0])
        for country in sorted(countries):
            demonym = _DEMONYMS.get(country.lower())
            records.append(
                EntityRecord("country", country, country, (), (demonym,) if demonym else ())
            )
        # "Keller Electric" for "Keller Electric Co." when no other customer is called that.
        stems: dict[str, int] = {}
        for _cid, name in customers:
            stem = " ".join(w for w in normalize(name).split() if w not in _LEGAL_SUFFIXES)
            stems[stem] = stems.get(stem, 0) + 1
        for cid, name in customers:
            stem = " ".join(w for w in normalize(name).split() if w not in _LEGAL_SUFFIXES)
            keep = stem != normalize(name) and stems[stem] == 1 and " " in stem
            records.append(EntityRecord("customer", cid, name, (stem,) if keep else ()))
        for kind, values in _STATUS_ALIASES.items():
            for value, words in values.items():
                records.append(EntityRecord(kind, value, value.title(), (), (value, *words)))
        return cls(records)

    @classmethod
    def from_warehouse(
        cls, warehouse: Warehouse, *, tables: Iterable[str] | None = None
    ) -> EntityIndex:
        """The index of the warehouse's current data (cached per data version).

        ``tables`` limits which tables names are read from (a persona's allow-list), so an
        agent never reads a table its persona may not see, not even for names.
        """
        allowed = frozenset(tables) if tables is not None else None
        key = (
            type(warehouse).__name__,
            str(getattr(warehouse, "path", id(warehouse))),
            warehouse.data_version(),
            ",".join(sorted(allowed)) if allowed is not None else "*",
        )
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        index = cls._load(warehouse, allowed)
        with _CACHE_LOCK:
            if len(_CACHE) >= 16:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = index
        return index

    @classmethod
    def _load(cls, warehouse: Warehouse, allowed: frozenset[str] | None = None) -> EntityIndex:
        from workbench.core.errors import WorkbenchError

        def rows(sql: str) -> list[Any]:
            table = sql.split(" FROM ")[1].split()[0]
            if allowed is not None and table not in allowed:
                return []
            try:
                frame = warehouse.execute(sql, row_limit=1_000_000).frame
            except WorkbenchError:
                return []
            return [
                tuple(None if v is None else str(v) for v in r)
                for r in frame.itertuples(index=False, name=None)
            ]

        return cls.from_rows(
            warehouses=rows(
                "SELECT warehouse_id, warehouse_name, city, region FROM warehouse ORDER BY 1"
            ),
            products=rows("SELECT product_id, product_name, category FROM product ORDER BY 1"),
            suppliers=rows("SELECT supplier_id, supplier_name, country FROM supplier ORDER BY 1"),
            customers=rows(
                "SELECT DISTINCT customer_id, customer_name FROM sales_order_header ORDER BY 1"
            ),
        )

    # -- lookup ---------------------------------------------------------------------------------
    def get(self, kind: str, id_: str) -> EntityRecord | None:
        return self._by_kind_id.get((kind, id_))

    def entities(self, kind: str) -> list[EntityRecord]:
        return [r for r in self.records if r.kind == kind]

    def name_of(self, kind: str, id_: str) -> str:
        record = self.get(kind, id_)
        return record.name if record else id_

    def find(
        self, text: str, kinds: Iterable[str] | None = None, *, min_score: float = 86.0
    ) -> list[EntityMatch]:
        """Non-overlapping best matches in ``text``, left to right."""
        wanted = set(kinds) if kinds is not None else None
        tokens = tokenize(text)
        if not tokens:
            return []
        words_only = [t[0] for t in tokens]
        blocked: set[int] = set()
        for phrase in _BLOCKED_PHRASES:
            for i in range(len(words_only) - len(phrase) + 1):
                if tuple(words_only[i : i + len(phrase)]) == phrase:
                    blocked.update(range(i, i + len(phrase)))
        candidates: list[tuple[bool, int, float, int, EntityMatch]] = []
        max_n = min(self._max_tokens + 1, len(tokens))
        for n in range(1, max_n + 1):
            for i in range(len(tokens) - n + 1):
                if blocked.intersection(range(i, i + n)):
                    continue
                words = [t[0] for t in tokens[i : i + n]]
                gram = " ".join(words)
                span = (tokens[i][1], tokens[i + n - 1][2])
                for alias in self._exact.get(gram, ()):
                    rec = alias.record
                    if wanted is None or rec.kind in wanted:
                        candidates.append(
                            (
                                True,
                                n,
                                100.0,
                                _KIND_PRIORITY.get(rec.kind, 99),
                                EntityMatch(rec.kind, rec.id, rec.name, 100.0, span),
                            )
                        )
                if (
                    n in self._fuzzy
                    and len(gram) >= 6
                    and not all(w in _COMMON_WORDS for w in words)
                ):
                    cutoff = max(min_score, 90.0 if len(gram) < 9 else min_score)
                    for _text, score, idx in process.extract(
                        gram, self._fuzzy_texts[n], scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
                    ):
                        alias = self._fuzzy[n][idx]
                        rec = alias.record
                        if score >= 100 or (wanted is not None and rec.kind not in wanted):
                            continue
                        candidates.append(
                            (
                                False,
                                n,
                                float(score),
                                _KIND_PRIORITY.get(rec.kind, 99),
                                EntityMatch(
                                    rec.kind, rec.id, rec.name, round(float(score), 1), span
                                ),
                            )
                        )
        # Exact beats fuzzy, then more words, then a higher score, then kind priority.
        candidates.sort(key=lambda c: (not c[0], -c[1], -c[2], c[3], c[4].span[0]))
        chosen: list[EntityMatch] = []
        taken: list[tuple[int, int]] = []
        for _exact, _n, _score, _prio, match in candidates:
            a, b = match.span
            if any(a < y and x < b for x, y in taken):
                continue
            chosen.append(match)
            taken.append(match.span)
        return sorted(chosen, key=lambda m: m.span)

    def suggest(self, text: str, kind: str, limit: int = 3) -> list[str]:
        """Closest names of one kind to ``text`` (for "did you mean …" messages)."""
        names = [r.name for r in self.records if r.kind == kind]
        return [m[0] for m in process.extract(text, names, scorer=fuzz.WRatio, limit=limit)]


_CACHE: dict[tuple[str, str, str, str], EntityIndex] = {}
_CACHE_LOCK = threading.Lock()
