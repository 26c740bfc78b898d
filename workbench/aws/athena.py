"""Amazon Athena through awswrangler: start a query, poll it within a timeout, read its result.

``wr.athena.read_sql_query`` waits without a deadline, so a runaway query could not be
stopped, and it makes a new boto3 client for every call. This module starts and polls the
query with one client from :func:`workbench.aws.session.client` (exponential backoff,
overall timeout that stops the query) and keeps awswrangler for what it does well: reading
the result file with Athena's types (``wr.athena.get_query_results``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.aws.errors import translate
from workbench.aws.polling import PollPolicy, wait_until_final
from workbench.core.errors import QueryError, WorkbenchError
from workbench.core.logs import log_event
from workbench.warehouse.frames import athena_kind, coerce_frame

log = logging.getLogger(__name__)

SERVICE = "athena"


@dataclass(frozen=True)
class AthenaTarget:
    """Where queries run: a Glue database, a workgroup and (optionally) a result location."""

    database: str
    workgroup: str = "primary"
    s3_output: str | None = None


@dataclass
class AthenaOutcome:
    query_id: str
    execution: dict[str, Any]
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def bytes_scanned(self) -> int | None:
        value = self.execution.get("Statistics", {}).get("DataScannedInBytes")
        return None if value is None else int(value)

    @property
    def engine_ms(self) -> float | None:
        value = self.execution.get("Statistics", {}).get("EngineExecutionTimeInMillis")
        return None if value is None else float(value)


def _wrap(action: str, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except WorkbenchError:
        raise
    except Exception as exc:
        name = type(exc).__name__
        if name in {"QueryFailed", "QueryCancelled"}:
            raise QueryError(
                "The warehouse could not run this query.", detail=str(exc), backend="athena"
            ) from exc
        if type(exc).__module__.startswith(("botocore", "awswrangler")):
            raise translate(exc, service=SERVICE, action=action) from exc
        raise


def start(client: Any, sql: str, target: AthenaTarget) -> str:
    """Start ``sql`` and return the query execution id (result location: ``s3_output`` or the workgroup's)."""
    params: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": target.database},
        "WorkGroup": target.workgroup,
    }
    if target.s3_output:
        params["ResultConfiguration"] = {"OutputLocation": target.s3_output}
    response = _wrap("start_query_execution", client.start_query_execution, **params)
    return str(response["QueryExecutionId"])


def stop(client: Any, query_id: str) -> None:
    try:
        _wrap("stop_query_execution", client.stop_query_execution, QueryExecutionId=query_id)
    except Exception as exc:
        log_event(
            log, "athena_cancel_failed", query_id=query_id, error=str(exc), level=logging.WARNING
        )


def wait(
    client: Any,
    query_id: str,
    policy: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    sql: str | None = None,
) -> dict[str, Any]:
    """Poll until SUCCEEDED (returned), FAILED/CANCELLED (QueryError) or the timeout (cancel + QueryTimeoutError)."""

    def describe() -> dict[str, Any]:
        execution: dict[str, Any] = _wrap(
            "get_query_execution", client.get_query_execution, QueryExecutionId=query_id
        )["QueryExecution"]
        return execution

    def reason(execution: dict[str, Any]) -> str:
        status = execution.get("Status", {})
        return str(
            status.get("StateChangeReason")
            or status.get("AthenaError", {}).get("ErrorMessage")
            or ""
        )

    return wait_until_final(
        describe,
        lambda execution: str(execution.get("Status", {}).get("State", "")),
        reason,
        finished="SUCCEEDED",
        failed=("FAILED", "CANCELLED"),
        cancel=lambda: stop(client, query_id),
        policy=policy,
        backend="athena",
        ids={"query_id": query_id},
        status_field="state",
        sql=sql,
        sleep=sleep,
        clock=clock,
        log=log,
    )


def fetch_frame(wr: Any, query_id: str, *, boto3_session: Any = None) -> pd.DataFrame:
    """The result of a finished query, typed like the DuckDB backend's."""
    types: dict[str, str] = (
        _wrap(
            "get_query_columns_types",
            wr.athena.get_query_columns_types,
            query_execution_id=query_id,
            boto3_session=boto3_session,
        )
        or {}
    )
    raw = _wrap(
        "get_query_results",
        wr.athena.get_query_results,
        query_execution_id=query_id,
        boto3_session=boto3_session,
        use_threads=False,
    )
    if raw.shape[1] == 0 and types:
        raw = pd.DataFrame({name: [] for name in types})
    kinds = [athena_kind(types.get(str(c))) for c in raw.columns]
    return coerce_frame(raw, kinds)


def run(
    client: Any,
    wr: Any,
    sql: str,
    target: AthenaTarget,
    policy: PollPolicy,
    *,
    boto3_session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AthenaOutcome:
    """Start and poll with our Athena client, then read the result with awswrangler."""
    query_id = start(client, sql, target)
    execution = wait(client, query_id, policy, sleep=sleep, sql=sql)
    outcome = AthenaOutcome(query_id, execution)
    if execution.get("StatementType", "DML") == "DML":
        outcome.frame = fetch_frame(wr, query_id, boto3_session=boto3_session)
    return outcome
