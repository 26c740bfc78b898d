"""Answer cache: in-memory LRU with a time-to-live per answer kind, keyed by question + parameters."""

from __future__ import annotations

from workbench.cache.result_cache import (
    CacheKey,
    CacheStats,
    ResultCache,
    estimate_answer_bytes,
    normalize_question,
    plan_fingerprint,
)

__all__ = [
    "CacheKey",
    "CacheStats",
    "ResultCache",
    "estimate_answer_bytes",
    "normalize_question",
    "plan_fingerprint",
]
