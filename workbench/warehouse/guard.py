"""SQL safety: every statement that does not come from our own compiler passes here first.

The guard parses with sqlglot and accepts exactly one read-only query (SELECT, CTEs,
set operations) over an allow-list of tables, with no table functions or statements that
reach files, the network, extensions or settings. It returns the checked AST, stripped of
comments and with a row limit applied, so what runs is exactly what was checked. DuckDB
adds defence in depth (read-only connection, external access disabled, settings locked).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.core.errors import PermissionDeniedError, QueryRefusedError
from workbench.data.schema import DATA_TABLES, Persona, personas_for_tables

#: Longer statements are refused before parsing (nobody types 100 kB of SQL by hand).
MAX_SQL_CHARS = 100_000
#: Deeper syntax trees are refused; real analytics queries stay far below this.
MAX_DEPTH = 256
#: Most values a literal ``range``/``generate_series`` may produce, and most characters a
#: literal ``repeat``/``lpad``/``rpad`` may build. Larger ones are refused before running:
#: on DuckDB they build one list or string in memory that neither ``memory_limit`` nor an
#: interrupt stops. Sizes computed at run time are bounded by the analyst sandbox instead.
MAX_GENERATED = 1_000_000

# Node types that write, change settings or reach outside the database.
_FORBIDDEN_NODE_NAMES = (
    "Insert",
    "Update",
    "Delete",
    "Merge",
    "Create",
    "Drop",
    "Alter",
    "AlterTable",
    "TruncateTable",
    "Command",
    "Copy",
    "Set",
    "Pragma",
    "Use",
    "Attach",
    "Detach",
    "Install",
    "Load",
    "Transaction",
    "Commit",
    "Rollback",
    "Grant",
    "Revoke",
    "Into",
    "LoadData",
    "Export",
    "Analyze",
    "Cache",
    "Uncache",
    "Refresh",
    "Describe",
    "Show",
    "Summarize",
    "Kill",
    "Lock",
    "Semicolon",
)
_FORBIDDEN_NODES: tuple[type[exp.Expr], ...] = tuple(
    getattr(exp, name) for name in _FORBIDDEN_NODE_NAMES if hasattr(exp, name)
)

# Functions (lower-case) that read files or the network, touch settings, sequences, extensions
# or run SQL held in a string. Prefixes cover whole families (read_csv, read_json_auto, ...).
_FORBIDDEN_FUNCTIONS = frozenset(
    {
        "glob",
        "sniff_csv",
        "csv_scan",
        "json_scan",
        "query",
        "query_table",
        "current_setting",
        "set_config",
        "getenv",
        "getvariable",
        "system",
        "shell",
        "sleep",
        "dblink",
        "lo_import",
        "lo_export",
        "http_get",
        "http_post",
        "httpfs",
        "nextval",
        "currval",
        "setval",
        "which_secret",
        "checkpoint",
        "force_checkpoint",
        "enable_profiling",
        "disable_profiling",
        "install_extension",
        "load_extension",
    }
)
_FORBIDDEN_PREFIXES = (
    "read_",
    "parquet_",
    "pg_",
    "duckdb_",
    "pragma_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "iceberg_",
    "delta_",
    "ducklake_",
    "arrow_",
    "pandas_",
    "python_",
    "json_execute",
    "json_deserialize",
    "load_",
    "install_",
    "s3_",
    "http_",
)
# Control characters (other than tab and newlines) and bidirectional overrides that make the
# SQL a person reads differ from the SQL that runs ("Trojan Source").
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
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
    ``persona`` only improves the refusal message. Reasons (``QueryRefusedError.reason``):
    empty, too_long, invalid_character, syntax, too_complex, multiple_statements,
    not_read_only, forbidden_function, too_large, file_access, unknown_table; a table outside the
    allow-list raises :class:`PermissionDeniedError` naming the personas who may read it.
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

    def check(self, sql: str | exp.Expr) -> CheckedQuery:
        """Return the checked, limited query, or raise :class:`QueryRefusedError` saying why."""
        try:
            tree = self._parse(sql) if isinstance(sql, str) else sql.copy()
            self._check_depth(tree)
            self._check_statement_kind(tree, sql if isinstance(sql, str) else None)
            self._check_nodes(tree)
            tables = self._check_tables(tree)
            for node in tree.walk():
                node.comments = None  # comments never reach the engine
            limited = self._apply_limit(tree)
            return CheckedQuery(limited, tables, limited.sql(dialect=self.dialect))
        except RecursionError:
            raise _refuse(
                "too_complex", "The query is nested too deeply to check. Simplify it."
            ) from None

    # -- steps -------------------------------------------------------------------------
    def _parse(self, sql: str) -> exp.Expr:
        if not sql or not sql.strip():
            raise _refuse("empty", "The query is empty.")
        if len(sql) > MAX_SQL_CHARS:
            raise _refuse(
                "too_long", f"The query is longer than {MAX_SQL_CHARS:,} characters. Shorten it."
            )
        bad = _INVISIBLE.search(sql)
        if bad:
            raise _refuse(
                "invalid_character",
                f"The query contains an invisible or control character (U+{ord(bad.group()):04X}). "
                "Retype it without that character.",
            )
        try:
            parsed = sqlglot.parse(sql, read=self.dialect)
        except RecursionError:
            raise
        except Exception as exc:  # ParseError, TokenError, or anything else on hostile input
            raise _refuse(
                "syntax", "The query could not be read as SQL. Check its syntax.", detail=str(exc)
            ) from None
        # A trailing "; -- comment" parses as an empty Semicolon statement: not a statement.
        statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
        if not statements:
            raise _refuse("empty", "The query has no statement in it (only comments?).")
        if len(statements) != 1:
            raise _refuse(
                "multiple_statements",
                f"Only one statement may run at a time; found {len(statements)}.",
            )
        return statements[0]

    def _check_depth(self, tree: exp.Expr) -> None:
        stack: list[tuple[exp.Expr, int]] = [(tree, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _refuse(
                    "too_complex", "The query is nested too deeply to check. Simplify it."
                )
            stack.extend((child, depth + 1) for child in node.iter_expressions())

    def _check_statement_kind(self, tree: exp.Expr, text: str | None) -> None:
        if not isinstance(tree, exp.Query):
            known = isinstance(tree, _FORBIDDEN_NODES) and not isinstance(tree, exp.Command)
            kind = tree.key.upper() if known else (_first_keyword(text) or tree.key.upper())
            raise _refuse(
                "not_read_only",
                f"Only read-only SELECT queries are allowed; this statement is {kind}.",
                statement=kind,
            )

    def _check_nodes(self, tree: exp.Expr) -> None:
        for node in tree.walk():
            if isinstance(node, _FORBIDDEN_NODES):
                kind = "SELECT INTO" if isinstance(node, exp.Into) else node.key.upper()
                raise _refuse(
                    "not_read_only",
                    f"Only read-only SELECT queries are allowed; found {kind}.",
                    statement=kind,
                )
            if isinstance(node, exp.Func):
                name = _function_name(node)
                if name in _FORBIDDEN_FUNCTIONS or name.startswith(_FORBIDDEN_PREFIXES):
                    raise _refuse(
                        "forbidden_function",
                        f"The function {name}() is not allowed: queries may only read the workbench tables.",
                        function=name,
                    )
            self._check_generated_size(node)
            if isinstance(node, exp.Table):
                self._check_table_node(node)

    def _check_generated_size(self, node: exp.Expr) -> None:
        """Refuse literal generators and string builders that would exceed MAX_GENERATED."""
        size: int | None = None
        unit = "values"
        if isinstance(node, exp.GenerateSeries):
            start, end = _int_literal(node.args.get("start")), _int_literal(node.args.get("end"))
            step = _int_literal(node.args.get("step")) if node.args.get("step") else 1
            if start is not None and end is not None and step:
                size = max(0, (end - start) // step)
        elif isinstance(node, exp.Repeat):
            size, unit = _int_literal(node.args.get("times")), "copies"
        elif isinstance(node, exp.Pad):
            size, unit = _int_literal(node.args.get("expression")), "characters"
        elif isinstance(node, exp.Anonymous) and _function_name(node) in _RESIZERS:
            args = node.expressions
            size = _int_literal(args[1]) if len(args) > 1 else None
        if size is not None and size > MAX_GENERATED:
            # The name as written (range, not generate_series; lpad, not pad).
            name = node.sql(dialect=self.dialect).split("(", 1)[0].strip().lower()
            raise _refuse(
                "too_large",
                f"{name}() would build {size:,} {unit}; at most {MAX_GENERATED:,} are allowed. "
                f"Use a smaller size.",
                function=name,
                size=size,
            )

    def _check_table_node(self, node: exp.Table) -> None:
        if isinstance(node.this, exp.Func):
            raise _refuse(
                "forbidden_function",
                f"Table functions such as {_function_name(node.this)}() are not allowed: "
                "queries may only read the workbench tables.",
                function=_function_name(node.this),
            )
        name = node.name
        if isinstance(node.this, exp.Literal) or any(ch in name for ch in "/\\:.*?~"):
            raise _refuse(
                "file_access",
                f"Reading files or URLs ('{name}') is not allowed: queries may only read the workbench tables.",
                table=name,
            )
        if node.args.get("db") or node.args.get("catalog"):
            raise _refuse(
                "unknown_table",
                f"Only the workbench tables may be read, by their plain names; '{node.sql()}' is outside them.",
                table=node.sql(),
            )
        if not isinstance(node.this, exp.Identifier):
            raise _refuse(
                "unknown_table",
                f"Only the workbench tables may be read; '{node.sql()}' is not one of them.",
                table=node.sql(),
            )

    def _check_tables(self, tree: exp.Expr) -> frozenset[str]:
        tables = {t.name.lower() for t in tree.find_all(exp.Table) if not _is_cte_reference(t)}
        unknown = sorted(t for t in tables if t not in DATA_TABLES)
        if unknown:
            hint = _did_you_mean(unknown[0], DATA_TABLES)
            raise _refuse(
                "unknown_table",
                f"There is no table named '{unknown[0]}'.{hint} "
                f"The tables are: {', '.join(sorted(DATA_TABLES))}.",
                table=unknown[0],
            )
        denied = sorted(t for t in tables if t not in self.allowed_tables)
        if denied:
            able = personas_for_tables(frozenset(denied))
            who = " or ".join(p.label for p in able) or "no single persona"
            subject = f"The {self._persona_label()} persona" if self.persona else "This persona"
            raise PermissionDeniedError(
                f"{subject} cannot read {', '.join(denied)}. Ask as {who}.",
                reason="table_not_allowed",
                tables=denied,
                persona=self.persona,
                allowed_personas=[p.value for p in able],
            )
        return frozenset(tables)

    def _persona_label(self) -> str:
        try:
            return Persona.parse(self.persona or "").label
        except Exception:
            return str(self.persona)

    def _apply_limit(self, tree: exp.Expr) -> exp.Expression:
        # Only queries get here (_check_statement_kind), and every sqlglot query is an Expression.
        assert isinstance(tree, exp.Query) and isinstance(tree, exp.Expression)
        if self.row_limit is None:
            return tree
        existing = tree.args.get("limit")
        if existing is None and not tree.args.get("fetch"):
            return tree.limit(self.row_limit, copy=False)
        if isinstance(existing, exp.Limit):
            value = existing.expression
            options = existing.args.get("limit_options")  # sqlglot >= 28 keeps PERCENT here
            percent = existing.args.get("percent") or (
                isinstance(options, exp.Expr) and options.args.get("percent")
            )
            if isinstance(value, exp.Literal) and value.is_int and not percent:
                if int(value.this) > self.row_limit:
                    existing.set("expression", exp.Literal.number(self.row_limit))
                return tree
        # Percent, FETCH or computed limits: wrap, so the outer limit always applies.
        return exp.select("*").from_(tree.subquery("guarded")).limit(self.row_limit)


# List builders whose second argument is the length of the list they build.
_RESIZERS = frozenset({"list_resize", "array_resize"})


def _int_literal(node: exp.Expr | None) -> int | None:
    """The value of an integer literal (or its negation), else None."""
    if isinstance(node, exp.Neg):
        inner = _int_literal(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Paren):
        return _int_literal(node.this)
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.this)
    return None


def _first_keyword(text: str | None) -> str | None:
    """The statement's first word as written (CHECKPOINT, VACUUM, ...), for the refusal message."""
    if not text:
        return None
    try:
        tokens = sqlglot.tokenize(text, read="duckdb")
    except (TokenError, ParseError):
        return None
    return tokens[0].text.upper() if tokens else None


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key.lower()


def _cte_names(ctes: Iterable[exp.Expr]) -> set[str]:
    return {c.alias_or_name.lower() for c in ctes}


def _is_cte_reference(table: exp.Table) -> bool:
    """Whether ``table`` names a CTE visible where it stands (SQL scoping, not just any CTE).

    A CTE is visible in its query's body and in the CTEs defined after it (and in itself
    under WITH RECURSIVE), but not in an outer query nor, non-recursively, in its own body,
    where the same name reads the real table.
    """
    if table.args.get("db") or table.args.get("catalog"):
        return False
    name = table.name.lower()
    node: exp.Expr = table
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.With):
            ctes = list(parent.expressions)
            index = next(i for i, c in enumerate(ctes) if c is node)
            visible = ctes[: index + 1] if parent.args.get("recursive") else ctes[:index]
            if name in _cte_names(visible):
                return True
            owner = parent.parent  # the query this WITH belongs to: its CTEs are done with
            if owner is None:
                return False
            node = owner
            continue
        with_ = parent.args.get("with_") or parent.args.get("with")
        if (
            isinstance(with_, exp.With)
            and node is not with_
            and name in _cte_names(with_.expressions)
        ):
            return True
        node = parent
    return False


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_sql(
    sql: str,
    *,
    allowed_tables: Iterable[str] = DATA_TABLES,
    dialect: str = "duckdb",
    row_limit: int | None = 10_000,
    persona: str | None = None,
) -> CheckedQuery:
    """Functional shortcut for :meth:`SqlGuard.check`."""
    return SqlGuard(allowed_tables, dialect=dialect, row_limit=row_limit, persona=persona).check(
        sql
    )
