"""The audit log: who logged in, failed, was locked out, switched persona or asked what.

Each event is one row of the ``audit`` table in the auth SQLite file (queryable with
``workbench users audit``) and one JSON line in the workbench log. Neither ever holds a
password, a hash or a token: details are scrubbed by key name (the same rule as the log
redaction) and by value shape (anything that looks like a bcrypt hash or a session token).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from workbench.auth.database import AuthDatabase, Clock, from_epoch, system_clock, to_epoch
from workbench.auth.passwords import is_bcrypt_hash
from workbench.core.logs import log_event, redact

log = logging.getLogger("workbench.auth.audit")

#: Events written by the workbench itself; callers may add their own snake_case names.
EVENTS: frozenset[str] = frozenset(
    {
        "login_success",
        "login_failure",
        "lockout",
        "logout",
        "persona_switch",
        "permission_denied",
        "question_asked",
        "password_changed",
        "user_added",
        "user_removed",
        "user_granted",
        "user_revoked",
        "user_unlocked",
        "user_passwd",
        "user_disabled",
        "user_enabled",
        "users_imported",
        "users_exported",
    }
)
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: A bare session token (secrets.token_urlsafe(32)) or a SHA-256 hex digest.
_TOKEN_LIKE = re.compile(r"^(?:[A-Za-z0-9_-]{43}|[0-9a-f]{64})$")
_MAX_TEXT = 2000
#: Parameter names of log_event that a detail key must not shadow.
_LOG_RESERVED = frozenset({"logger", "event", "message", "level"})


def _scrub(value: Any) -> Any:
    """Drop anything secret-shaped from a detail value (recursively)."""
    if isinstance(value, dict):
        return {str(k): _scrub(v) for k, v in redact(value).items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        if is_bcrypt_hash(value) or _TOKEN_LIKE.match(value):
            return "***"
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return _scrub(str(value))


@dataclass(frozen=True)
class AuditEntry:
    """One audit row."""

    id: int
    ts: dt.datetime
    event: str
    username: str | None
    persona: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ts": self.ts.isoformat(),
            "event": self.event,
            "username": self.username,
            "persona": self.persona,
            **self.detail,
        }


class AuditLog:
    """Writes audit events to SQLite and the JSON log; reads them back for administrators."""

    def __init__(self, database: AuthDatabase, *, clock: Clock = system_clock) -> None:
        self.database = database
        self.clock = clock

    def record(
        self,
        event: str,
        username: str | None = None,
        *,
        persona: str | None = None,
        conn: sqlite3.Connection | None = None,
        level: int = logging.INFO,
        **detail: Any,
    ) -> None:
        """Record an event; pass ``conn`` to write inside the caller's transaction."""
        if not _EVENT_NAME.match(event):
            raise ValueError(f"audit event names are snake_case identifiers, got {event!r}")
        clean = _scrub(dict(detail))
        persona_value = None if persona is None else str(persona)
        row = (
            to_epoch(self.clock()),
            event,
            username,
            persona_value,
            json.dumps(clean, sort_keys=True, ensure_ascii=False),
        )
        sql = "INSERT INTO audit (ts, event, username, persona, detail) VALUES (?, ?, ?, ?, ?)"
        if conn is not None:
            conn.execute(sql, row)
        else:
            with self.database.write() as own:
                own.execute(sql, row)
        fields = {(f"detail_{k}" if k in _LOG_RESERVED else k): v for k, v in clean.items()}
        log_event(
            log,
            f"auth.{event}",
            f"auth {event}",
            level=level,
            username=username,
            persona=persona_value,
            **fields,
        )

    def entries(
        self,
        *,
        username: str | None = None,
        event: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """The newest ``limit`` entries matching the filters, newest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if username is not None:
            clauses.append("username = ?")
            params.append(username.strip().casefold())
        if event is not None:
            clauses.append("event = ?")
            params.append(event)
        if since is not None:
            clauses.append("ts >= ?")
            params.append(to_epoch(since))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        params.append(int(limit))
        with self.database.read() as conn:
            rows = conn.execute(
                f"SELECT id, ts, event, username, persona, detail FROM audit {where} ORDER BY id DESC LIMIT ?",
                params,
            ).fetchall()
        return [
            AuditEntry(
                id=row["id"],
                ts=from_epoch(row["ts"]) or dt.datetime.fromtimestamp(0, dt.UTC),
                event=row["event"],
                username=row["username"],
                persona=row["persona"],
                detail=json.loads(row["detail"] or "{}"),
            )
            for row in rows
        ]
