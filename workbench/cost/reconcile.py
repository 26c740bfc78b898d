"""Compare the ledger with what AWS itself reports, and say by how much they differ.

* Redshift Serverless: ``SYS_SERVERLESS_USAGE.charged_seconds`` (RPU-seconds charged,
  60-second minimums included) of the configured workgroup over the same instants as the
  ledger days, against the RPU-seconds the ledger charged (``charged_seconds`` × base RPUs
  of its actual Redshift queries). The reconciling query itself runs on the workgroup and
  is billed like any other.
* Athena: ``DataScannedInBytes`` of every query execution the ledger recorded
  (``BatchGetQueryExecution``, 50 ids a call), billed with the same rounding and minimum,
  against the bytes the ledger billed.

Clients come from :mod:`workbench.aws.session`, made only for the services there is something
to compare (a configured workgroup, Athena ids in the ledger); tests pass Stubber-wrapped ones.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlglot import exp

from workbench.core.config import Settings
from workbench.core.errors import ConfigError
from workbench.cost.ledger import CostLedger
from workbench.cost.pricing import athena_billed_bytes, redshift_seconds_cost

_TB = 1024**4
_BATCH = 50


@dataclass(frozen=True)
class ReconcileLine:
    """One service: what the ledger charged, what AWS reports, and the difference (AWS − ledger)."""

    service: str
    unit: str
    ledger_units: float
    aws_units: float
    ledger_usd: float
    aws_usd: float
    items: int
    missing: int = 0

    @property
    def difference_units(self) -> float:
        return self.aws_units - self.ledger_units

    @property
    def difference_usd(self) -> float:
        return self.aws_usd - self.ledger_usd

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["difference_units"] = self.difference_units
        out["difference_usd"] = self.difference_usd
        return out


def _day_bounds(days: int, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of the first ledger day and of the day after today, as UTC instants."""
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time()).astimezone()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time()).astimezone()
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def serverless_usage_query(start: dt.datetime, end: dt.datetime) -> exp.Select:
    """``SUM(charged_seconds)`` of ``sys_serverless_usage`` between two UTC instants."""

    def stamp(value: dt.datetime) -> exp.Expression:
        text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
        return exp.cast(exp.Literal.string(text), exp.DataType.build("timestamp"))

    return (
        exp.select(
            exp.func(
                "COALESCE", exp.func("SUM", exp.column("charged_seconds")), exp.Literal.number(0)
            ).as_("charged_seconds"),
            exp.func("COUNT", exp.Star()).as_("periods"),
        )
        .from_("sys_serverless_usage")
        .where(exp.column("start_time").__ge__(stamp(start)))
        .where(exp.column("end_time").__le__(stamp(end)))
    )


def reconcile_redshift(
    ledger: CostLedger,
    settings: Settings,
    client: Any,
    *,
    days: int = 7,
    today: dt.date | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ReconcileLine:
    """Charged RPU-seconds: ledger versus ``SYS_SERVERLESS_USAGE`` of the workgroup."""
    from workbench.aws import redshift_data
    from workbench.aws.polling import PollPolicy
    from workbench.aws.redshift_data import DataApiTarget

    rs = settings.warehouse.redshift
    today = today or ledger.today()
    queries = ledger.queries(days, today=today)
    scope = f"redshift:{rs.workgroup or 'default'}"
    mine = queries[(queries["scope"] == scope) & (queries["actual"] == 1)]
    rpus = settings.cost.redshift_base_rpus
    ledger_rpu_seconds = float(mine["charged_seconds"].sum()) * rpus
    start, end = _day_bounds(days, today)
    sql = serverless_usage_query(start, end).sql(dialect="redshift")
    outcome = redshift_data.run(
        client,
        sql,
        DataApiTarget(workgroup=rs.workgroup or "", database=rs.database, secret_arn=rs.secret_arn),
        PollPolicy(
            timeout=settings.warehouse.timeout_seconds,
            initial=rs.poll_initial_seconds,
            maximum=rs.poll_max_seconds,
        ),
        row_limit=1,
        sleep=sleep,
    )
    frame = outcome.frame
    value: Any = frame.iloc[0, 0] if len(frame) else None
    aws_rpu_seconds = float(value) if value is not None and not pd.isna(value) else 0.0
    price = settings.cost.redshift_rpu_hour / 3600
    return ReconcileLine(
        service="redshift_serverless",
        unit="RPU-seconds",
        ledger_units=ledger_rpu_seconds,
        aws_units=aws_rpu_seconds,
        ledger_usd=redshift_seconds_cost(ledger_rpu_seconds / rpus, settings.cost) if rpus else 0.0,
        aws_usd=aws_rpu_seconds * price,
        items=len(mine),
    )


def reconcile_athena(
    ledger: CostLedger,
    settings: Settings,
    client: Any,
    *,
    days: int = 7,
    today: dt.date | None = None,
) -> ReconcileLine:
    """Billed bytes: ledger versus Athena's ``DataScannedInBytes`` per recorded query execution."""
    from workbench.aws.errors import call

    cost = settings.cost
    queries = ledger.queries(days, today=today)
    mine = queries[
        (queries["billed_as"] == "athena") & (queries["actual"] == 1) & queries["query_id"].notna()
    ]
    ids = [str(q) for q in dict.fromkeys(mine["query_id"])]
    ledger_bytes = float(mine["billed_bytes"].fillna(0).sum())
    aws_bytes = 0.0
    found = 0
    for i in range(0, len(ids), _BATCH):
        response = call(
            "athena",
            "batch_get_query_execution",
            client.batch_get_query_execution,
            QueryExecutionIds=ids[i : i + _BATCH],
        )
        for execution in response.get("QueryExecutions", []):
            scanned = (execution.get("Statistics") or {}).get("DataScannedInBytes")
            aws_bytes += athena_billed_bytes(scanned, cost)
            found += 1
    return ReconcileLine(
        service="athena",
        unit="bytes",
        ledger_units=ledger_bytes,
        aws_units=aws_bytes,
        ledger_usd=ledger_bytes / _TB * cost.athena_per_tb,
        aws_usd=aws_bytes / _TB * cost.athena_per_tb,
        items=len(ids),
        missing=len(ids) - found,
    )


def aws_clients(settings: Settings, services: list[str]) -> dict[str, Any]:
    """Clients for ``services`` (``redshift-data``, ``athena``) from the ``aws:`` settings."""
    from workbench.aws.session import client

    return {service: client(service, settings.aws) for service in services}


def services_to_check(
    ledger: CostLedger, settings: Settings, *, days: int, today: dt.date | None
) -> list[str]:
    """Redshift when a workgroup is configured; Athena when the ledger holds Athena query ids."""
    services = []
    if settings.warehouse.redshift.workgroup:
        services.append("redshift-data")
    queries = ledger.queries(days, today=today)
    if (
        (queries["billed_as"] == "athena") & (queries["actual"] == 1) & queries["query_id"].notna()
    ).any():
        services.append("athena")
    return services


def reconcile(
    ledger: CostLedger,
    settings: Settings,
    *,
    days: int = 7,
    today: dt.date | None = None,
    clients: dict[str, Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ReconcileLine]:
    """Every service the ledger can be checked against: Redshift (when a workgroup is set) and Athena.

    Raises :class:`~workbench.core.errors.ConfigError` when there is nothing on AWS to compare
    with (no workgroup configured and no Athena queries in the ledger).
    """
    if clients is None:
        services = services_to_check(ledger, settings, days=days, today=today)
        if not services:
            raise ConfigError(
                "Nothing to reconcile: no Redshift workgroup is configured and the ledger holds "
                f"no Athena queries in the last {days} day(s).",
                hint="Set warehouse.redshift.workgroup, or run questions on Athena first.",
                key="warehouse.redshift.workgroup",
            )
        clients = aws_clients(settings, services)
    lines = []
    if "redshift-data" in clients:
        lines.append(
            reconcile_redshift(
                ledger, settings, clients["redshift-data"], days=days, today=today, sleep=sleep
            )
        )
    if "athena" in clients:
        lines.append(reconcile_athena(ledger, settings, clients["athena"], days=days, today=today))
    return lines
