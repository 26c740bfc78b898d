"""Table and column descriptions from the Glue Data Catalog, for the agents and the Bedrock prompt.

Athena reads its schema from Glue, so Glue is where a team documents tables (the loader
writes the data model's descriptions there). Reads are cached for
``warehouse.athena.catalog_cache_seconds``; a description left empty in Glue falls back to
the data model's, so prompts never lose context.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from workbench.aws import glue
from workbench.aws.session import awswrangler, make_session
from workbench.data.schema import DATA_TABLES, PERSONA_TABLES, TABLES_BY_NAME, Persona
from workbench.warehouse.base import ColumnInfo, TableInfo

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings, Settings


def _with_model_descriptions(info: TableInfo) -> TableInfo:
    spec = TABLES_BY_NAME.get(info.name)
    if spec is None:
        return info
    by_name = {c.name: c.description for c in spec.columns}
    columns = tuple(
        ColumnInfo(c.name, c.type, c.description or by_name.get(c.name, "")) for c in info.columns
    )
    return TableInfo(info.name, columns, info.description or spec.description, info.row_count)


class GlueSchemaProvider:
    """The data tables of one Glue database, with descriptions, cached with a TTL."""

    def __init__(
        self,
        database: str,
        *,
        boto3_session: Any = None,
        aws: AwsSettings | None = None,
        cache_seconds: float = 300.0,
        tables: Iterable[str] = DATA_TABLES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._wanted = frozenset(tables)
        self._aws = aws
        self._boto3_session = boto3_session
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[dict[str, Any]]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, boto3_session: Any = None) -> GlueSchemaProvider:
        athena = settings.warehouse.athena
        return cls(
            athena.database,
            boto3_session=boto3_session,
            aws=settings.aws,
            cache_seconds=athena.catalog_cache_seconds,
        )

    def _raw(self, *, max_age: float | None = None) -> list[dict[str, Any]]:
        age_limit = self.cache_seconds if max_age is None else max_age
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < age_limit:
                return self._cached[1]
            wr = awswrangler(self._aws)
            session = make_session(self._aws, self._boto3_session)
            raws = [
                r
                for r in glue.get_tables(wr, self.database, boto3_session=session)
                if r.get("Name") in self._wanted
            ]
            self._cached = (now, raws)
            return raws

    def tables(self, persona: Persona | str | None = None) -> list[TableInfo]:
        """The data tables present in the catalog, sorted by name; only the persona's when given.

        Matches :class:`workbench.semantic.schema_provider.SchemaProvider`.
        """
        infos = sorted(
            (_with_model_descriptions(glue.table_info(r)) for r in self._raw()),
            key=lambda t: t.name,
        )
        if persona is None:
            return infos
        allowed = PERSONA_TABLES[Persona.parse(persona)]
        return [t for t in infos if t.name in allowed]

    def table(self, name: str) -> TableInfo | None:
        return next((t for t in self.tables() if t.name == name), None)

    def descriptions(self, tables: Iterable[str] | None = None) -> dict[str, TableInfo]:
        """Name -> TableInfo for ``tables`` (default all), e.g. one persona's tables for a prompt."""
        wanted = None if tables is None else set(tables)
        return {t.name: t for t in self.tables() if wanted is None or t.name in wanted}

    def version(self, *, max_age: float | None = None) -> str:
        """Changes when the loader rewrites a table (load id parameter or update time)."""
        return glue.catalog_version(self._raw(max_age=max_age))

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None
