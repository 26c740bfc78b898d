"""Polling asynchronous AWS work (Redshift Data API statements, Athena queries)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PollPolicy:
    """Exponential backoff between status calls, within an overall timeout (seconds)."""

    timeout: float = 30.0
    initial: float = 0.25
    maximum: float = 2.0
    factor: float = 2.0

    def delays(self) -> Iterator[float]:
        """initial, initial*factor, ... capped at maximum, forever."""
        delay = self.initial
        while True:
            yield delay
            delay = min(self.maximum, delay * self.factor)
