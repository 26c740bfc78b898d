"""An in-memory LRU + TTL cache of answers, keyed by everything that decides an answer.

The key is a hash of the normalized question and its parameters: persona, as-of date, the
resolved plan, the warehouse backend and the data version. A new data load changes the data
version, so every earlier entry stops matching (and :meth:`ResultCache.purge_stale` frees
them). Each kernel or process holds its own cache: statistics are per process, and across
processes ``hits + misses`` adds up to the number of lookups.

A hit returns a *copy* marked ``cached=True`` with a zero :class:`~workbench.cost.usage.Cost`
and empty usage: serving it costs nothing new. Frames are copied shallowly, which is safe
because pandas copy-on-write turns any later in-place change into a private copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.agents.answer import Answer
from workbench.core.config import CacheSettings
from workbench.cost.usage import Cost, Usage

#: TTL used for an answer kind the configuration does not name.
DEFAULT_TTL_SECONDS = 300.0
#: Fixed per-entry overhead (key, bookkeeping, Python objects) added to the size estimate.
ENTRY_OVERHEAD_BYTES = 1024

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s\"'“”‘’]+|[\s\"'“”‘’?!.;:,]+$")


def normalize_question(question: str) -> str:
    """Lower-case, Unicode-normalized, single-spaced, without surrounding quotes or end punctuation.

    So "Which items are LOW on stock?" and "which items are low on stock" share an entry.
    """
    text = unicodedata.normalize("NFKC", question).casefold()
    text = _SPACES.sub(" ", text)
    return _EDGE_PUNCT.sub("", text)


def plan_fingerprint(plan: Any) -> str | None:
    """A stable text for a resolved plan: its ``cache_key()``, else canonical JSON of ``to_dict()``."""
    if plan is None:
        return None
    cache_key = getattr(plan, "cache_key", None)
    if callable(cache_key):
        return str(cache_key())
    to_dict = getattr(plan, "to_dict", None)
    payload = to_dict() if callable(to_dict) else plan
    try:
        return json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        return repr(payload)


@dataclass(frozen=True)
class CacheKey:
    """The parameters of one answer and their digest (the dictionary key)."""

    question: str
    persona: str
    as_of: str
    plan: str | None
    backend: str
    data_version: str
    digest: str

    @classmethod
    def build(
        cls,
        question: str,
        *,
        persona: str,
        as_of: dt.date | str,
        plan: Any = None,
        backend: str,
        data_version: str,
    ) -> CacheKey:
        normalized = normalize_question(question)
        plan_text = plan if isinstance(plan, str) else plan_fingerprint(plan)
        as_of_text = as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of)
        persona_text = str(getattr(persona, "value", persona))
        material = json.dumps(
            [normalized, persona_text, as_of_text, plan_text, backend, data_version],
            separators=(",", ":"),
        )
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
        return cls(normalized, persona_text, as_of_text, plan_text, backend, data_version, digest)


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    evictions: int
    expirations: int
    invalidations: int
    entries: int
    bytes: int
    max_entries: int
    max_bytes: int

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": round(self.hit_rate, 4),
            "evictions": self.evictions,
            "expirations": self.expirations,
            "invalidations": self.invalidations,
            "entries": self.entries,
            "bytes": self.bytes,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
        }


@dataclass
class _Entry:
    answer: Answer
    key: CacheKey
    kind: str
    size: int
    expires_at: float


def estimate_answer_bytes(answer: Answer) -> int:
    """Approximate memory an answer holds: its frame (deep) plus its texts and a fixed overhead."""
    size = ENTRY_OVERHEAD_BYTES
    frame = answer.frame
    if frame is not None and len(frame.columns):
        size += int(frame.memory_usage(deep=True, index=True).sum())
    for text in (answer.question, answer.answer, answer.sql or "", answer.error or ""):
        size += len(text.encode("utf-8"))
    size += sum(len(s.encode("utf-8")) for s in answer.suggestions)
    if answer.details:
        size += len(json.dumps(answer.details, default=str))
    return size


def _copy_answer(answer: Answer, **changes: Any) -> Answer:
    frame = answer.frame.copy(deep=False) if answer.frame is not None else answer.frame
    return answer.with_(
        frame=frame, details=dict(answer.details), suggestions=list(answer.suggestions), **changes
    )


class ResultCache:
    """Thread-safe LRU cache with a time-to-live per answer kind (intent).

    Limits come from ``settings.cache``: ``max_entries`` and ``max_bytes`` (least recently
    used entries are evicted first), ``ttl_seconds`` by answer kind. ``clock`` returns
    seconds (monotonic by default) and is injectable for tests.
    """

    def __init__(
        self, settings: CacheSettings | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings or CacheSettings()
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.RLock()
        self._bytes = 0
        self._hits = self._misses = self._evictions = self._expirations = self._invalidations = 0

    # Keys ---------------------------------------------------------------------------
    @staticmethod
    def key(
        question: str,
        *,
        persona: str,
        as_of: dt.date | str,
        plan: Any = None,
        backend: str,
        data_version: str,
    ) -> CacheKey:
        """Build the key for a question and its parameters (see :class:`CacheKey`)."""
        return CacheKey.build(
            question,
            persona=persona,
            as_of=as_of,
            plan=plan,
            backend=backend,
            data_version=data_version,
        )

    def ttl_for(self, kind: str) -> float:
        """Seconds an answer of this kind stays fresh (``ttl_seconds[kind]``, else ``["default"]``)."""
        ttl = self.settings.ttl_seconds
        return float(ttl.get(kind, ttl.get("default", DEFAULT_TTL_SECONDS)))

    # Lookups ------------------------------------------------------------------------
    def get(self, key: CacheKey) -> Answer | None:
        """The cached answer as a fresh copy marked ``cached=True`` at zero cost, or None (a miss)."""
        with self._lock:
            if not self.settings.enabled:
                self._misses += 1
                return None
            entry = self._entries.get(key.digest)
            if entry is None:
                self._misses += 1
                return None
            if self._clock() >= entry.expires_at:
                self._remove(key.digest)
                self._expirations += 1
                self._misses += 1
                return None
            self._entries.move_to_end(key.digest)
            self._hits += 1
            stored = entry.answer
        return _copy_answer(stored, cached=True, cost=Cost.zero(), usage=Usage())

    def put(self, key: CacheKey, answer: Answer, *, kind: str | None = None) -> bool:
        """Store a successful answer; returns False when it is not cacheable (error, too big, disabled)."""
        if not self.settings.enabled or answer.error is not None:
            return False
        kind = kind or (answer.intent.value if answer.intent is not None else "sql_query")
        ttl = self.ttl_for(kind)
        if ttl <= 0:
            return False
        size = estimate_answer_bytes(answer)
        if size > self.settings.max_bytes:
            return False
        stored = _copy_answer(answer, cached=False)
        with self._lock:
            if key.digest in self._entries:
                self._remove(key.digest)
            self._entries[key.digest] = _Entry(stored, key, kind, size, self._clock() + ttl)
            self._bytes += size
            self._evict_over_limits()
        return True

    def __contains__(self, key: CacheKey) -> bool:
        with self._lock:
            entry = self._entries.get(key.digest)
            return entry is not None and self._clock() < entry.expires_at

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # Maintenance --------------------------------------------------------------------
    def purge_expired(self) -> int:
        """Drop every expired entry now (they are otherwise dropped lazily on lookup)."""
        with self._lock:
            now = self._clock()
            stale = [digest for digest, e in self._entries.items() if now >= e.expires_at]
            for digest in stale:
                self._remove(digest)
            self._expirations += len(stale)
            return len(stale)

    def purge_stale(self, data_version: str) -> int:
        """Drop entries computed on any other data version (after a reload); they can never hit again."""
        with self._lock:
            stale = [
                digest for digest, e in self._entries.items() if e.key.data_version != data_version
            ]
            for digest in stale:
                self._remove(digest)
            self._invalidations += len(stale)
            return len(stale)

    def clear(self) -> None:
        """Forget every entry (statistics are kept)."""
        with self._lock:
            self._invalidations += len(self._entries)
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                evictions=self._evictions,
                expirations=self._expirations,
                invalidations=self._invalidations,
                entries=len(self._entries),
                bytes=self._bytes,
                max_entries=self.settings.max_entries,
                max_bytes=self.settings.max_bytes,
            )

    def _remove(self, digest: str) -> None:
        entry = self._entries.pop(digest)
        self._bytes -= entry.size

    def _evict_over_limits(self) -> None:
        while self._entries and (
            len(self._entries) > self.settings.max_entries or self._bytes > self.settings.max_bytes
        ):
            digest = next(iter(self._entries))
            self._remove(digest)
            self._evictions += 1
