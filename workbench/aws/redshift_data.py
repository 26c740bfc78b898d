"""Amazon Redshift Data API: submit a statement, poll it, page through its result.

The Data API is asynchronous: ``execute_statement`` returns an id at once, the statement
runs on the workgroup, ``describe_statement`` reports SUBMITTED / PICKED / STARTED and
finally FINISHED, FAILED or ABORTED, and ``get_statement_result`` returns typed rows in
pages linked by ``NextToken``. Everything here takes the client made by
:func:`workbench.aws.session.client`, so retries, timeouts and endpoints are configured once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.aws.errors import call
from workbench.aws.polling import PollPolicy, wait_until_final
from workbench.core.errors import ConfigError
from workbench.core.logs import log_event
from workbench.warehouse.frames import Kind, build_frame, redshift_kind

log = logging.getLogger(__name__)

SERVICE = "redshift-data"
FINAL_STATES = frozenset({"FINISHED", "FAILED", "ABORTED"})


@dataclass(frozen=True)
class DataApiTarget:
    """Where statements run: a Serverless workgroup and database, optionally via a secret."""

    workgroup: str
    database: str = "dev"
    secret_arn: str | None = None

    def __post_init__(self) -> None:
        if not self.workgroup:
            raise ConfigError(
                "Redshift needs a Serverless workgroup name.",
                issues=["warehouse.redshift.workgroup: not set"],
                key="warehouse.redshift.workgroup",
            )

    def request(self, sql: str) -> dict[str, Any]:
        """The ``execute_statement`` parameters for ``sql``."""
        params: dict[str, Any] = {
            "WorkgroupName": self.workgroup,
            "Database": self.database,
            "Sql": sql,
        }
        if self.secret_arn:
            params["SecretArn"] = self.secret_arn
        return params


@dataclass
class StatementOutcome:
    """A finished statement: its description and, when it returned rows, the frame."""

    statement_id: str
    description: dict[str, Any]
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    truncated: bool = False
    pages: int = 0

    @property
    def server_duration_ms(self) -> float | None:
        """Execution time on the workgroup (the API reports nanoseconds)."""
        nanos = self.description.get("Duration")
        return None if nanos is None or nanos < 0 else nanos / 1e6


def submit(client: Any, sql: str, target: DataApiTarget) -> str:
    """Start ``sql`` on the target and return the statement id."""
    response = call(SERVICE, "execute_statement", client.execute_statement, **target.request(sql))
    return str(response["Id"])


def submit_batch(client: Any, sqls: list[str], target: DataApiTarget) -> str:
    """Start several statements that the Data API runs in order, in one transaction."""
    params = target.request(sqls[0])
    del params["Sql"]
    params["Sqls"] = list(sqls)
    response = call(SERVICE, "batch_execute_statement", client.batch_execute_statement, **params)
    return str(response["Id"])


def cancel(client: Any, statement_id: str) -> None:
    """Best-effort cancel (the statement may have finished meanwhile)."""
    try:
        call(SERVICE, "cancel_statement", client.cancel_statement, Id=statement_id)
    except (
        Exception
    ) as exc:  # already finished, gone, or no permission: the timeout is reported anyway
        log_event(
            log,
            "redshift_cancel_failed",
            statement_id=statement_id,
            error=str(exc),
            level=logging.WARNING,
        )


def wait(
    client: Any,
    statement_id: str,
    policy: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    sql: str | None = None,
) -> dict[str, Any]:
    """Poll until the statement is final; FAILED/ABORTED raise QueryError, timeout cancels it."""
    return wait_until_final(
        lambda: call(SERVICE, "describe_statement", client.describe_statement, Id=statement_id),
        lambda desc: str(desc.get("Status", "")),
        lambda desc: str(desc.get("Error") or ""),
        finished="FINISHED",
        failed=("FAILED", "ABORTED"),
        cancel=lambda: cancel(client, statement_id),
        policy=policy,
        backend="redshift",
        ids={"statement_id": statement_id},
        sql=sql,
        sleep=sleep,
        clock=clock,
        log=log,
    )


def _field_value(cell: dict[str, Any]) -> Any:
    """The Python value of one Data API ``Field`` union member."""
    if cell.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue"):
        if key in cell:
            return cell[key]
    if "blobValue" in cell:
        return bytes(cell["blobValue"])
    return None


def fetch_frame(
    client: Any, statement_id: str, *, row_limit: int | None = None
) -> tuple[pd.DataFrame, bool, int]:
    """All result pages of a finished statement as one frame.

    Stops paging once ``row_limit + 1`` rows are in hand (the extra row proves truncation).
    Returns ``(frame, truncated, pages)``.
    """
    names: list[str] = []
    kinds: list[Kind] = []
    columns: list[list[Any]] = []
    rows = 0
    pages = 0
    token: str | None = None
    truncated = False
    while True:
        kwargs: dict[str, Any] = {"Id": statement_id}
        if token:
            kwargs["NextToken"] = token
        page = call(SERVICE, "get_statement_result", client.get_statement_result, **kwargs)
        pages += 1
        if not names:
            meta = page.get("ColumnMetadata") or []
            names = [str(m.get("label") or m.get("name")) for m in meta]
            kinds = [redshift_kind(m.get("typeName")) for m in meta]
            columns = [[] for _ in names]
        for record in page.get("Records") or []:
            if row_limit is not None and rows >= row_limit:
                truncated = True
                break
            for i, cell in enumerate(record):
                columns[i].append(_field_value(cell))
            rows += 1
        token = page.get("NextToken")
        if truncated or not token:
            break
    return build_frame(names, kinds, columns), truncated, pages


def run(
    client: Any,
    sql: str,
    target: DataApiTarget,
    policy: PollPolicy,
    *,
    row_limit: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> StatementOutcome:
    """Submit, wait and fetch: one statement from start to rows."""
    statement_id = submit(client, sql, target)
    desc = wait(client, statement_id, policy, sleep=sleep, sql=sql)
    outcome = StatementOutcome(statement_id, desc)
    if desc.get("HasResultSet"):
        outcome.frame, outcome.truncated, outcome.pages = fetch_frame(
            client, statement_id, row_limit=row_limit
        )
    return outcome
