"""Structured logging: one JSON object per line in a rotating file under ``$WORKBENCH_HOME/logs/``.

Use :func:`log_event` for anything worth finding later (queries, answers, logins): the
event name and its fields become JSON keys, so ``jq 'select(.event=="query")'`` finds every
query with its duration and backend. Secrets never reach a log line: keys that look like
secrets are redacted by :class:`RedactingFilter`.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
from pathlib import Path
from typing import Any

LOG_FILE_NAME = "workbench.log"
_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|hash|credential|api[_-]?key|authorization", re.I)
_configured: dict[str, logging.Handler] = {}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line with its structured ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
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
        return json.dumps(payload, default=str, ensure_ascii=False)


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """Replace the value of every secret-looking key with ``"***"`` (recursively)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if _SECRET_KEYS.search(str(key)):
            out[key] = "***"
        elif isinstance(value, dict):
            out[key] = redact(value)
        else:
            out[key] = value
    return out


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = redact(fields)
        return True


def configure_logging(log_dir: Path, *, level: str = "INFO", max_bytes: int = 10 * 1024 * 1024, backup_count: int = 5) -> Path:
    """Attach the rotating JSON file handler to the ``workbench`` logger (once per log file)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger("workbench")
    root.setLevel(level)
    key = str(path)
    if key not in _configured:
        for old in list(_configured.values()):
            root.removeHandler(old)
            old.close()
        _configured.clear()
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _configured[key] = handler
    return path


def log_event(logger: logging.Logger, event: str, message: str = "", *, level: int = logging.INFO, **fields: Any) -> None:
    """Log a structured event; ``fields`` become keys of the JSON line."""
    logger.log(level, message or event, extra={"event": event, "fields": fields})
