"""``ParsedQuestion``: one reading of a question, made once and read by every consumer.

The orchestrator parses a question once per ``ask`` (through the persona's planner, which
knows the model's vocabulary and the entity names the persona may see). Intent routing
reads its :class:`~workbench.semantic.cues.Cues`, the follow-up decision reads its subject
and reference words, the SQL planner reads its analysis (tokens, candidates, unknown
words), and the specialists read its entities, time windows and numbers. Nothing re-reads
the text on its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from workbench.core.errors import NotUnderstoodError
from workbench.semantic.context import QuestionContext, understand
from workbench.semantic.cues import Cues, read_cues
from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.time import TimeWindow

__all__ = ["REFERENCE_WORDS", "ChangeNotSupportedError", "ParsedQuestion", "Quantity", "parse_text"]

#: Words that point at the previous answer ("which of these …", "same for West").
REFERENCE_WORDS = frozenset({"these", "those", "them", "their", "they", "same", "instead", "ones"})


_ROW_PRONOUNS = frozenset({"these", "those", "them", "their", "they", "ones"})
#: First words that continue the conversation ("and West?", "now by month").
_LEADS = frozenset(
    {"and", "only", "just", "also", "now", "but", "then", "so", "ok", "okay", "plus"}
)


@dataclass(frozen=True)
class Quantity:
    """A number as typed, with what it counts: ``percent``, ``money`` or None (plain)."""

    value: float
    unit: str | None
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ParsedQuestion:
    """Everything the words of one question say, with character spans into ``text``."""

    text: str
    as_of: dt.date
    persona: str | None = None
    #: ``(text, stem, start, end)`` per token, after typo fixes.
    tokens: tuple[tuple[str, str, int, int], ...] = ()
    #: Typo fixes: the word as typed -> the word read.
    corrections: tuple[tuple[str, str], ...] = ()
    entities: tuple[EntityMatch, ...] = ()
    time_windows: tuple[TimeWindow, ...] = ()
    numbers: tuple[Quantity, ...] = ()
    #: Sales-order and purchase-order numbers named ("SO-000123").
    documents: tuple[str, ...] = ()
    cues: Cues = field(default_factory=Cues)
    #: Content words nothing in the model explains.
    unknown_words: tuple[str, ...] = ()
    #: Whether the question names its own subject (a measure, a condition or rows to list).
    has_subject: bool = False
    #: The planner's structural verdict: a refinement without a subject of its own
    #: ("by category instead", "at West", "last month?").
    refines: bool = False
    #: The planner's reading of the words (candidates, grammar); a consumer of its own kind reads it.
    analysis: Any = field(default=None, compare=False, repr=False)
    #: Why the question is not read at all (empty, too long, SQL, injection), if so.
    screen_error: Exception | None = field(default=None, compare=False)
    #: The entity names the reading used (the persona's tables), for :attr:`context`.
    entity_index: Any = field(default=None, compare=False, repr=False)

    @cached_property
    def context(self) -> QuestionContext:
        """What a calculation needs (entities, window, service level, horizon, vehicles …),
        read from the same text with the same entity names; computed once, when first asked."""
        return understand(self.text, self.as_of, self.entity_index or EntityIndex(()))

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t[0] for t in self.tokens)

    @property
    def points_at_rows(self) -> bool:
        """Whether a pronoun points at the rows the previous answer showed ("which of these …",
        "their lead time"): the new question is about exactly those rows."""
        return any(self._points_back(i) for i in range(len(self.tokens)))

    def _points_back(self, i: int) -> bool:
        """Token ``i`` is a pronoun for earlier rows: "their" after a plural noun of this
        question ("products below their reorder point") is that noun's, not the last answer's."""
        text = self.tokens[i][0]
        if text not in _ROW_PRONOUNS:
            return False
        if text in {"their", "they", "them"}:
            return not any(t[0] != t[1] and t[0].endswith("s") for t in self.tokens[:i])
        return True

    @property
    def references_previous(self) -> bool:
        """Whether words point at the previous answer ("these", "same for West", "what about")."""
        words = self.words
        if any(
            w in REFERENCE_WORDS and (w not in _ROW_PRONOUNS or self._points_back(i))
            for i, w in enumerate(words)
        ):
            return True
        lead = " ".join(words[:2])
        if lead in {"what about", "how about"} or (bool(words) and words[0] in _LEADS):
            return True
        # "now just the express orders", "ok only for West".
        return any(
            a in {"only", "just"} and b in {"the", "for", "in", "at", "from", "show"}
            for a, b in itertools.pairwise(words)
        )

    @property
    def follows_up(self) -> bool:
        """Whether this question refines the previous answer.

        A complete question (its own subject, no word pointing back) is never a follow-up;
        a question naming its own calculation is one only when its words point back.
        """
        if self.screen_error is not None or self.cues.change_verb:
            return False
        if self.cues.asks_for_calculation:
            return self.cues.follow_up_words and self.references_previous
        if self.references_previous:
            return True
        if self.has_subject:
            return False
        return self.cues.follow_up_words or self.refines

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "as_of": self.as_of.isoformat(),
            "persona": self.persona,
            "corrections": [list(c) for c in self.corrections],
            "entities": [{"kind": e.kind, "id": e.id, "name": e.name} for e in self.entities],
            "time_windows": [w.to_dict() for w in self.time_windows],
            "numbers": [{"value": q.value, "unit": q.unit, "text": q.text} for q in self.numbers],
            "documents": list(self.documents),
            "cues": self.cues.to_dict(),
            "unknown_words": list(self.unknown_words),
            "has_subject": self.has_subject,
            "follows_up": self.follows_up,
        }


class ChangeNotSupportedError(NotUnderstoodError):
    """A request to change data ("mark SO-000123 as delivered"): refused before any query."""

    code = "change_request"

    def __init__(self, verb: str) -> None:
        super().__init__(
            f"I can only read the data, so I can't {verb.lower()} anything: nothing was changed. "
            "Make the change in the system of record, then ask me about it "
            "(for example 'What is the status of SO-000123?').",
            verb=verb,
        )


def parse_text(question: str, as_of: dt.date, persona: str | None = None) -> ParsedQuestion:
    """A parse from the words alone, for planners without a vocabulary of their own (LLM)."""
    return ParsedQuestion(text=question, as_of=as_of, persona=persona, cues=read_cues(question))
