"""Login sessions: random bearer tokens, stored only as SHA-256 digests.

A token is ``secrets.token_urlsafe(32)`` (256 random bits). The database keeps its SHA-256
so a copy of the file does not let anyone act as a logged-in user. A session ends when it
is idle longer than ``session_idle_minutes`` (every successful use moves that deadline),
when it is older than ``session_absolute_hours``, on logout, or when the user's password
is changed or the account disabled or removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass

from workbench.auth.database import AuthDatabase, Clock, from_epoch, system_clock, to_epoch
from workbench.auth.errors import SessionError

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
INVALID_SESSION = "Your session is not valid. Please log in again."


def new_token() -> str:
    """A fresh 256-bit URL-safe token."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database stores for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    """A live session row joined with its user's flags (never holds the token)."""

    session_id: str
    user_id: int
    username: str
    is_admin: bool
    disabled: bool
    must_change_password: bool
    active_persona: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    absolute_expires_at: dt.datetime
    idle_expires_at: dt.datetime

    @property
    def expires_at(self) -> dt.datetime:
        """When the session ends if it is not used again."""
        return min(self.idle_expires_at, self.absolute_expires_at)


class SessionStore:
    """Creates, checks, touches and revokes sessions."""

    def __init__(
        self,
        database: AuthDatabase,
        *,
        idle_minutes: float = 30.0,
        absolute_hours: float = 12.0,
        clock: Clock = system_clock,
    ) -> None:
        self.database = database
        self.idle = dt.timedelta(minutes=idle_minutes)
        self.absolute = dt.timedelta(hours=absolute_hours)
        self.clock = clock

    def create(
        self, conn: sqlite3.Connection, user_id: int, persona: str | None
    ) -> tuple[str, str]:
        """Insert a session inside the caller's transaction; returns (token, session_id)."""
        now = self.clock()
        token = new_token()
        session_id = secrets.token_hex(8)
        conn.execute(
            "INSERT INTO sessions (session_id, token_sha256, user_id, active_persona, created_at, last_seen_at, absolute_expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                token_digest(token),
                user_id,
                persona,
                to_epoch(now),
                to_epoch(now),
                to_epoch(now + self.absolute),
            ),
        )
        # Forget sessions that ended more than a day ago so the table stays small.
        horizon = to_epoch(now - dt.timedelta(days=1))
        conn.execute(
            "DELETE FROM sessions WHERE absolute_expires_at < ? OR revoked_at < ? OR last_seen_at < ?",
            (horizon, horizon, to_epoch(now - self.idle - dt.timedelta(days=1))),
        )
        return token, session_id

    def _record(self, row: sqlite3.Row, last_seen: dt.datetime) -> SessionRecord:
        return SessionRecord(
            session_id=row["session_id"],
            user_id=row["user_id"],
            username=row["username"],
            is_admin=bool(row["is_admin"]),
            disabled=bool(row["disabled"]),
            must_change_password=bool(row["must_change_password"]),
            active_persona=row["active_persona"],
            created_at=from_epoch(row["created_at"]) or last_seen,
            last_seen_at=last_seen,
            absolute_expires_at=from_epoch(row["absolute_expires_at"]) or last_seen,
            idle_expires_at=last_seen + self.idle,
        )

    def check(self, conn: sqlite3.Connection, token: str, *, touch: bool = True) -> SessionRecord:
        """The live session for ``token`` (touched), or :class:`SessionError` saying why not."""
        if not isinstance(token, str) or not _TOKEN_SHAPE.match(token):
            raise SessionError(INVALID_SESSION, reason="malformed")
        row = conn.execute(
            "SELECT s.*, u.username, u.is_admin, u.disabled, u.must_change_password "
            "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?",
            (token_digest(token),),
        ).fetchone()
        if row is None:
            raise SessionError(INVALID_SESSION, reason="unknown")
        now = self.clock()
        if row["revoked_at"] is not None:
            raise SessionError(
                "Your session has ended. Please log in again.",
                reason="revoked",
                username=row["username"],
            )
        if to_epoch(now) >= row["absolute_expires_at"]:
            raise SessionError(
                "Your session has expired. Please log in again.",
                reason="expired",
                username=row["username"],
            )
        last_seen = from_epoch(row["last_seen_at"]) or now
        if now - last_seen >= self.idle:
            minutes = round(self.idle.total_seconds() / 60)
            raise SessionError(
                f"Your session expired after {minutes} minutes without activity. Please log in again.",
                reason="idle",
                username=row["username"],
            )
        if row["disabled"]:
            raise SessionError(
                "This account is disabled. Ask an administrator to enable it.",
                reason="disabled",
                username=row["username"],
            )
        if touch:
            conn.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE session_id = ?",
                (to_epoch(now), row["session_id"]),
            )
            last_seen = now
        return self._record(row, last_seen)

    def set_persona(self, conn: sqlite3.Connection, session_id: str, persona: str | None) -> None:
        conn.execute(
            "UPDATE sessions SET active_persona = ? WHERE session_id = ?", (persona, session_id)
        )

    def revoke(self, conn: sqlite3.Connection, token: str) -> SessionRecord | None:
        """Revoke the session for ``token``; the record if it was live, else None."""
        try:
            record = self.check(conn, token, touch=False)
        except SessionError:
            return None
        conn.execute(
            "UPDATE sessions SET revoked_at = ? WHERE session_id = ?",
            (to_epoch(self.clock()), record.session_id),
        )
        return record
