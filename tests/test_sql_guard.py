"""SQL safety, proved on real data.

1. A corpus of hostile queries (tests/data/hostile_queries.yaml) runs through
   ``Workbench.sql`` against a copy of the sample data: each is refused with its reason and a
   clear message, nothing runs, and nothing changes (file bytes, every table's checksum, no
   new files anywhere we can see).
2. Defence in depth: the same kind of statements executed directly on DuckDBWarehouse's
   connection (bypassing the guard) fail, because the connection is read-only, external
   access is disabled and the configuration is locked.
3. Legitimate analytics (CTEs, joins, unions, window functions, subqueries, aggregation) pass,
   return the right numbers and always carry a LIMIT.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from workbench import Workbench
from workbench.core.errors import PermissionDeniedError, QueryRefusedError
from workbench.data.schema import DATA_TABLES, PERSONA_TABLES, Persona
from workbench.warehouse.duckdb import DuckDBWarehouse
from workbench.warehouse.guard import MAX_DEPTH, SqlGuard, check_sql

CORPUS_FILE = Path(__file__).parent / "data" / "hostile_queries.yaml"
CORPUS: list[dict[str, Any]] = yaml.safe_load(CORPUS_FILE.read_text(encoding="utf-8"))


def _sql(entry: dict[str, Any]) -> str:
    if "sql_py" in entry:  # a Python expression building a string (NUL bytes, sizes, ...)
        return str(eval(entry["sql_py"], {"__builtins__": {}}))
    return str(entry["sql"])


def _reasons(entry: dict[str, Any]) -> list[str]:
    reason = entry["reason"]
    return reason if isinstance(reason, list) else [reason]


# -- the scratch copy and its fingerprint ----------------------------------------------------------
class Fingerprint:
    """Everything a successful attack could change, taken through a trusted path."""

    def __init__(self, home: Path, wb: Workbench) -> None:
        self.home = home
        self.wb = wb

    def take(self) -> dict[str, Any]:
        db = self.home / "data" / "warehouse.duckdb"
        tables = self.wb.warehouse.query(
            "SELECT table_catalog, table_schema, table_name, table_type "
            "FROM information_schema.tables ORDER BY ALL"
        )
        checksums = {}
        for name in sorted(DATA_TABLES | {"workbench_load"}):
            tree = exp.select(
                exp.Count(this=exp.Star()).as_("n"),
                exp.func("bit_xor", exp.func("hash", exp.column(name))).as_("h"),
            ).from_(name)
            row = self.wb.warehouse.query(tree).iloc[0]
            checksums[name] = (int(row["n"]), int(row["h"]))
        files = sorted(
            str(p.relative_to(self.home))
            for p in self.home.rglob("*")
            if "logs" not in p.relative_to(self.home).parts
        )
        return {
            "sha256": hashlib.sha256(db.read_bytes()).hexdigest(),
            "tables": tables.to_dict("records"),
            "checksums": checksums,
            "files": files,
        }


@pytest.fixture(scope="module")
def scratch(
    sample_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workbench, Fingerprint, dict[str, Any]]]:
    home = tmp_path_factory.mktemp("guard") / "home"
    shutil.copytree(sample_home, home, ignore=shutil.ignore_patterns("logs"))
    wb = Workbench(home=home)
    fingerprint = Fingerprint(home, wb)
    before = fingerprint.take()
    assert before["checksums"]["sales_order_line"][0] > 1000  # real data under test
    yield wb, fingerprint, before
    wb.close()


# -- the corpus --------------------------------------------------------------------------------------
def test_corpus_is_large_and_covers_every_category() -> None:
    ids = [e["id"] for e in CORPUS]
    assert len(ids) == len(set(ids)), "duplicate ids in the corpus"
    assert len(CORPUS) >= 40
    reasons = {r for e in CORPUS for r in _reasons(e)}
    assert {
        "not_read_only",
        "multiple_statements",
        "forbidden_function",
        "file_access",
        "unknown_table",
        "permission",
        "invalid_character",
        "too_complex",
        "too_long",
        "syntax",
        "empty",
    } <= reasons
    text = " ".join(_sql(e).upper() for e in CORPUS)
    for keyword in (
        "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "ATTACH",
        "DETACH", "COPY", "EXPORT DATABASE", "IMPORT DATABASE", "INSTALL", "LOAD", "PRAGMA",
        "SET ", "RESET", "CALL", "CHECKPOINT", "VACUUM", "READ_CSV", "READ_PARQUET", "READ_JSON",
        "GLOB", "PARQUET_SCAN", "S3://", "HTTP://", "/ETC/PASSWD", "INFORMATION_SCHEMA",
        "DUCKDB_", "SQLITE_MASTER", "GETENV", "CURRENT_SETTING", "\x00",
    ):  # fmt: skip
        assert keyword in text, f"the corpus has no query with {keyword!r}"


@pytest.mark.parametrize("entry", CORPUS, ids=[e["id"] for e in CORPUS])
def test_hostile_query_refused_and_nothing_changed(
    entry: dict[str, Any],
    scratch: tuple[Workbench, Fingerprint, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wb, fingerprint, before = scratch
    monkeypatch.chdir(tmp_path)  # where a relative COPY/EXPORT path would land
    persona = entry.get("persona")
    allowed = PERSONA_TABLES[Persona(persona)] if persona else DATA_TABLES
    with (
        caplog.at_level(logging.INFO, logger="workbench"),
        pytest.raises((QueryRefusedError, PermissionDeniedError)) as err,
    ):
        wb.sql(_sql(entry), allowed_tables=allowed, persona=persona)
    error = err.value
    if "permission" in _reasons(entry):
        assert isinstance(error, PermissionDeniedError), error
        labels = [Persona(p).label for p in entry["can"]]
        for label in labels:
            assert label in error.message, (label, error.message)
        assert sorted(error.fields["allowed_personas"]) == sorted(entry["can"])
        assert Persona(persona).label in error.message  # says who was refused
    else:
        assert isinstance(error, QueryRefusedError), error
        assert error.reason in _reasons(entry), (error.reason, error.message)
    # a clear, short message for a person, not a stack trace
    assert error.message.endswith((".", "?")) and 10 < len(error.message) < 400
    assert "Traceback" not in error.message and "sqlglot" not in error.message
    # nothing ran: a refusal is logged, no query is
    events = [getattr(r, "event", None) for r in caplog.records]
    assert "query_refused" in events and "query" not in events
    # nothing changed
    assert list(tmp_path.iterdir()) == []
    assert fingerprint.take() == before


def test_guard_alone_refuses_the_corpus() -> None:
    """Same verdicts from SqlGuard without a warehouse (the AWS backends rely on it)."""
    for entry in CORPUS:
        persona = entry.get("persona")
        guard = SqlGuard(
            PERSONA_TABLES[Persona(persona)] if persona else DATA_TABLES, persona=persona
        )
        with pytest.raises((QueryRefusedError, PermissionDeniedError)):
            guard.check(_sql(entry))


# -- defence in depth ----------------------------------------------------------------------------------
DANGEROUS_DIRECT = [
    ("COPY product TO '{tmp}/leak.csv'", "file system operations are disabled"),
    ("COPY (SELECT * FROM supplier) TO '{tmp}/leak.parquet' (FORMAT parquet)", "disabled"),
    ("SELECT * FROM read_csv('{tmp}/secret.csv')", "disabled"),
    ("SELECT * FROM '{tmp}/secret.csv'", "disabled"),
    ("SELECT * FROM read_text('{tmp}/secret.csv')", "disabled"),
    ("SELECT * FROM glob('{tmp}/*')", "disabled"),
    ("EXPORT DATABASE '{tmp}/exported'", "disabled"),
    ("ATTACH '{tmp}/evil.db' AS evil", "disabled"),
    ("INSTALL httpfs", ""),
    ("LOAD httpfs", ""),
    ("CREATE TABLE evil AS SELECT 1 AS x", "read-only"),
    ("INSERT INTO supplier VALUES ('S999', 'Evil', 'XX')", "read-only"),
    ("UPDATE warehouse_product SET quantity_on_hand = 0", "read-only"),
    ("DELETE FROM sales_order_line", "read-only"),
    ("DROP TABLE product", "read-only"),
    ("ALTER TABLE product ADD COLUMN x INTEGER", "read-only"),
    ("SET threads = 1", "locked"),
    ("SET enable_external_access = true", "locked"),
    ("SET lock_configuration = false", "locked"),
    ("RESET threads", "locked"),
    ("SELECT 1; DROP TABLE product", "read-only"),
]


@pytest.fixture
def raw_connection(
    scratch: tuple[Workbench, Fingerprint, dict[str, Any]],
) -> Iterator[duckdb.DuckDBPyConnection]:
    wb, _, _ = scratch
    warehouse = wb.warehouse
    assert isinstance(warehouse, DuckDBWarehouse)
    cursor = warehouse._connection().cursor()  # bypass the guard on purpose
    yield cursor
    cursor.close()


def test_connection_settings(raw_connection: duckdb.DuckDBPyConnection) -> None:
    settings = dict(
        raw_connection.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('access_mode', 'enable_external_access', 'lock_configuration', "
            "'autoload_known_extensions', 'autoinstall_known_extensions', 'python_enable_replacements')"
        ).fetchall()
    )
    assert settings == {
        "access_mode": "read_only",
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
        "python_enable_replacements": "false",
    }


@pytest.mark.parametrize(
    ("statement", "why"), DANGEROUS_DIRECT, ids=[s for s, _ in DANGEROUS_DIRECT]
)
def test_dangerous_statements_fail_on_the_raw_connection(
    statement: str,
    why: str,
    raw_connection: duckdb.DuckDBPyConnection,
    scratch: tuple[Workbench, Fingerprint, dict[str, Any]],
    tmp_path: Path,
) -> None:
    _, fingerprint, before = scratch
    (tmp_path / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    with pytest.raises(duckdb.Error) as err:
        raw_connection.execute(statement.format(tmp=tmp_path)).fetchall()
    assert why.lower() in str(err.value).lower(), str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]  # nothing written
    assert fingerprint.take() == before


def test_python_variables_are_not_scanned(raw_connection: duckdb.DuckDBPyConnection) -> None:
    leaked_frame = pd.DataFrame({"secret": ["hunter2"]})  # noqa: F841  (a replacement-scan target)
    with pytest.raises(duckdb.CatalogException):
        raw_connection.execute("SELECT * FROM leaked_frame").fetchall()


# -- legitimate analytics pass, correctly, with a LIMIT ----------------------------------------------
def _scalar(wb: Workbench, sql: str) -> Any:
    return wb.warehouse.query(sql).iloc[0, 0]


ACCEPTED = [
    "WITH s AS (SELECT warehouse_id, count(*) AS n FROM sales_order_header GROUP BY warehouse_id) "
    "SELECT * FROM s ORDER BY warehouse_id",
    "SELECT w.warehouse_name, sum(wp.quantity_on_hand) AS units FROM warehouse_product wp "
    "JOIN warehouse w ON w.warehouse_id = wp.warehouse_id GROUP BY ALL ORDER BY units DESC",
    "SELECT warehouse_id FROM warehouse UNION SELECT warehouse_id FROM warehouse_product",
    "SELECT product_id, warehouse_id, row_number() OVER (PARTITION BY warehouse_id "
    "ORDER BY quantity_on_hand DESC, product_id) AS rn FROM warehouse_product",
    "SELECT * FROM product WHERE unit_cost > (SELECT avg(unit_cost) FROM product)",
    "SELECT category, count(*) AS n FROM product GROUP BY category HAVING count(*) > 1",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    "FROM warehouse SELECT warehouse_id",
    "SELECT count(*) AS n FROM product WHERE product_name <> 'x''; DROP TABLE product; --'",
    "SELECT /* a note */ count(*) AS n FROM PRODUCT -- trailing comment",
    "SELECT * FROM (SELECT order_id, status FROM sales_order_header) AS t WHERE status = 'PENDING'",
    "SELECT s.supplier_name, avg(l.unit_cost) AS avg_cost FROM purchase_order_line l "
    "JOIN purchase_order_header h USING (po_id) JOIN supplier s USING (supplier_id) GROUP BY 1",
    "SELECT * FROM product LIMIT 5",
    "SELECT status, count(*) FILTER (WHERE priority = 'EXPRESS') AS express FROM sales_order_header GROUP BY status",
    "SELECT product_id FROM product INTERSECT SELECT product_id FROM sales_order_line",
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_legitimate_queries_pass_and_get_a_limit(sql: str, workbench: Workbench) -> None:
    checked = check_sql(sql, row_limit=500)
    limit = checked.ast.args.get("limit")
    assert isinstance(limit, exp.Limit), checked.sql
    assert int(limit.expression.this) <= 500
    assert "/*" not in checked.sql and "--" not in checked.sql.replace(
        "'x''; DROP TABLE product; --'", ""
    )
    frame = workbench.sql(sql)
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0


def test_accepted_results_are_correct(workbench: Workbench) -> None:
    per_wh = workbench.sql(ACCEPTED[0])
    assert per_wh["n"].sum() == _scalar(workbench, "SELECT count(*) FROM sales_order_header")
    assert len(workbench.sql(ACCEPTED[2])) == 3
    ranked = workbench.sql(ACCEPTED[3])
    per_warehouse = ranked.groupby("warehouse_id")["rn"].max()
    counts = workbench.warehouse.query(
        "SELECT warehouse_id, count(*) AS n FROM warehouse_product GROUP BY 1"
    ).set_index("warehouse_id")["n"]
    assert per_warehouse.sort_index().tolist() == counts.sort_index().tolist()
    assert workbench.sql(ACCEPTED[6])["n"].tolist() == list(range(1, 11))
    assert int(workbench.sql(ACCEPTED[8]).loc[0, "n"]) == 240  # the string stayed a string
    assert int(workbench.sql(ACCEPTED[9]).loc[0, "n"]) == 240
    assert len(workbench.sql(ACCEPTED[12])) == 5


def test_persona_reads_its_own_tables(workbench: Workbench) -> None:
    frame = workbench.sql(
        "SELECT count(*) AS n FROM sales_order_line",
        allowed_tables=PERSONA_TABLES[Persona.FIELD_ENGINEER],
        persona="field_engineer",
    )
    assert int(frame.loc[0, "n"]) > 1000


def test_row_limit_clamps_and_flags_truncation(sample_home: Path) -> None:
    with Workbench(home=sample_home, config={"warehouse": {"row_limit": 50}}) as wb:
        cut = wb.sql("SELECT * FROM sales_order_line LIMIT 1000000")
        assert len(cut) == 50 and cut.attrs["truncated"] is True
        union = wb.sql(
            "SELECT order_id FROM sales_order_line UNION ALL SELECT po_id FROM purchase_order_line"
        )
        assert len(union) == 50 and union.attrs["truncated"] is True
        small = wb.sql("SELECT * FROM warehouse")
        assert len(small) == 3 and small.attrs["truncated"] is False


def test_limit_keeps_order_and_offset() -> None:
    checked = check_sql(
        "SELECT product_id FROM product ORDER BY unit_cost DESC LIMIT 10 OFFSET 5", row_limit=3
    )
    assert checked.sql == "SELECT product_id FROM product ORDER BY unit_cost DESC LIMIT 3 OFFSET 5"
    wrapped = check_sql("SELECT product_id FROM product LIMIT (SELECT 2)", row_limit=3)
    assert wrapped.sql.endswith("LIMIT 3") and "guarded" in wrapped.sql


def test_checked_tables_and_ast_input() -> None:
    checked = check_sql(
        "WITH x AS (SELECT * FROM product) SELECT * FROM x JOIN warehouse_product USING (product_id)"
    )
    assert checked.tables == frozenset({"product", "warehouse_product"})
    tree = exp.select("*").from_("supplier")
    assert check_sql(tree.sql()).tables == {"supplier"}
    assert SqlGuard().check(tree).tables == {"supplier"}
    assert tree.args.get("limit") is None  # the caller's AST is not modified


def test_depth_limit_leaves_room_for_real_queries() -> None:
    nested = "SELECT * FROM " + "(SELECT * FROM " * 8 + "product" + ") t" * 8
    assert check_sql(nested).tables == {"product"}
    assert MAX_DEPTH >= 100


_FRAGMENTS = [
    "SELECT", "FROM", "product", "supplier", "WHERE", "(", ")", ";", "'", '"', "--", "/*", "*/",
    "$$", "WITH", "AS", "UNION", "1", "*", ",", "read_csv('x')", "JOIN", "ON", "=", "LIMIT",
    "\n", "::", "[", "]", "{", "}", "?", "$1", "`", "\\", "PIVOT", "VALUES", "INSERT", "DROP",
    "LATERAL", "QUALIFY", "->>", "λ", "FILTER", "OVER", "COLUMNS(*)", "EXCLUDE", "COPY", "SET",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(" ".join),
    )
)
def test_guard_never_crashes_and_only_passes_reads(text: str) -> None:
    """Any input either passes as one limited read-only query over known tables or is refused
    with a WorkbenchError; never another exception."""
    try:
        checked = SqlGuard(PERSONA_TABLES[Persona.WAREHOUSE_MANAGER]).check(text)
    except (QueryRefusedError, PermissionDeniedError):
        return
    assert isinstance(checked.ast, exp.Query)
    assert checked.tables <= PERSONA_TABLES[Persona.WAREHOUSE_MANAGER]
    assert isinstance(checked.ast.args.get("limit"), exp.Limit)


def test_a_refused_query_is_logged_truncated(workbench, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from workbench.core.errors import QueryRefusedError

    hostile = "SELECT 1; " + "DROP TABLE product; " * 5000
    with caplog.at_level(logging.WARNING), pytest.raises(QueryRefusedError):
        workbench.sql(hostile)
    records = [r for r in caplog.records if getattr(r, "event", "") == "query_refused"]
    assert records
    for r in records:
        assert len(r.fields["sql"]) <= 2000 < len(hostile)  # type: ignore[attr-defined]
        assert r.fields["sql_chars"] == len(hostile)  # type: ignore[attr-defined]
