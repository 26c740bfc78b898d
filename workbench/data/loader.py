"""Writing generated tables to DuckDB (atomically) and exporting them to Parquet.

The warehouse file is built under a temporary name in the same directory and moved onto
``warehouse.duckdb`` with ``os.replace``: a crash never leaves a half-written warehouse and a
reader that opens the file sees either the previous load or the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.core.errors import DataError, DataNotFoundError
from workbench.data.schema import TABLES, TABLES_BY_NAME, render_ddl

__all__ = [
    "LOAD_TABLE",
    "READ_ONLY_CONFIG",
    "LoadInfo",
    "connect_read_only",
    "export_parquet",
    "read_load_info",
    "write_duckdb",
]

#: Bookkeeping table written beside the data tables (one row per load).
LOAD_TABLE = "workbench_load"
_EXPORT_BATCH_ROWS = 1_000_000

_LOAD_DDL = (
    f"CREATE TABLE {LOAD_TABLE} ("
    "load_id UUID NOT NULL, scale VARCHAR NOT NULL, seed BIGINT NOT NULL, end_date DATE NOT NULL, "
    "generated_at TIMESTAMP NOT NULL, generator_version VARCHAR NOT NULL, row_counts VARCHAR NOT NULL)"
)


@dataclass(frozen=True)
class LoadInfo:
    """The ``workbench_load`` row: which data is in the file."""

    load_id: str
    scale: str
    seed: int
    end_date: dt.date
    generated_at: dt.datetime
    rows: dict[str, int]
    generator_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "scale": self.scale,
            "seed": self.seed,
            "end_date": self.end_date.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "rows": dict(self.rows),
            "generator_version": self.generator_version,
        }


def write_duckdb(
    path: str | os.PathLike[str],
    chunks: Iterable[tuple[str, pa.Table]],
    *,
    scale: str,
    seed: int,
    end_date: dt.date,
    memory_limit: str | None = None,
) -> LoadInfo:
    """Create every table from ``render_ddl('duckdb')``, append the chunks, then swap the file in."""
    from workbench.data.generator import GENERATOR_VERSION

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    rows = {t.name: 0 for t in TABLES}
    load_id = str(uuid.uuid4())
    generated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    try:
        config: dict[str, str | bool | int | float | list[str]] = {"preserve_insertion_order": True}
        if memory_limit:
            config["memory_limit"] = memory_limit
        con = duckdb.connect(str(tmp), config=config)
        try:
            for ddl in render_ddl("duckdb"):
                con.execute(ddl)
            for name, chunk in chunks:
                if name not in TABLES_BY_NAME:
                    raise DataError(
                        f"The generator produced an unknown table '{name}'.", table=name
                    )
                con.register("_chunk", chunk)
                # Table names come from the schema module, never from user input.
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _chunk')
                con.unregister("_chunk")
                rows[name] += chunk.num_rows
            con.execute(_LOAD_DDL)
            con.execute(
                f"INSERT INTO {LOAD_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    scale,
                    seed,
                    end_date,
                    generated_at,
                    GENERATOR_VERSION,
                    json.dumps(rows, sort_keys=True),
                ],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return LoadInfo(load_id, scale, seed, end_date, generated_at, rows, GENERATOR_VERSION)


#: Same settings as ``DuckDBWarehouse``'s connection: DuckDB refuses a second connection to a file
#: already open in this process with different settings, so matching them lets the checker, the
#: exporter and an open ``Workbench`` share the file.
READ_ONLY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "access_mode": "READ_ONLY",
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def connect_read_only(path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse file, with errors a user can act on."""
    db = Path(path)
    if not db.is_file():
        raise DataNotFoundError(
            f"No warehouse file at {db}.",
            hint="Run 'workbench data generate' to create sample data.",
            path=str(db),
        )
    try:
        return duckdb.connect(str(db), read_only=True, config=dict(READ_ONLY_CONFIG))
    except duckdb.ConnectionException as exc:
        raise DataError(
            f"{db} is already open in this process with other settings.",
            hint="Close the other connection (for example Workbench.close()) and try again.",
            detail=str(exc),
            path=str(db),
        ) from None
    except duckdb.Error as exc:
        raise DataError(
            f"{db} is not a readable DuckDB database (it may be corrupted or another program's file).",
            hint="Regenerate it with 'workbench data generate --force'.",
            detail=str(exc),
            path=str(db),
        ) from None


def read_load_info(path: str | os.PathLike[str]) -> LoadInfo | None:
    """The load record of a warehouse file, or None when the file has none (loaded by other means)."""
    con = connect_read_only(path)
    try:
        try:
            row = con.execute(
                f"SELECT load_id, scale, seed, end_date, generated_at, row_counts, generator_version "
                f"FROM {LOAD_TABLE} ORDER BY generated_at DESC LIMIT 1"
            ).fetchone()
        except duckdb.CatalogException:
            return None
    finally:
        con.close()
    if row is None:
        return None
    return LoadInfo(str(row[0]), row[1], int(row[2]), row[3], row[4], json.loads(row[5]), row[6])


def export_parquet(
    db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> dict[str, Path]:
    """Write each data table to ``<out_dir>/<table>/data.parquet`` (the S3/Glue layout).

    Returns the file written per table. Types are kept (DECIMAL stays decimal, DATE stays date).
    """
    out = Path(out_dir)
    con = connect_read_only(db_path)
    written: dict[str, Path] = {}
    try:
        existing = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        missing = [t.name for t in TABLES if t.name not in existing]
        if missing:
            raise DataError(
                f"The warehouse has no table(s) {', '.join(missing)}; nothing was exported.",
                missing=missing,
            )
        for table in TABLES:
            folder = out / table.name
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / "data.parquet"
            # Streamed in record batches so a 10M-row table never sits in memory whole;
            # DuckDB scans in insertion order, which is key order for generated data.
            reader = con.sql(f'SELECT * FROM "{table.name}"').to_arrow_reader(
                batch_size=_EXPORT_BATCH_ROWS
            )
            with pq.ParquetWriter(target, reader.schema, compression="zstd") as writer:
                for batch in reader:
                    writer.write_batch(batch)
            written[table.name] = target
    finally:
        con.close()
    return written
