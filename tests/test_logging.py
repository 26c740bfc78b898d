"""Structured logs: every query is a JSON line with its duration and backend; secrets never appear."""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench import Workbench
from workbench.core import logs
from workbench.core.errors import QueryRefusedError
from workbench.core.logs import LOG_FILE_NAME, configure_logging, is_secret_key, log_event, redact


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put back whatever handler the rest of the session had configured."""
    root = logging.getLogger("workbench")
    saved = (logs._handler, logs._handler_key, root.level)
    yield
    if logs._handler is not saved[0]:
        if logs._handler is not None:
            root.removeHandler(logs._handler)
            logs._handler.close()
        if saved[0] is not None:
            root.addHandler(saved[0])
    logs._handler, logs._handler_key = saved[0], saved[1]
    root.setLevel(saved[2])


def _lines(home: Path) -> list[dict[str, Any]]:
    path = home / "logs" / LOG_FILE_NAME
    for handler in logging.getLogger("workbench").handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _workbench(tmp_path: Path, sample_home: Path, **extra: Any) -> Workbench:
    """A workbench whose state lives in tmp_path but reads the shared sample data."""
    db = str(sample_home / "data" / "warehouse.duckdb")
    return Workbench(home=tmp_path, config={"warehouse": {"duckdb": {"path": db}}, **extra})


def test_query_writes_a_json_line(tmp_path: Path, sample_home: Path) -> None:
    with _workbench(tmp_path, sample_home) as wb:
        frame = wb.sql("SELECT warehouse_id FROM warehouse ORDER BY warehouse_id")
    assert len(frame) == 3
    queries = [line for line in _lines(tmp_path) if line["event"] == "query"]
    assert len(queries) == 1
    q = queries[0]
    assert q["backend"] == "duckdb"
    assert isinstance(q["duration_ms"], float) and q["duration_ms"] > 0
    assert "FROM warehouse" in q["sql"] and "LIMIT" in q["sql"]  # the SQL that really ran
    assert q["rows"] == 3 and q["truncated"] is False
    assert q["level"] == "INFO" and q["logger"] == "workbench.warehouse.duckdb"
    assert q["ts"][:4].isdigit()


def test_refused_and_failed_queries_are_logged(tmp_path: Path, sample_home: Path) -> None:
    from workbench.core.errors import QueryError

    with _workbench(tmp_path, sample_home) as wb:
        with pytest.raises(QueryRefusedError):
            wb.sql("DROP TABLE product")
        with pytest.raises(QueryError):
            wb.sql("SELECT no_such_column FROM product")
    lines = _lines(tmp_path)
    refused = next(line for line in lines if line["event"] == "query_refused")
    assert refused["reason"] == "not_read_only" and refused["sql"] == "DROP TABLE product"
    assert refused["level"] == "WARNING"
    failed = next(line for line in lines if line["event"] == "query_failed")
    assert "no_such_column" in failed["error"] and failed["backend"] == "duckdb"
    assert not [line for line in lines if line["event"] == "query"]


def test_rotation_settings_applied(tmp_path: Path) -> None:
    path = configure_logging(tmp_path / "logs", max_bytes=2048, backup_count=2)
    handler = logs._handler
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == 2048 and handler.backupCount == 2
    assert path == tmp_path / "logs" / LOG_FILE_NAME
    logger = logging.getLogger("workbench.test")
    for i in range(200):
        log_event(logger, "filler", n=i, padding="x" * 100)
    handler.flush()
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    for p in (tmp_path / "logs").iterdir():
        assert p.stat().st_size <= 2048 + 400  # one line may cross the threshold
        for line in p.read_text(encoding="utf-8").splitlines():
            json.loads(line)  # every line stays valid JSON across rotation


def test_workbench_applies_logging_config(tmp_path: Path, sample_home: Path) -> None:
    wb = _workbench(
        tmp_path, sample_home, logging={"level": "WARNING", "max_bytes": 4096, "backup_count": 1}
    )
    try:
        handler = logs._handler
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert (handler.maxBytes, handler.backupCount) == (4096, 1)
        wb.sql("SELECT 1 AS x")
        with pytest.raises(QueryRefusedError):
            wb.sql("DELETE FROM product")
    finally:
        wb.close()
    events = [line["event"] for line in _lines(tmp_path)]
    assert "query" not in events  # INFO is below the configured WARNING
    assert "query_refused" in events


def test_reconfigure_same_file_keeps_one_handler(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs")
    configure_logging(tmp_path / "logs")
    root = logging.getLogger("workbench")
    rotating = [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert rotating == [logs._handler]


def test_secret_looking_keys_redacted(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs")
    log_event(
        logging.getLogger("workbench.auth"),
        "login",
        username="ana",
        password="hunter2",
        api_key="AKIA-123",
        session_token="tok-abc",
        aws_secret_access_key="s3cr3t",
        headers={"Authorization": "Bearer xyz", "accept": "json"},
        attempts=[{"password": "again"}],
        input_tokens=1234,
        session_id="0f3a",
    )
    logs._handler.flush()  # type: ignore[union-attr]
    text = (tmp_path / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    for secret in ("hunter2", "AKIA-123", "tok-abc", "s3cr3t", "Bearer xyz", "again"):
        assert secret not in text
    line = json.loads(text.splitlines()[-1])
    assert line["password"] == "***" and line["headers"]["Authorization"] == "***"
    assert line["headers"]["accept"] == "json"
    assert line["attempts"] == [{"password": "***"}]
    assert line["input_tokens"] == 1234  # counters are not secrets
    assert line["username"] == "ana" and line["session_id"] == "0f3a"


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("password_hash", True),
        ("newPassword", True),
        ("SecretAccessKey", True),
        ("aws_access_key_id", True),
        ("x-api-key", True),
        ("token", True),
        ("cookie", True),
        ("input_tokens", False),
        ("output_tokens", False),
        ("duration_ms", False),
        ("cache_key", False),
        ("secretary", False),
        ("sql", False),
    ],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_redact_does_not_mutate_input() -> None:
    fields = {"password": "x", "nested": {"token": "y"}}
    assert redact(fields) == {"password": "***", "nested": {"token": "***"}}
    assert fields == {"password": "x", "nested": {"token": "y"}}


def test_exceptions_are_logged_with_traceback(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs")
    logger = logging.getLogger("workbench.test")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed", extra={"event": "failure", "fields": {"step": 3}})
    logs._handler.flush()  # type: ignore[union-attr]
    line = json.loads(
        (tmp_path / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8").splitlines()[-1]
    )
    assert line["event"] == "failure" and line["step"] == 3
    assert "ValueError: boom" in line["exception"]
