"""Words of a question: tokens with character spans, stems, numbers and spelling fixes.

The planner matches business phrases on stems (``orders`` -> ``order``) with contractions
expanded (``haven't`` -> ``have not``), and skips words that carry no meaning inside a
phrase ("the", "their", "been"), so "below the reorder point" and "below their reorder
point" are one phrase. Typos in the vocabulary are fixed before matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from workbench.semantic.numbers import CARDINALS

__all__ = [
    "IGNORABLE",
    "NUMBER_WORDS",
    "Speller",
    "Token",
    "phrase_key",
    "stem",
    "tokenize_question",
]

#: Skipped inside phrases: "orders that haven't been delivered" == "order not delivered".
IGNORABLE = frozenset(
    {
        "the", "their", "its", "our", "a", "an", "my", "your", "that", "which", "who", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "do", "does", "did", "any", "currently",
        "right", "please", "there", "we", "us", "them", "they", "it", "those", "these", "ones", "get", "got",
        "gets", "getting",
    }
)  # fmt: skip

#: Number words (the shared table, :mod:`workbench.semantic.numbers`).
NUMBER_WORDS = CARDINALS

_CONTRACTIONS = (
    # Shorthand: "spend w/ Cascade".
    (re.compile(r"\bw/(?![\w/])"), "with"),
    (re.compile(r"\bw/(?=\w)"), "with "),
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    # Typed without the apostrophe: "havent", "didnt", "isnt", "cant".
    (
        re.compile(r"\b(have|has|had|do|does|did|is|are|was|were|could|should|would)nt\b"),
        r"\1 not",
    ),
    (re.compile(r"\bcant\b"), "can not"),
    (re.compile(r"\b(\w+)'re\b"), r"\1 are"),
    (re.compile(r"\b(\w+)'ve\b"), r"\1 have"),
    (re.compile(r"\b(\w+)'d\b"), r"\1 would"),
    (re.compile(r"\b(\w+)'ll\b"), r"\1 will"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"\bwhat's\b"), "what is"),
    (re.compile(r"\bwho's\b"), "who is"),
    (re.compile(r"\bhow's\b"), "how is"),
    (re.compile(r"\bwhere's\b"), "where is"),
    (re.compile(r"\bthat's\b"), "that is"),
    (re.compile(r"\bthere's\b"), "there is"),
    (re.compile(r"\blet's\b"), "let us"),
)

_TOKEN = re.compile(
    r"\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?"  # 1,000 / $12,500.50
    r"|\$?\d+(?:\.\d+)?%?"  # 5 / 0.8 / 80% / $500
    r"|[a-z][a-z0-9]*(?:'s)?"  # words (possessive kept with the word)
    r"|[<>]=?|="  # comparison symbols
    r"|%"  # "% of orders delivered on time"
)

_IRREGULAR = {
    "pos": "po", "skus": "sku", "dcs": "dc", "whs": "warehouse", "qtys": "quantity",
    # Abbreviations of the trade read as the word ("avg qty", "inv value", "rev mtd").
    "avg": "average", "qty": "quantity", "amt": "amount", "rev": "revenue", "cust": "customer",
    "custs": "customer", "supp": "supplier", "supps": "supplier", "prod": "product", "prods": "product",
    "whse": "warehouse", "wh": "warehouse", "avail": "available", "inv": "inventory", "mfr": "manufacturer",
    "ord": "order", "ords": "order", "cnt": "count", "tot": "total", "vol": "volume", "statuses": "status", "categories": "category", "deliveries": "delivery", "inventories": "inventory",
    "supplies": "supply", "utilities": "utility", "quantities": "quantity", "companies": "company", "cities": "city",
    "countries": "country", "priorities": "priority", "analyses": "analysis", "boxes": "box", "series": "series",
    "children": "child", "people": "person", "less": "less", "loss": "loss", "express": "express", "process": "process",
    "address": "address", "business": "business", "this": "this", "is": "is", "was": "was", "has": "has", "does": "does",
    "its": "its", "us": "us", "plus": "plus", "bus": "bus", "gas": "gas", "status": "status", "across": "across",
    "always": "always", "perhaps": "perhaps", "sales": "sales", "units": "unit", "days": "day", "hvac": "hvac",
    "news": "news", "percentages": "percentage", "thanks": "thanks", "whereas": "whereas", "yes": "yes", "ups": "up",
}  # fmt: skip


def stem(word: str) -> str:
    """A light plural stemmer: "orders" -> "order", "categories" -> "category"."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ys")):
        return w[:-1]
    return w


@dataclass(frozen=True)
class Token:
    """One word: ``text`` as typed (lower case), ``stem`` for matching, characters ``start:end``."""

    text: str
    stem: str
    start: int
    end: int
    #: Value when the token is a number (digits or a number word).
    number: float | None = None
    percent: bool = False
    money: bool = False

    @property
    def plural(self) -> bool:
        return self.stem != self.text and self.text.endswith("s")


def _expand(text: str) -> tuple[str, list[int]]:
    """Lower-case text with contractions expanded, and a map from new to original offsets."""
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    out = lowered
    offsets = list(range(len(lowered) + 1))
    for pattern, repl in _CONTRACTIONS:
        pieces: list[str] = []
        new_offsets: list[int] = []
        pos = 0
        for m in pattern.finditer(out):
            pieces.append(out[pos : m.start()])
            new_offsets.extend(offsets[pos : m.start()])
            replacement = m.expand(repl)
            pieces.append(replacement)
            # Every character of the replacement maps into the matched original span.
            span_start, span_end = offsets[m.start()], offsets[m.end()]
            width = max(1, span_end - span_start)
            new_offsets.extend(span_start + min(i, width - 1) for i in range(len(replacement)))
            pos = m.end()
        pieces.append(out[pos:])
        new_offsets.extend(offsets[pos:])
        out = "".join(pieces)
        offsets = new_offsets
    return out, offsets


def tokenize_question(text: str) -> list[Token]:
    """Tokens of a question with spans into the original ``text``."""
    expanded, offsets = _expand(text)
    tokens: list[Token] = []
    for m in _TOKEN.finditer(expanded):
        raw = m.group(0)
        start, end = offsets[m.start()], offsets[m.end() - 1] + 1
        if raw[0] in "$0123456789":
            money = raw.startswith("$")
            percent = raw.endswith("%")
            digits = raw.strip("$%").replace(",", "")
            value = float(digits)
            tokens.append(Token(digits, digits, start, end, value, percent, money))
            continue
        if raw in {"<", ">", "<=", ">=", "=", "%"}:
            tokens.append(Token(raw, raw, start, end))
            continue
        word = raw[:-2] if raw.endswith("'s") else raw
        number = NUMBER_WORDS.get(word)
        tokens.append(
            Token(word, stem(word), start, end, float(number) if number is not None else None)
        )
    # "80 percent" / "80 pct": mark the number as a percentage.
    out: list[Token] = []
    for i, tok in enumerate(tokens):
        if (
            tok.number is not None
            and i + 1 < len(tokens)
            and tokens[i + 1].text in {"percent", "pct", "percentage"}
        ):
            tok = Token(tok.text, tok.stem, tok.start, tok.end, tok.number, True, tok.money)
        out.append(tok)
    return out


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The stems of a lexicon phrase with ignorable words removed."""
    return tuple(
        t.stem
        for t in tokenize_question(phrase)
        if t.stem not in IGNORABLE and t.text not in IGNORABLE
    )


class Speller:
    """Fixes typos against a vocabulary: "revnue" -> "revenue", "warehosue" -> "warehouse"."""

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str] = ()) -> None:
        self.vocabulary = sorted({w for w in vocabulary if w and w.isalpha()})
        self._known = frozenset(self.vocabulary) | frozenset(known)

    def known(self, word: str) -> bool:
        return word in self._known

    def _inflection_of_known(self, word: str) -> bool:
        """An inflected known word ("holding", "shipping", "priced") is not a typo."""
        for suffix in ("ing", "ed", "es", "s", "er", "ers", "ly", "d"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                base = word[: -len(suffix)]
                # "priced" is "price" + d; "deliverd" is a slip for "delivered", not an inflection.
                if suffix == "d" and not base.endswith("e"):
                    continue
                if (
                    base in self._known
                    or base + "e" in self._known
                    or (len(base) > 3 and base[-1] == base[-2] and base[:-1] in self._known)
                ):
                    return True
        return False

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word within one edit (two for long words), or None."""
        # Short words are too often other real words ("older" is not "order"): fix them only
        # for a missing letter ("ordrs" -> "orders"), longer ones for any single slip.
        if (
            len(word) < 5
            or not word.isalpha()
            or word in self._known
            or self._inflection_of_known(word)
        ):
            return None
        max_distance = 1 if len(word) < 8 else 2
        choices = (
            self.vocabulary
            if len(word) >= 6
            else [v for v in self.vocabulary if len(v) == len(word) + 1]
        )
        best = process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=max_distance, limit=3
        )
        if not best:
            return None
        # Closest first; then the same length; then the same last letter (a slip in the middle
        # of a word is likelier than a changed ending: "monthy" is "monthly", not "month").
        best.sort(key=lambda r: (r[1], r[0][-1] != word[-1], abs(len(r[0]) - len(word)), r[0]))
        # Two equally close words: too ambiguous to guess.
        if len(best) > 1 and best[0][1] == best[1][1] and best[0][0][:2] != best[1][0][:2]:
            return None
        candidate = best[0][0]
        # "inactive" is not a typo of "active": a word that contains the candidate is another word.
        if candidate in word or (word in candidate and len(candidate) - len(word) > 1):
            return None
        return candidate if candidate[0] == word[0] or len(word) >= 6 else None


# --- shorthand people type ---------------------------------------------------------------------
_AFTER_PERIOD_WORD = r"(?:last|this|next|per|a|each|by|every|prev|previous|prior|past|the|\d+)"
#: (pattern, replacement): texting and trade shorthand, read as the words it stands for before
#: anything else reads the question. Guarded so names keep their letters ("Kansas City MO",
#: "R-410A", "U-bolt").
_SHORTHAND: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\brn\b", "right now"),
        (r"\batm\b", "at the moment"),
        (r"\b(?:wats|whats|wuts)\b", "what is"),
        (r"\b(?:wat|wut|wht)\b", "what"),
        (r"\b(?:whch|wich|whic|whihc)\b", "which"),
        (r"\bmny\b", "many"),
        (r"\bhw\b", "how"),
        (r"\br\b(?![-\d/])", "are"),
        (r"\bu\b(?![-\d/])", "you"),
        (r"\bur\b(?![-\d/])", "your"),
        (r"(?<=\w )n(?= \w)", "and"),
        (r"^n(?= \w)", "and"),
        (r"\s&\s", " and "),
        (r"\s\+\s", " plus "),
        (r"\b(?:pls|plz|plzz|pleas)\b", "please"),
        (r"\b(?:thx|thnx|thanx)\b", "thanks"),
        (r"\b(?:yday|ystdy|yest|yesterdy)\b", "yesterday"),
        (r"\b(?:tmrw|tmr|tmrrw|tomo|2moro|tmw|tmrow)\b", "tomorrow"),
        (r"\b(?:tdy|2day)\b", "today"),
        (r"\b(\d+)\s?d\b", r"\1 days"),
        (r"\b(\d+)\s?(?:wks|wk)\b", r"\1 weeks"),
        (r"\b(\d+)\s?(?:mos|mths|mnths)\b", r"\1 months"),
        (r"\b(\d+)\s?(?:yrs|yr)\b", r"\1 years"),
        (rf"\b({_AFTER_PERIOD_WORD})\s+(?:mo|mth|mnth)\b", r"\1 month"),
        (r"\b(?:wk|wek)(?=\s*\d)", "week"),
        (rf"\b({_AFTER_PERIOD_WORD})\s+wk\b", r"\1 week"),
        (r"\b(?:yr)\b", "year"),
        (r"\b(?:yrs)\b", "years"),
        (r"\b(?:qtr)\b", "quarter"),
        (r"\b(?:qtrs)\b", "quarters"),
        (r"\bb4\b", "before"),
        (r"\b(?:recvd|rcvd|rec'd|recv'd|rcv'd|recieved)\b", "received"),
        (r"\b(?:shpd|shipd)\b", "shipped"),
        (r"\b(?:dlvd|delivd|dlvrd)\b", "delivered"),
        (r"\bhnd\b", "hand"),
        (r"\b(?:itms|itmes)\b", "items"),
        (r"\boos\b", "out of stock"),
        (r"\bsos\b", "sales orders"),
        (r"(?-i:\bSO\b)(?![\s#-]*\d)", "sales order"),
        (r"\bout of (?!stock\b|the stock\b|inventory\b|stocks\b)", "from "),
        (r"\breorder\s+pts?\b", "reorder point"),
        (r"#\s*of\b", "number of"),
        (r"(?<![\w#])#(?=\s*[a-z])", "number of"),
        (r"\b(\d+(?:\.\d+)?)\s?k\b", "\\g<1>000"),
        # Possessives: "Keller Electric Co.'s orders", "Northstar's fill rate", "suppliers' scores".
        (r"(?<=\.)['’]s\b", ""),
        (
            r"\b(?!(?:what|who|how|where|that|there|let|it|he|she|here|when|why)['’]s\b)(\w+)['’]s\b",
            r"\1",
        ),
        (r"(?<=\ws)['’](?=\s|$)", ""),
    )
)


def normalize_shorthand(text: str) -> str:
    """The question with texting and trade shorthand written out ("skus r low rn" -> "skus
    are low right now", "last 30d" -> "last 30 days", "20k" -> "20000"), possessives dropped."""
    out = text
    for pattern, repl in _SHORTHAND:
        if pattern.pattern.startswith(r"\b(\d+(?:\.\d+)?)\s?k"):
            out = pattern.sub(lambda m: f"{float(m.group(1)) * 1000:g}", out)
        else:
            out = pattern.sub(repl, out)
    return out
