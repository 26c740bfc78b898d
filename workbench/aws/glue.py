"""AWS Glue Data Catalog through awswrangler: the Athena tables, their columns and descriptions.

One paginated ``GetTables`` call returns every table of a database with its column types,
comments, partition keys, description, parameters and update time, so the schema provider
reads the whole catalog at once instead of three calls per table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from workbench.aws.errors import translate
from workbench.core.errors import WorkbenchError
from workbench.warehouse.base import ColumnInfo, TableInfo

SERVICE = "glue"
#: Table parameter the loader sets on every table it writes; part of the data version.
LOAD_ID_PARAMETER = "workbench_load_id"


def _wrap(action: str, fn: Any, /, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except WorkbenchError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith(("botocore", "awswrangler")):
            raise translate(exc, service=SERVICE, action=action) from exc
        raise


def get_tables(wr: Any, database: str, *, boto3_session: Any = None) -> list[dict[str, Any]]:
    """Every table definition in ``database`` (raw Glue dicts)."""
    return list(
        _wrap(
            "get_tables",
            lambda **kw: list(wr.catalog.get_tables(**kw)),
            database=database,
            boto3_session=boto3_session,
        )
    )


def ensure_database(
    wr: Any, database: str, *, description: str = "", boto3_session: Any = None
) -> None:
    """Create the Glue database if it does not exist."""
    _wrap(
        "create_database",
        wr.catalog.create_database,
        name=database,
        description=description or None,
        exist_ok=True,
        boto3_session=boto3_session,
    )


def table_info(raw: dict[str, Any]) -> TableInfo:
    """A :class:`TableInfo` from a Glue table dict (partition keys listed after the columns)."""
    storage = raw.get("StorageDescriptor") or {}
    cols = [*(storage.get("Columns") or []), *(raw.get("PartitionKeys") or [])]
    columns = tuple(
        ColumnInfo(str(c["Name"]), str(c.get("Type", "")), str(c.get("Comment") or ""))
        for c in cols
    )
    return TableInfo(str(raw["Name"]), columns, str(raw.get("Description") or ""))


def catalog_version(raws: Iterable[dict[str, Any]]) -> str:
    """A fingerprint that changes when a table is rewritten: load id parameter and update time."""
    parts = []
    for raw in sorted(raws, key=lambda r: str(r.get("Name"))):
        params = raw.get("Parameters") or {}
        parts.append(
            f"{raw.get('Name')}|{params.get(LOAD_ID_PARAMETER, '')}|{raw.get('UpdateTime', '')}"
        )
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]
