"""ResultCache: keys, LRU limits, TTL per answer kind, invalidation and statistics."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pandas as pd
import pytest

from workbench.agents.answer import Answer, Intent
from workbench.cache import CacheKey, ResultCache, estimate_answer_bytes, normalize_question
from workbench.core.config import CacheSettings
from workbench.cost.usage import Cost, Usage, WarehouseUsage

AS_OF = dt.date(2026, 6, 30)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_answer(
    question: str = "which products are low on stock",
    *,
    rows: int = 3,
    intent: Intent = Intent.SQL_QUERY,
    error: str | None = None,
) -> Answer:
    frame = pd.DataFrame(
        {"product_id": [f"P{i:04d}" for i in range(rows)], "on_hand": list(range(rows))}
    )
    return Answer(
        question=question,
        persona="warehouse_manager",
        intent=intent,
        agent="warehouse_manager_sql",
        sql="SELECT 1",
        frame=frame,
        answer=f"{rows} products are low on stock.",
        cost=Cost({}, {"redshift_serverless": 0.05}),
        usage=Usage(warehouse=[WarehouseUsage("duckdb", 12.0, None, rows)]),
        error=error,
    )


def key(question: str = "which products are low on stock", **overrides: object) -> CacheKey:
    params: dict[str, object] = {
        "persona": "warehouse_manager",
        "as_of": AS_OF,
        "plan": {"metric": "low_stock"},
        "backend": "duckdb",
        "data_version": "v1",
    }
    params.update(overrides)
    return ResultCache.key(question, **params)  # type: ignore[arg-type]


def test_normalized_questions_share_a_key() -> None:
    assert (
        normalize_question("  Which products are LOW   on stock?? ")
        == "which products are low on stock"
    )
    assert (
        key("Which products are LOW on stock?").digest
        == key("which products are low on stock").digest
    )


@pytest.mark.parametrize(
    "change",
    [
        {"persona": "field_engineer"},
        {"as_of": dt.date(2026, 7, 1)},
        {"plan": {"metric": "out_of_stock"}},
        {"backend": "redshift"},
        {"data_version": "v2"},
    ],
)
def test_every_parameter_is_part_of_the_key(change: dict[str, Any]) -> None:
    assert key(**change).digest != key().digest


def test_plan_objects_use_cache_key_or_to_dict() -> None:
    class Plan:
        def __init__(self, metric: str) -> None:
            self.metric = metric

        def to_dict(self) -> dict[str, str]:
            return {"metric": self.metric}

    assert key(plan=Plan("a")).digest == key(plan={"metric": "a"}).digest
    assert key(plan=Plan("a")).digest != key(plan=Plan("b")).digest


def test_hit_is_a_zero_cost_copy_marked_cached() -> None:
    cache = ResultCache(CacheSettings())
    original = make_answer()
    assert cache.get(key()) is None
    assert cache.put(key(), original)
    hit = cache.get(key())
    assert hit is not None and hit is not original
    assert hit.cached is True and original.cached is False
    assert hit.cost == Cost.zero() and hit.cost.aws_equivalent_total == 0
    assert hit.usage.warehouse == []
    pd.testing.assert_frame_equal(hit.frame, original.frame)
    # Changing the returned copy never changes what the cache serves next.
    hit.frame.loc[0, "on_hand"] = 999
    hit.details["x"] = 1
    again = cache.get(key())
    assert again is not None and again.frame.loc[0, "on_hand"] == 0 and "x" not in again.details
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (2, 1, 1)
    assert stats.hit_rate == pytest.approx(2 / 3)


def test_ttl_per_answer_kind_with_an_injected_clock() -> None:
    clock = FakeClock()
    cache = ResultCache(
        CacheSettings(ttl_seconds={"sql_query": 900.0, "optimization": 300.0}), clock=clock
    )
    cache.put(key("q1"), make_answer("q1"))
    cache.put(key("q2"), make_answer("q2", intent=Intent.OPTIMIZATION))
    clock.now += 299
    assert cache.get(key("q1")) is not None and cache.get(key("q2")) is not None
    clock.now += 2  # 301 s: the optimization answer expired, the SQL one has not
    assert cache.get(key("q2")) is None
    assert cache.get(key("q1")) is not None
    clock.now += 600  # 901 s
    assert cache.get(key("q1")) is None
    stats = cache.stats()
    assert stats.expirations == 2 and stats.entries == 0 and stats.bytes == 0


def test_unknown_kind_uses_default_and_zero_ttl_disables() -> None:
    cache = ResultCache(CacheSettings(ttl_seconds={"default": 10.0, "hybrid": 0.0}))
    assert cache.ttl_for("optimization") == 10.0
    assert cache.put(key(), make_answer(intent=Intent.HYBRID)) is False


def test_purge_expired() -> None:
    clock = FakeClock()
    cache = ResultCache(CacheSettings(ttl_seconds={"sql_query": 5.0}), clock=clock)
    for i in range(3):
        cache.put(key(f"q{i}"), make_answer(f"q{i}"))
    clock.now += 6
    assert cache.purge_expired() == 3
    assert len(cache) == 0 and cache.stats().expirations == 3


def test_lru_eviction_by_entries() -> None:
    cache = ResultCache(CacheSettings(max_entries=2))
    cache.put(key("a"), make_answer("a"))
    cache.put(key("b"), make_answer("b"))
    assert cache.get(key("a")) is not None  # a is now most recently used
    cache.put(key("c"), make_answer("c"))
    assert key("b") not in cache and key("a") in cache and key("c") in cache
    assert cache.stats().evictions == 1


def test_lru_eviction_by_bytes_and_oversized_answers_are_skipped() -> None:
    one = estimate_answer_bytes(make_answer("a", rows=50))
    cache = ResultCache(CacheSettings(max_bytes=int(one * 2.5)))
    for name in "abc":
        assert cache.put(key(name), make_answer(name, rows=50))
    stats = cache.stats()
    assert stats.entries == 2 and stats.evictions == 1 and stats.bytes <= stats.max_bytes
    assert key("a") not in cache
    assert cache.put(key("huge"), make_answer("huge", rows=5000)) is False


def test_size_estimate_grows_with_the_frame() -> None:
    assert (
        estimate_answer_bytes(make_answer(rows=1000))
        > estimate_answer_bytes(make_answer(rows=10)) + 10_000
    )


def test_errors_are_not_cached() -> None:
    cache = ResultCache()
    assert cache.put(key(), make_answer(error="Unknown product")) is False
    assert cache.get(key()) is None


def test_new_data_version_misses_and_purge_stale_frees_old_entries() -> None:
    cache = ResultCache()
    cache.put(key(data_version="v1"), make_answer())
    assert cache.get(key(data_version="v2")) is None
    assert cache.purge_stale("v2") == 1
    stats = cache.stats()
    assert stats.entries == 0 and stats.invalidations == 1 and stats.bytes == 0


def test_disabled_cache_counts_misses_and_stores_nothing() -> None:
    cache = ResultCache(CacheSettings(enabled=False))
    assert cache.put(key(), make_answer()) is False
    assert cache.get(key()) is None
    assert cache.stats().misses == 1 and len(cache) == 0


def test_statistics_add_up_under_threads() -> None:
    cache = ResultCache(CacheSettings(max_entries=20))
    lookups_per_thread = 300

    def work(t: int) -> None:
        for i in range(lookups_per_thread):
            k = key(f"q{(i * 7 + t) % 40}")
            if cache.get(k) is None:
                cache.put(k, make_answer(k.question))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    stats = cache.stats()
    assert stats.hits + stats.misses == 8 * lookups_per_thread
    assert stats.entries <= 20 and stats.hits > 0 and stats.evictions > 0
    resident = [f"q{i}" for i in range(40) if key(f"q{i}") in cache]
    assert len(resident) == stats.entries
    assert stats.bytes == sum(estimate_answer_bytes(make_answer(q)) for q in resident)
    assert stats.to_dict()["hit_rate"] == round(stats.hit_rate, 4)
