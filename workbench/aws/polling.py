"""Polling asynchronous AWS work (Redshift Data API statements, Athena queries)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import QueryError, QueryTimeoutError
from workbench.core.logs import log_event

__all__ = ["PollPolicy", "wait_until_final"]


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


def wait_until_final(
    describe: Callable[[], dict[str, Any]],
    status_of: Callable[[dict[str, Any]], str],
    reason_of: Callable[[dict[str, Any]], str],
    *,
    finished: str,
    failed: tuple[str, ...],
    cancel: Callable[[], None],
    policy: PollPolicy,
    backend: str,
    ids: Mapping[str, str],
    status_field: str = "status",
    sql: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    log: logging.Logger | None = None,
) -> dict[str, Any]:
    """Poll ``describe`` until the work is ``finished`` (its description is returned).

    A status in ``failed`` raises :class:`QueryError` with the server's reason in ``detail``
    ("FAILED": could not run; any other: cancelled); passing the timeout calls ``cancel``
    and raises :class:`QueryTimeoutError`. ``ids`` (``query_id`` / ``statement_id``) go
    into the errors and the log line, the status under ``status_field``.
    """
    logger = log or logging.getLogger(__name__)
    deadline = clock() + policy.timeout
    delays = policy.delays()
    while True:
        description = describe()
        status = status_of(description)
        if status == finished:
            return description
        if status in failed:
            reason = reason_of(description) or status
            log_event(
                logger,
                "query_failed",
                backend=backend,
                **ids,
                **{status_field: status},
                error=reason,
                sql=sql,
                level=logging.WARNING,
            )
            message = (
                "The warehouse could not run this query."
                if status == "FAILED"
                else "The query was cancelled on the warehouse."
            )
            raise QueryError(message, detail=reason, backend=backend, **ids, status=status)
        remaining = deadline - clock()
        if remaining <= 0:
            cancel()
            raise QueryTimeoutError(
                f"The query took longer than {policy.timeout:g} seconds and was stopped.",
                hint="Narrow the question (a shorter period or one warehouse) and try again.",
                timeout=policy.timeout,
                backend=backend,
                **ids,
            )
        sleep(min(next(delays), remaining))
