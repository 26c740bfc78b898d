"""Athena over Glue and S3: serverless SQL billed by bytes scanned.

Queries render in sqlglot's ``athena`` dialect (Trino SQL for queries) and run through
awswrangler in the configured workgroup, with results written to ``s3_output`` (or the
workgroup's location). Every result reports ``bytes_scanned`` for the cost ledger. Tables,
descriptions and the data version come from the Glue Data Catalog
(:class:`~workbench.warehouse.glue_schema.GlueSchemaProvider`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from workbench.aws import athena as athena_api
from workbench.aws.athena import AthenaTarget
from workbench.aws.session import awswrangler, make_session
from workbench.warehouse.base import QueryResult, TableInfo, register_warehouse
from workbench.warehouse.glue_schema import GlueSchemaProvider
from workbench.warehouse.polled import PolledServiceWarehouse

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings, Settings

log = logging.getLogger(__name__)


class AthenaWarehouse(PolledServiceWarehouse):
    """Read-only access to the data tables of one Glue database through Athena.

    :attr:`client` is the Athena client; awswrangler reads results with its own.
    """

    name = "athena"
    dialect = "athena"
    service = "athena"

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
        super().__init__(
            aws=aws,
            boto3_session=boto3_session,
            row_limit=row_limit,
            timeout=timeout,
            poll_initial=poll_initial,
            poll_max=poll_max,
            version_cache_seconds=version_cache_seconds,
            sleep=sleep,
        )
        self.target = target
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
        text = self._render(sql)
        limit = self.row_limit if row_limit is None else row_limit
        wr = awswrangler(self._aws)
        start = time.perf_counter()
        outcome = athena_api.run(
            self.client,
            wr,
            text,
            self.target,
            self._policy(timeout),
            boto3_session=self._boto3_session(),
            sleep=self._sleep,
        )
        duration_ms = (time.perf_counter() - start) * 1000
        frame = outcome.frame
        truncated = len(frame) > limit
        if truncated:
            frame = frame.iloc[:limit]
        self._log_query(
            log,
            text,
            duration_ms,
            len(frame),
            truncated,
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
