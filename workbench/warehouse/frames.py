"""One pandas shape for every backend's results.

DuckDB returns integers as int64 (nullable ``Int64``-style when NULLs appear), decimals as
float64, dates and timestamps as ``datetime64[us]``, text as ``str`` and booleans as bool.
The Redshift Data API returns typed JSON fields and Athena returns CSV read by awswrangler;
both are mapped here to the same dtypes so agents, charts and tests never care which
warehouse answered.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pandas as pd

Kind = Literal["int", "float", "decimal", "bool", "date", "timestamp", "timestamptz", "string"]

_REDSHIFT_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("int2", "int4", "int8", "smallint", "integer", "bigint", "oid", "int"), "int"),
    **dict.fromkeys(("float4", "float8", "real", "double precision", "float", "double"), "float"),
    **dict.fromkeys(("numeric", "decimal"), "decimal"),
    **dict.fromkeys(("bool", "boolean"), "bool"),
    "date": "date",
    **dict.fromkeys(("timestamp", "timestamp without time zone"), "timestamp"),
    **dict.fromkeys(("timestamptz", "timestamp with time zone"), "timestamptz"),
}

_ATHENA_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("tinyint", "smallint", "integer", "int", "bigint"), "int"),
    **dict.fromkeys(("float", "real", "double"), "float"),
    "decimal": "decimal",
    "boolean": "bool",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp with time zone": "timestamptz",
}


def redshift_kind(type_name: str | None) -> Kind:
    """The value kind of a Redshift Data API ``ColumnMetadata.typeName`` (int4, numeric, ...)."""
    base = (type_name or "").strip().lower().split("(")[0].strip()
    return _REDSHIFT_KINDS.get(base, "string")


def athena_kind(type_name: str | None) -> Kind:
    """The value kind of an Athena ``ColumnInfo.Type`` (integer, decimal, varchar, ...)."""
    base = (type_name or "").strip().lower().split("(")[0].strip()
    return _ATHENA_KINDS.get(base, "string")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _to_float(value: Any) -> float:
    if isinstance(value, float | int):
        return float(value)
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return float(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "t", "1", "yes"}
    return bool(value)


def build_series(name: str, kind: Kind, values: Sequence[Any]) -> pd.Series:
    """A column of ``kind`` with DuckDB-compatible dtype; ``None``/NaN/NA mean NULL."""
    has_null = any(_missing(v) for v in values)
    if kind == "int":
        ints = [None if _missing(v) else int(v) for v in values]
        return pd.Series(ints, name=name, dtype="Int64" if has_null else "int64")
    if kind in ("float", "decimal"):
        return pd.Series(
            [math.nan if _missing(v) else _to_float(v) for v in values], name=name, dtype="float64"
        )
    if kind == "bool":
        bools = [None if _missing(v) else _to_bool(v) for v in values]
        return pd.Series(bools, name=name, dtype="boolean" if has_null else "bool")
    if kind in ("date", "timestamp"):
        stamps = [
            None
            if _missing(v)
            else (dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v)
            for v in values
        ]
        return pd.Series(
            pd.to_datetime(pd.Series(stamps, dtype="object"), format="ISO8601"), name=name
        ).astype("datetime64[us]")
    if kind == "timestamptz":
        stamps = [None if _missing(v) else v for v in values]
        return pd.Series(
            pd.to_datetime(pd.Series(stamps, dtype="object"), format="ISO8601", utc=True), name=name
        ).astype("datetime64[us, UTC]")
    texts = [None if _missing(v) else str(v) for v in values]
    if texts and all(t is None for t in texts):
        return pd.Series(texts, name=name, dtype="object")
    return pd.Series(texts, name=name, dtype="str")


def build_frame(
    names: Sequence[str], kinds: Sequence[Kind], columns: Sequence[Sequence[Any]]
) -> pd.DataFrame:
    """A DataFrame from column-major values, one kind per column."""
    if not names:
        return pd.DataFrame()
    series = [build_series(n, k, c) for n, k, c in zip(names, kinds, columns, strict=True)]
    return pd.concat(series, axis=1)


def coerce_frame(frame: pd.DataFrame, kinds: Sequence[Kind]) -> pd.DataFrame:
    """Re-type an existing frame (e.g. from awswrangler) column by column."""
    columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
    return build_frame([str(c) for c in frame.columns], list(kinds), columns)
