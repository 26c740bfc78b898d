"""Retries with exponential backoff and full jitter for transient and throttling errors."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from workbench.core.errors import WorkbenchError
from workbench.core.logs import log_event

T = TypeVar("T")
log = logging.getLogger(__name__)


def _default_is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, WorkbenchError) and exc.retryable


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. Delays follow "full jitter": uniform(0, min(cap, base * 2**n))."""

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0
    is_retryable: Callable[[BaseException], bool] = field(default=_default_is_retryable)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Sleep before retry number ``attempt`` (1-based)."""
        exponent = min(max(attempt - 1, 0), 62)  # 2**62 * base exceeds any sane cap
        ceiling = min(self.max_delay, self.base_delay * float(2**exponent))
        return (rng or random).uniform(0, ceiling)


def retry_call(
    fn: Callable[[], T],
    policy: RetryPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    what: str = "call",
) -> T:
    """Call ``fn`` until it succeeds, a non-retryable error occurs, or attempts run out.

    ``sleep`` and ``rng`` are injectable so tests never sleep and jitter is reproducible.
    The last error is raised unchanged when attempts run out.
    """
    policy = policy or RetryPolicy()
    if policy.attempts < 1:
        raise ValueError("RetryPolicy.attempts must be at least 1")
    attempt = 1
    while True:
        try:
            return fn()
        except Exception as exc:
            if attempt >= policy.attempts or not policy.is_retryable(exc):
                raise
            pause = policy.delay(attempt, rng)
            log_event(
                log,
                "retry",
                f"retrying {what} after {type(exc).__name__}",
                level=logging.WARNING,
                what=what,
                error=type(exc).__name__,
                attempt=attempt,
                attempts=policy.attempts,
                sleep_s=round(pause, 3),
            )
            sleep(pause)
            attempt += 1
