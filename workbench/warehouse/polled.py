"""What the two AWS warehouses share: a serverless service polled for each statement.

Redshift Serverless (Data API) and Athena both submit a statement, poll it with backoff
inside the query timeout and bill per statement; they differ in how a statement runs and
what it reports. This base holds the common half (poll settings, the lazily made boto3
client, SQL rendering, the ``query`` log line) so each adapter keeps only its service calls.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from sqlglot import exp

from workbench.aws.polling import PollPolicy
from workbench.aws.session import client as aws_client
from workbench.core.logs import log_event
from workbench.warehouse.base import QueryResult

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings

__all__ = ["PolledServiceWarehouse"]


class PolledServiceWarehouse:
    """Base of the AWS adapters; subclasses set ``name``, ``dialect``, ``service`` and ``execute``."""

    name: str = ""
    dialect: str = ""
    #: The boto3 service name of :attr:`client` ("redshift-data", "athena").
    service: ClassVar[str] = ""

    def __init__(
        self,
        *,
        aws: AwsSettings | None = None,
        boto3_session: Any = None,
        row_limit: int = 10_000,
        timeout: float = 30.0,
        poll_initial: float = 0.25,
        poll_max: float = 2.0,
        version_cache_seconds: float = 30.0,
        sleep: Any = time.sleep,
    ) -> None:
        self.row_limit = row_limit
        self.timeout = timeout
        self.poll_initial = poll_initial
        self.poll_max = poll_max
        self.version_cache_seconds = version_cache_seconds
        self._aws = aws
        self._session: Any = boto3_session
        self._sleep = sleep
        self._lock = threading.Lock()
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The service client, made on first use (no client and no network before a query)."""
        with self._lock:
            if self._client is None:
                self._client = aws_client(self.service, self._aws, boto3_session=self._session)
            return self._client

    def _policy(self, timeout: float | None) -> PollPolicy:
        return PollPolicy(
            timeout=self.timeout if timeout is None else timeout,
            initial=self.poll_initial,
            maximum=self.poll_max,
        )

    def _render(self, sql: str | exp.Expression) -> str:
        return sql.sql(dialect=self.dialect) if isinstance(sql, exp.Expression) else sql

    def _log_query(
        self,
        log: logging.Logger,
        text: str,
        duration_ms: float,
        rows: int,
        truncated: bool,
        **fields: Any,
    ) -> None:
        log_event(
            log,
            "query",
            backend=self.name,
            sql=text,
            duration_ms=round(duration_ms, 3),
            rows=rows,
            truncated=truncated,
            **fields,
        )

    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        raise NotImplementedError

    def query(self, sql: str | exp.Expression) -> pd.DataFrame:
        return self.execute(sql).frame
