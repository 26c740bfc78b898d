"""Login throttling: lock a username after too many failed logins in a sliding window.

Failures are counted per (normalized) username, **whether or not that user exists**, so
the lockout message itself never tells an attacker which names are real. The lock lasts
``lockout_window_minutes`` from the failure that triggered it; attempts while locked are
refused without checking the password and do not extend the lock. A successful login or
``workbench users unlock`` clears the count.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from workbench.auth.database import AuthDatabase, Clock, from_epoch, system_clock, to_epoch


class LoginThrottle:
    """Counts failed logins and holds lockouts in the auth database."""

    def __init__(
        self,
        database: AuthDatabase,
        *,
        attempts: int = 5,
        window_minutes: float = 15.0,
        clock: Clock = system_clock,
    ) -> None:
        self.database = database
        self.attempts = attempts
        self.window = dt.timedelta(minutes=window_minutes)
        self.clock = clock

    def locked_until(self, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the lock on ``username`` ends, or None when it is not locked."""
        now = now or self.clock()
        with self.database.read() as conn:
            row = conn.execute(
                "SELECT locked_until FROM lockouts WHERE username = ? AND locked_until > ?",
                (username, to_epoch(now)),
            ).fetchone()
        return from_epoch(row[0]) if row else None

    def record_failure(
        self, username: str, now: dt.datetime | None = None
    ) -> tuple[int, dt.datetime | None]:
        """Count a failed login; returns (failures in the window, lock end if this one locked it)."""
        now = now or self.clock()
        cutoff = to_epoch(now - self.window)
        with self.database.write() as conn:
            conn.execute("DELETE FROM login_failures WHERE ts <= ?", (cutoff,))
            conn.execute("DELETE FROM lockouts WHERE locked_until <= ?", (to_epoch(now),))
            conn.execute(
                "INSERT INTO login_failures (username, ts) VALUES (?, ?)", (username, to_epoch(now))
            )
            count = int(
                conn.execute(
                    "SELECT COUNT(*) FROM login_failures WHERE username = ? AND ts > ?",
                    (username, cutoff),
                ).fetchone()[0]
            )
            if count < self.attempts:
                return count, None
            until = now + self.window
            conn.execute(
                "INSERT INTO lockouts (username, locked_at, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET locked_at = excluded.locked_at, locked_until = excluded.locked_until",
                (username, to_epoch(now), to_epoch(until)),
            )
            # Start a fresh count once the lock ends.
            conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            return count, until

    def clear(self, username: str, conn: sqlite3.Connection | None = None) -> bool:
        """Forget failures and any lock for ``username``; True when something was cleared."""
        if conn is None:
            with self.database.write() as own:
                return self.clear(username, own)
        failures = conn.execute(
            "DELETE FROM login_failures WHERE username = ?", (username,)
        ).rowcount
        locks = conn.execute(
            "DELETE FROM lockouts WHERE username = ? AND locked_until > ?",
            (username, to_epoch(self.clock())),
        ).rowcount
        conn.execute("DELETE FROM lockouts WHERE username = ?", (username,))
        return bool(failures or locks)
