"""Structured logging: one JSON object per line in a rotating file under ``$WORKBENCH_HOME/logs/``.

Use :func:`log_event` for anything worth finding later (queries, answers, logins): the
event name and its fields become JSON keys, so ``jq 'select(.event=="query")'`` finds every
query with its duration and backend. Secrets never reach a log line: keys that look like
secrets are redacted by :class:`RedactingFilter`.
"""

from __future__ import annotations

import functools
import json
import logging
import logging.handlers
import re
from pathlib import Path
from typing import Any

LOG_FILE_NAME = "workbench.log"
# A key is secret when one of its words (split on _ - . and camelCase) is one of these, so
# "password_hash", "aws_secret_access_key" and "sessionToken" are redacted while counters
# such as "input_tokens" or "cache_key_hash_len" are not mistaken for secrets.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "credential",
        "credentials",
        "authorization",
        "cookie",
        "apikey",
        "signature",
    }
)
_SECRET_PHRASES = ("api_key", "access_key", "private_key")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_handler: logging.Handler | None = None
_handler_key: tuple[str, int, int] | None = None

# A library should stay quiet until the application configures logging.
logging.getLogger("workbench").addHandler(logging.NullHandler())


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a field name looks like it holds a secret (memoized: field names repeat on every event)."""
    words = {w.lower() for w in _WORD.findall(str(key))}
    normalized = "_".join(w.lower() for w in _WORD.findall(str(key)))
    return bool(words & _SECRET_WORDS) or any(p in normalized for p in _SECRET_PHRASES)


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line with its structured ``fields``.

    The line is kept on the record: ``RotatingFileHandler`` formats every record once to
    decide on rollover and again to write it, and answers log on the hot path.
    """

    _CACHE_ATTR = "_workbench_json"

    def format(self, record: logging.LogRecord) -> str:
        cached = record.__dict__.get(self._CACHE_ATTR)
        if isinstance(cached, str):
            return cached
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", None) or "message",
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        line = json.dumps(payload, default=str, ensure_ascii=False)
        record.__dict__[self._CACHE_ATTR] = line
        return line


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """Replace the value of every secret-looking key with ``"***"`` (recursively, lists too)."""
    return {
        key: "***" if is_secret_key(key) else _redact_value(value) for key, value in fields.items()
    }


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Redacts secret-looking fields before any handler formats the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = redact(fields)
        return True


def configure_logging(
    log_dir: Path, *, level: str = "INFO", max_bytes: int = 10 * 1024 * 1024, backup_count: int = 5
) -> Path:
    """Attach the rotating JSON file handler to the ``workbench`` logger.

    One handler at a time: calling again with the same file and rotation settings only
    updates the level; a different file or rotation replaces the handler.
    """
    global _handler, _handler_key
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger("workbench")
    root.setLevel(level)
    key = (str(path), max_bytes, backup_count)
    if _handler is None or _handler_key != key:
        if _handler is not None:
            root.removeHandler(_handler)
            _handler.close()
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
        )
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _handler, _handler_key = handler, key
    return path


def log_event(
    logger: logging.Logger,
    event: str,
    message: str = "",
    *,
    level: int = logging.INFO,
    **fields: Any,
) -> None:
    """Log a structured event; ``fields`` become keys of the JSON line."""
    logger.log(level, message or event, extra={"event": event, "fields": fields})
