"""SQL safety: every statement that does not come from our own compiler passes here first.

The guard parses with sqlglot and accepts exactly one read-only query (SELECT, CTEs,
set operations) over an allow-list of tables, with no table functions or statements that
reach files, the network, extensions or settings. It returns the checked AST with a row
limit applied, so what runs is what was checked. DuckDB adds defence in depth (read-only
connection, external access disabled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.core.errors import PermissionDeniedError, QueryRefusedError
from workbench.data.schema import DATA_TABLES, personas_for_tables

# Node types that write, change settings or reach outside the database.
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterTable", "TruncateTable",
        "Command", "Copy", "Set", "Pragma", "Use", "Attach", "Detach", "Install", "Load", "Transaction",
        "Commit", "Rollback", "Grant", "Revoke", "Into", "LoadData", "Export", "Analyze", "Cache", "Uncache",
        "Refresh", "Describe", "Show", "Summarize", "Kill", "Lock", "Semicolon",
    )
    if hasattr(exp, name)
)

# Functions (by lower-case name) that read files or the network, or touch settings and extensions.
_FORBIDDEN_FUNCTIONS = frozenset(
    {
        "read_csv", "read_csv_auto", "read_parquet", "read_json", "read_json_auto", "read_json_objects",
        "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_text", "read_blob", "read_xlsx",
        "parquet_scan", "parquet_metadata", "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata",
        "csv_scan", "sniff_csv", "json_scan", "glob", "iceberg_scan", "delta_scan", "sqlite_scan", "sqlite_attach",
        "postgres_scan", "postgres_attach", "mysql_scan", "query_table", "query", "load_aws_credentials",
        "httpfs", "http_get", "install_extension", "load_extension", "duckdb_extensions", "duckdb_settings",
        "duckdb_secrets", "current_setting", "set_config", "pg_read_file", "pg_read_binary_file", "pg_ls_dir",
        "lo_import", "lo_export", "dblink", "getenv", "system", "shell", "pg_sleep", "sleep",
    }
)


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard: its AST, the tables it reads and the SQL to run."""

    ast: exp.Expression
    tables: frozenset[str]
    sql: str


def _refuse(reason: str, message: str, **fields: object) -> QueryRefusedError:
    return QueryRefusedError(message, reason=reason, **fields)


class SqlGuard:
    """Checks one SQL string against an allow-list of tables.

    ``allowed_tables`` is the persona's list (or every data table for an analyst);
    ``persona`` only improves the refusal message.
    """

    def __init__(
        self,
        allowed_tables: Iterable[str] = DATA_TABLES,
        *,
        dialect: str = "duckdb",
        row_limit: int | None = 10_000,
        persona: str | None = None,
    ) -> None:
        self.allowed_tables = frozenset(t.lower() for t in allowed_tables)
        self.dialect = dialect
        self.row_limit = row_limit
        self.persona = persona

    def check(self, sql: str | exp.Expression) -> CheckedQuery:
        """Return the checked, limited query, or raise :class:`QueryRefusedError` saying why."""
        tree = self._parse(sql) if isinstance(sql, str) else sql
        self._check_statement_kind(tree)
        self._check_nodes(tree)
        tables = self._check_tables(tree)
        limited = self._apply_limit(tree)
        return CheckedQuery(limited, tables, limited.sql(dialect=self.dialect))

    # -- steps -------------------------------------------------------------------------
    def _parse(self, sql: str) -> exp.Expression:
        if not sql or not sql.strip():
            raise _refuse("empty", "The query is empty.")
        if "\x00" in sql:
            raise _refuse("invalid", "The query contains a NUL character.")
        try:
            statements = [s for s in sqlglot.parse(sql, read=self.dialect) if s is not None]
        except (ParseError, TokenError) as exc:
            raise _refuse("syntax", "The query could not be read as SQL. Check its syntax.", detail=str(exc)) from None
        if len(statements) != 1:
            raise _refuse("multiple_statements", f"Only one statement may run at a time; found {len(statements)}.")
        return statements[0]

    def _check_statement_kind(self, tree: exp.Expression) -> None:
        if not isinstance(tree, exp.Query):
            kind = type(tree).__name__.upper()
            raise _refuse("not_read_only", f"Only read-only SELECT queries are allowed; this statement is {kind}.", statement=kind)

    def _check_nodes(self, tree: exp.Expression) -> None:
        for node in tree.walk():
            if isinstance(node, _FORBIDDEN_NODES):
                raise _refuse("not_read_only", f"Only read-only SELECT queries are allowed; found {type(node).__name__.upper()}.")
            if isinstance(node, exp.Func):
                name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
                if name in _FORBIDDEN_FUNCTIONS or name.startswith(("read_", "pg_", "duckdb_")):
                    raise _refuse("forbidden_function", f"The function {name}() is not allowed: queries may only read the workbench tables.", function=name)
            if isinstance(node, exp.Table):
                if isinstance(node.this, exp.Func | exp.Anonymous) or node.args.get("db") or node.args.get("catalog"):
                    if isinstance(node.this, exp.Func | exp.Anonymous):
                        raise _refuse("forbidden_function", "Table functions are not allowed: queries may only read the workbench tables.")
                    raise _refuse("unknown_table", f"Only the workbench tables may be read; '{node.sql()}' is outside them.", table=node.sql())
                if isinstance(node.this, exp.Literal) or (isinstance(node.this, exp.Identifier) and node.this.quoted and ("/" in node.name or "." in node.name or ":" in node.name)):
                    raise _refuse("forbidden_function", "Reading files is not allowed: queries may only read the workbench tables.")
            if isinstance(node, exp.Lateral | exp.Unnest) and isinstance(node, exp.Lateral) and node.args.get("view"):
                raise _refuse("not_read_only", "LATERAL VIEW is not allowed.")

    def _check_tables(self, tree: exp.Expression) -> frozenset[str]:
        cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        tables: set[str] = set()
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if not name or name in cte_names:
                continue
            tables.add(name)
        unknown = sorted(t for t in tables if t not in DATA_TABLES)
        if unknown:
            hint = _did_you_mean(unknown[0], DATA_TABLES)
            raise _refuse("unknown_table", f"There is no table named '{unknown[0]}'.{hint}", table=unknown[0])
        denied = sorted(t for t in tables if t not in self.allowed_tables)
        if denied:
            who = ", ".join(p.label for p in personas_for_tables(frozenset(tables))) or "no single persona"
            who_denied = ", ".join(p.label for p in personas_for_tables(frozenset(denied)))
            persona = f"The {self._persona_label()} persona" if self.persona else "This persona"
            msg = f"{persona} cannot read {', '.join(denied)}. Ask as {who_denied or who}."
            raise PermissionDeniedError(msg, tables=denied, persona=self.persona, allowed_personas=[p.value for p in personas_for_tables(frozenset(denied))])
        return frozenset(tables)

    def _persona_label(self) -> str:
        from workbench.data.schema import Persona

        try:
            return Persona.parse(self.persona or "").label
        except Exception:
            return str(self.persona)

    def _apply_limit(self, tree: exp.Expression) -> exp.Expression:
        if self.row_limit is None or not isinstance(tree, exp.Query):
            return tree
        existing = tree.args.get("limit")
        if isinstance(existing, exp.Limit):
            value = existing.expression
            if isinstance(value, exp.Literal) and value.is_int and int(value.this) <= self.row_limit:
                return tree
        if isinstance(tree, exp.Select) and not existing:
            return tree.limit(self.row_limit, copy=True)
        # Wrap set operations and queries with larger or non-literal limits.
        return exp.select("*").from_(tree.subquery("guarded")).limit(self.row_limit)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_sql(sql: str, *, allowed_tables: Iterable[str] = DATA_TABLES, dialect: str = "duckdb", row_limit: int | None = 10_000, persona: str | None = None) -> CheckedQuery:
    """Functional shortcut for :meth:`SqlGuard.check`."""
    return SqlGuard(allowed_tables, dialect=dialect, row_limit=row_limit, persona=persona).check(sql)
