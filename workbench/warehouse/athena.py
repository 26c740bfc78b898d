"""Athena over Glue and S3: serverless SQL billed by bytes scanned.

Queries render in sqlglot's ``athena`` dialect (Trino SQL for queries) and run through
awswrangler in the configured workgroup, with results written to ``s3_output`` (or the
workgroup's location). Every result reports ``bytes_scanned`` for the cost ledger. Tables,
descriptions and the data version come from the Glue Data Catalog
(:class:`~workbench.warehouse.glue_schema.GlueSchemaProvider`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlglot import exp

from workbench.aws import athena as athena_api
from workbench.aws.athena import AthenaTarget
from workbench.aws.polling import PollPolicy
from workbench.aws.session import awswrangler, make_session
from workbench.aws.session import client as aws_client
from workbench.core.logs import log_event
from workbench.warehouse.base import QueryResult, TableInfo, register_warehouse
from workbench.warehouse.glue_schema import GlueSchemaProvider

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings, Settings

log = logging.getLogger(__name__)


class AthenaWarehouse:
    """Read-only access to the data tables of one Glue database through Athena."""

    name = "athena"
    dialect = "athena"

    def __init__(
        self,
        target: AthenaTarget,
        *,
        aws: AwsSettings | None = None,
        boto3_session: Any = None,
        row_limit: int = 10_000,
        timeout: float = 30.0,
        poll_initial: float = 0.25,
        poll_max: float = 2.0,
        catalog_cache_seconds: float = 300.0,
        version_cache_seconds: float = 30.0,
        sleep: Any = time.sleep,
    ) -> None:
        self.target = target
        self.row_limit = row_limit
        self.timeout = timeout
        self.poll_initial = poll_initial
        self.poll_max = poll_max
        self.version_cache_seconds = version_cache_seconds
        self._aws = aws
        self._sleep = sleep
        self._lock = threading.Lock()
        self._session: Any = boto3_session
        self._client: Any = None
        self.schema = GlueSchemaProvider(
            target.database,
            boto3_session=boto3_session,
            aws=aws,
            cache_seconds=catalog_cache_seconds,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, boto3_session: Any = None) -> AthenaWarehouse:
        ath = settings.warehouse.athena
        return cls(
            AthenaTarget(database=ath.database, workgroup=ath.workgroup, s3_output=ath.s3_output),
            aws=settings.aws,
            boto3_session=boto3_session,
            row_limit=settings.warehouse.row_limit,
            timeout=settings.warehouse.timeout_seconds,
            poll_initial=ath.poll_initial_seconds,
            poll_max=ath.poll_max_seconds,
            catalog_cache_seconds=ath.catalog_cache_seconds,
            version_cache_seconds=ath.version_cache_seconds,
        )

    @property
    def client(self) -> Any:
        """The Athena client (made once; awswrangler reads results with its own)."""
        with self._lock:
            if self._client is None:
                self._client = aws_client("athena", self._aws, boto3_session=self._session)
            return self._client

    def _boto3_session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = make_session(self._aws)
            return self._session

    # -- port ----------------------------------------------------------------------------
    def execute(
        self,
        sql: str | exp.Expression,
        *,
        timeout: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        text = sql.sql(dialect=self.dialect) if isinstance(sql, exp.Expression) else sql
        limit = self.row_limit if row_limit is None else row_limit
        wr = awswrangler(self._aws)
        policy = PollPolicy(
            timeout=self.timeout if timeout is None else timeout,
            initial=self.poll_initial,
            maximum=self.poll_max,
        )
        start = time.perf_counter()
        outcome = athena_api.run(
            self.client,
            wr,
            text,
            self.target,
            policy,
            boto3_session=self._boto3_session(),
            sleep=self._sleep,
        )
        duration_ms = (time.perf_counter() - start) * 1000
        frame = outcome.frame
        truncated = len(frame) > limit
        if truncated:
            frame = frame.iloc[:limit]
        log_event(
            log,
            "query",
            backend=self.name,
            sql=text,
            duration_ms=round(duration_ms, 3),
            rows=len(frame),
            truncated=truncated,
            query_id=outcome.query_id,
            bytes_scanned=outcome.bytes_scanned,
        )
        return QueryResult(
            frame=frame,
            sql=text,
            backend=self.name,
            duration_ms=duration_ms,
            query_id=outcome.query_id,
            bytes_scanned=outcome.bytes_scanned,
            truncated=truncated,
            extra={"engine_ms": outcome.engine_ms, "workgroup": self.target.workgroup},
        )

    def query(self, sql: str | exp.Expression) -> pd.DataFrame:
        return self.execute(sql).frame

    def tables(self) -> list[TableInfo]:
        return self.schema.tables()

    def data_version(self) -> str:
        return self.schema.version(max_age=self.version_cache_seconds)

    def invalidate(self) -> None:
        """Forget cached catalog reads (after a load)."""
        self.schema.invalidate()

    def close(self) -> None:
        """Nothing to release: awswrangler clients are per call."""


@register_warehouse("athena")
def _athena_factory(settings: Settings) -> AthenaWarehouse:
    return AthenaWarehouse.from_settings(settings)
