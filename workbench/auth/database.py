"""The auth SQLite file: users, grants, login failures, sessions and the audit log.

Many processes share it (a Voila kernel per browser tab, the CLI, reports), so every
connection uses WAL, a busy timeout, and ``BEGIN IMMEDIATE`` for writes: a writer takes
the write lock before reading what it will change, so two processes adding the same user
cannot both see "not there yet". Connections are short-lived (one per operation), which
keeps the store safe across threads and forks. The file is created 0600 because it holds
password hashes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from workbench.core.errors import AuthError, TransientError

#: Bump when the schema changes; :meth:`AuthDatabase.ensure_schema` migrates forward.
SCHEMA_VERSION = 1
#: Milliseconds a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 30_000

#: A clock returning an aware UTC datetime; tests inject a fake one.
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_epoch(value: dt.datetime) -> float:
    return value.timestamp()


def from_epoch(value: float | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    password_changed_at REAL NOT NULL,
    last_login_at REAL
);
CREATE TABLE IF NOT EXISTS user_personas (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    persona TEXT NOT NULL,
    granted_at REAL NOT NULL,
    PRIMARY KEY (user_id, persona)
);
CREATE TABLE IF NOT EXISTS login_failures (
    username TEXT NOT NULL,
    ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_user ON login_failures (username, ts);
CREATE TABLE IF NOT EXISTS lockouts (
    username TEXT PRIMARY KEY,
    locked_at REAL NOT NULL,
    locked_until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    active_persona TEXT,
    created_at REAL NOT NULL,
    last_seen_at REAL NOT NULL,
    absolute_expires_at REAL NOT NULL,
    revoked_at REAL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    event TEXT NOT NULL,
    username TEXT,
    persona TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_by_ts ON audit (ts);
CREATE INDEX IF NOT EXISTS audit_by_user ON audit (username, ts);
"""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class AuthDatabase:
    """Opens short-lived connections to the auth SQLite file and creates its schema once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._ready = False

    # Connections ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Create the file ourselves so it is 0600 from the first byte (WAL/SHM files
            # inherit the database file's permissions).
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (each statement sees a consistent snapshot)."""
        self.ensure_schema()
        conn = self._connect()
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise TransientError(
                    "The user database is busy; please try again.", detail=str(exc)
                ) from exc
            raise
        finally:
            conn.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on any error)."""
        self.ensure_schema()
        with self._immediate() as conn:
            yield conn

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise TransientError(
                        "The user database is busy; please try again.", detail=str(exc)
                    ) from exc
                raise
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    # Schema ----------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create the tables once per process (idempotent and safe when processes race)."""
        if self._ready:
            return
        for attempt in range(20):
            try:
                self._create_schema()
                break
            except sqlite3.OperationalError as exc:
                # journal_mode=WAL needs a moment of exclusive access; racing first
                # openers may see "locked" despite the busy timeout.
                if not _is_busy(exc) or attempt == 19:
                    raise TransientError(
                        "The user database is busy; please try again.", detail=str(exc)
                    ) from exc
                time.sleep(0.05 * (attempt + 1))
        self._ready = True

    def _create_schema(self) -> None:
        conn = self._connect()
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                current = row[0] if row else None
                if current is None:
                    conn.execute(
                        "INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,)
                    )
                elif current > SCHEMA_VERSION:
                    raise AuthError(
                        f"The user database {self.path} was created by a newer workbench; upgrade this one to use it.",
                        detail=f"schema version {current} > {SCHEMA_VERSION}",
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()
