"""The error hierarchy (structured fields, user-facing messages) and the retry helper."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import pytest

from workbench.core import errors as E
from workbench.core.retry import RetryPolicy, retry_call


# -- errors ----------------------------------------------------------------------------------
def test_every_error_is_a_workbench_error_with_a_unique_code() -> None:
    classes = [
        obj
        for obj in vars(E).values()
        if isinstance(obj, type) and issubclass(obj, E.WorkbenchError)
    ]
    assert len(classes) >= 15
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    # none shadows a builtin exception name (vanna's mistake)
    import builtins

    assert not [c.__name__ for c in classes if hasattr(builtins, c.__name__)]


def test_to_dict_has_code_message_hint_and_fields() -> None:
    err = E.DataNotFoundError(
        "No data has been loaded yet.",
        hint="Run 'workbench data generate'.",
        detail="stack trace here",
        path="/tmp/x.duckdb",
    )
    d = err.to_dict()
    assert d == {
        "error": "data_not_found",
        "message": "No data has been loaded yet.",
        "retryable": False,
        "hint": "Run 'workbench data generate'.",
        "path": "/tmp/x.duckdb",
    }
    assert "detail" not in d  # technical detail is for logs, not for users
    assert err.detail == "stack trace here"
    assert str(err) == "No data has been loaded yet. Run 'workbench data generate'."
    assert isinstance(err, E.DataError)


def test_to_dict_is_json_safe() -> None:
    err = E.QueryRefusedError(
        "Refused.",
        reason="unknown_table",
        tables=frozenset({"b", "a"}),
        obj=object(),
        nested={"k": (1, 2)},
    )
    d = err.to_dict()
    json.dumps(d)  # does not raise
    assert d["reason"] == "unknown_table"
    assert d["tables"] == ["a", "b"]
    assert d["nested"] == {"k": [1, 2]}
    assert err.reason == "unknown_table"


def test_fields_do_not_override_core_keys() -> None:
    d = E.WorkbenchError("Real message.", message_extra=1, error="sneaky").to_dict()
    assert d["error"] == "workbench_error"
    assert d["message"] == "Real message."


def test_config_error_lists_issues() -> None:
    err = E.ConfigError(
        "Invalid configuration: 2 problem(s).", issues=["a.b: bad", "c: worse"], key="a.b"
    )
    assert str(err).splitlines() == [
        "Invalid configuration: 2 problem(s).",
        "  - a.b: bad",
        "  - c: worse",
    ]
    assert err.to_dict()["issues"] == ["a.b: bad", "c: worse"]
    assert err.to_dict()["key"] == "a.b"


def test_missing_dependency_says_what_to_install() -> None:
    err = E.MissingDependencyError("boto3", extra="aws", feature="The Redshift backend")
    assert "boto3" in err.message and "The Redshift backend" in err.message
    assert err.hint == "Run: pip install 'workbench[aws]'"
    assert err.to_dict()["package"] == "boto3"


def test_not_understood_carries_suggestions() -> None:
    err = E.NotUnderstoodError("I did not understand.", suggestions=["What is low on stock?"])
    assert err.suggestions == ["What is low on stock?"]
    assert err.to_dict()["suggestions"] == ["What is low on stock?"]


def test_retryable_flags() -> None:
    assert E.TransientError("x").retryable
    assert E.ThrottledError("x").retryable and isinstance(E.ThrottledError("x"), E.TransientError)
    assert not E.ServiceError("x").retryable
    assert not E.QueryError("x").retryable
    # a timed-out query would time out again: retrying only multiplies the wait
    assert not E.QueryTimeoutError("x").retryable
    assert not E.ConfigError("x").retryable


# -- retry -----------------------------------------------------------------------------------
class Flaky:
    """Fails with the given errors in turn, then returns ``value``."""

    def __init__(self, failures: Sequence[BaseException], value: str = "ok") -> None:
        self.failures = list(failures)
        self.calls = 0
        self.value = value

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.value


def test_retries_transient_errors_until_success() -> None:
    sleeps: list[float] = []
    fn = Flaky([E.ThrottledError("slow down"), E.TransientError("blip")])
    result = retry_call(
        fn,
        RetryPolicy(attempts=5, base_delay=0.1, max_delay=1.0),
        sleep=sleeps.append,
        rng=random.Random(1),
    )
    assert result == "ok"
    assert fn.calls == 3
    assert len(sleeps) == 2


def test_non_retryable_raised_at_once() -> None:
    sleeps: list[float] = []
    fn = Flaky([E.ServiceError("access denied")])
    with pytest.raises(E.ServiceError):
        retry_call(fn, RetryPolicy(attempts=5), sleep=sleeps.append)
    assert fn.calls == 1 and sleeps == []
    fn2 = Flaky([ValueError("bug")])
    with pytest.raises(ValueError):
        retry_call(fn2, RetryPolicy(attempts=5), sleep=sleeps.append)
    assert fn2.calls == 1 and sleeps == []


def test_gives_up_after_attempts_with_the_last_error() -> None:
    sleeps: list[float] = []
    errors = [E.ThrottledError(f"throttled {i}") for i in range(10)]
    fn = Flaky(errors)
    with pytest.raises(E.ThrottledError, match="throttled 3"):
        retry_call(fn, RetryPolicy(attempts=4), sleep=sleeps.append, rng=random.Random(0))
    assert fn.calls == 4
    assert len(sleeps) == 3  # no sleep after the last attempt


def test_backoff_is_full_jitter_bounded_by_cap() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=3.0)
    rng = random.Random(42)
    expected_rng = random.Random(42)
    for attempt in range(1, 10):
        ceiling = min(3.0, 0.5 * 2 ** (attempt - 1))
        delay = policy.delay(attempt, rng)
        assert 0 <= delay <= ceiling
        assert delay == expected_rng.uniform(0, ceiling)  # exactly full jitter: uniform(0, ceiling)


def test_jitter_spreads_and_grows() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=100.0)
    rng = random.Random(7)
    first = [policy.delay(1, rng) for _ in range(500)]
    fourth = [policy.delay(4, rng) for _ in range(500)]
    assert max(first) <= 1.0 and max(fourth) <= 8.0
    assert max(fourth) > 4.0  # the ceiling doubles each attempt
    assert len({round(d, 6) for d in first}) > 400  # jitter: not one fixed delay
    assert 0.4 < sum(first) / len(first) < 0.6  # mean of uniform(0, 1)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert 0 <= RetryPolicy(max_delay=5.0).delay(5000, random.Random(0)) <= 5.0


def test_seeded_rng_makes_sleeps_reproducible() -> None:
    def run() -> list[float]:
        sleeps: list[float] = []
        with pytest.raises(E.TransientError):
            retry_call(
                Flaky([E.TransientError("x")] * 6),
                RetryPolicy(attempts=6),
                sleep=sleeps.append,
                rng=random.Random(123),
            )
        return sleeps

    assert run() == run()


def test_custom_retryable_predicate() -> None:
    sleeps: list[float] = []
    fn = Flaky([ConnectionResetError("reset")])
    policy = RetryPolicy(attempts=3, is_retryable=lambda exc: isinstance(exc, ConnectionError))
    assert retry_call(fn, policy, sleep=sleeps.append) == "ok"
    assert fn.calls == 2 and len(sleeps) == 1


def test_invalid_attempts_rejected() -> None:
    with pytest.raises(ValueError):
        retry_call(lambda: 1, RetryPolicy(attempts=0))
