"""The user store: accounts, persona grants and the users.json import/export.

Usernames are case-insensitive: they are NFKC-normalized, trimmed and case-folded before
they are stored or looked up, and the column is ``UNIQUE COLLATE NOCASE`` as a second
guard. Every change runs inside ``BEGIN IMMEDIATE`` and is audited in the same
transaction, so concurrent ``workbench users add`` from several processes never lose or
duplicate a user: one wins, the others get :class:`UserExistsError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from workbench.auth.audit import AuditLog
from workbench.auth.database import AuthDatabase, Clock, from_epoch, system_clock, to_epoch
from workbench.auth.errors import (
    AuthError,
    InvalidUsernameError,
    UserExistsError,
    UserNotFoundError,
    UsersFileError,
)
from workbench.auth.lockout import LoginThrottle
from workbench.auth.passwords import PasswordPolicy, hash_password, is_bcrypt_hash
from workbench.core.config import Settings
from workbench.core.errors import WorkbenchError
from workbench.data.schema import Persona

_USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9._@-]{0,62}[a-z0-9])?$")
#: Longest name kept for lockout tracking of names that are not valid usernames.
_MAX_TRACKED = 128

#: What import does with a user that already exists.
OnConflict = Literal["error", "skip", "update"]


def normalize_username(username: str) -> str:
    """The canonical (stored and compared) form of a username: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", str(username)).strip().casefold()[:_MAX_TRACKED]


def validate_username(username: str) -> str:
    """Normalize and check a new username: 1-64 of a-z 0-9 . _ @ -, starting and ending alphanumeric."""
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise InvalidUsernameError(
            f"'{username}' is not a valid username. Use 1 to 64 letters, digits, '.', '_', '@' or '-', starting and ending with a letter or digit.",
            username=str(username)[:80],
        )
    return name


def _parse_personas(personas: Iterable[str | Persona]) -> list[Persona]:
    parsed = {Persona.parse(p) for p in personas}
    return [p for p in Persona if p in parsed]


@dataclass(frozen=True)
class User:
    """One account. ``password_hash`` is excluded from repr so it never reaches a log by accident."""

    username: str
    personas: tuple[Persona, ...]
    is_admin: bool
    disabled: bool
    must_change_password: bool
    created_at: dt.datetime
    password_changed_at: dt.datetime
    last_login_at: dt.datetime | None
    locked_until: dt.datetime | None
    password_hash: str = field(repr=False)
    id: int = field(default=0, repr=False)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    def to_dict(self) -> dict[str, Any]:
        """Public fields (never the hash), JSON-safe."""
        return {
            "username": self.username,
            "personas": [p.value for p in self.personas],
            "is_admin": self.is_admin,
            "disabled": self.disabled,
            "must_change_password": self.must_change_password,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat(),
            "password_changed_at": self.password_changed_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


@dataclass(frozen=True)
class ImportResult:
    """What ``import_json`` did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    username: str
    password_hash: str
    personas: list[Persona]
    is_admin: bool
    disabled: bool


class UserStore:
    """Accounts and grants in ``settings.auth_db_path``.

    ``actor`` on the mutating methods names who made the change (for the audit log), e.g.
    ``"cli:alice"`` or an admin's username.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        database: AuthDatabase | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or system_clock
        self.database = database or AuthDatabase(settings.auth_db_path)
        self.audit_log = audit or AuditLog(self.database, clock=self.clock)
        self.policy = PasswordPolicy(min_length=settings.auth.min_password_length)
        self.rounds = settings.auth.bcrypt_rounds
        self.throttle = LoginThrottle(
            self.database,
            attempts=settings.auth.lockout_attempts,
            window_minutes=settings.auth.lockout_window_minutes,
            clock=self.clock,
        )

    # Reads -----------------------------------------------------------------------------
    def _row_to_user(self, conn: sqlite3.Connection, row: sqlite3.Row, now: float) -> User:
        personas = [
            r[0]
            for r in conn.execute(
                "SELECT persona FROM user_personas WHERE user_id = ?", (row["id"],)
            )
        ]
        lock = conn.execute(
            "SELECT locked_until FROM lockouts WHERE username = ? AND locked_until > ?",
            (row["username"], now),
        ).fetchone()
        return User(
            username=row["username"],
            personas=tuple(p for p in Persona if p.value in personas),
            is_admin=bool(row["is_admin"]),
            disabled=bool(row["disabled"]),
            must_change_password=bool(row["must_change_password"]),
            created_at=from_epoch(row["created_at"]) or self.clock(),
            password_changed_at=from_epoch(row["password_changed_at"]) or self.clock(),
            last_login_at=from_epoch(row["last_login_at"]),
            locked_until=from_epoch(lock[0]) if lock else None,
            password_hash=row["password_hash"],
            id=row["id"],
        )

    def _fetch(self, conn: sqlite3.Connection, username: str) -> User | None:
        row = conn.execute(
            "SELECT * FROM users WHERE username = ?", (normalize_username(username),)
        ).fetchone()
        return self._row_to_user(conn, row, to_epoch(self.clock())) if row else None

    def _require(self, conn: sqlite3.Connection, username: str) -> User:
        user = self._fetch(conn, username)
        if user is None:
            raise UserNotFoundError(
                f"There is no user named '{normalize_username(username)}'.",
                username=normalize_username(username),
            )
        return user

    def find_user(self, username: str) -> User | None:
        """The user, or None (lookups are case-insensitive)."""
        with self.database.read() as conn:
            return self._fetch(conn, username)

    def get_user(self, username: str) -> User:
        """The user, or :class:`UserNotFoundError`."""
        with self.database.read() as conn:
            return self._require(conn, username)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        now = to_epoch(self.clock())
        with self.database.read() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY username").fetchall()
            return [self._row_to_user(conn, row, now) for row in rows]

    def count_admins(self, *, enabled_only: bool = True) -> int:
        with self.database.read() as conn:
            return self._count_admins(conn, enabled_only=enabled_only)

    @staticmethod
    def _count_admins(conn: sqlite3.Connection, *, enabled_only: bool = True) -> int:
        sql = "SELECT COUNT(*) FROM users WHERE is_admin = 1" + (
            " AND disabled = 0" if enabled_only else ""
        )
        return int(conn.execute(sql).fetchone()[0])

    # Writes ----------------------------------------------------------------------------
    def add_user(
        self,
        username: str,
        password: str | None = None,
        *,
        personas: Iterable[str | Persona] = (),
        is_admin: bool = False,
        password_hash: str | None = None,
        must_change_password: bool = False,
        disabled: bool = False,
        actor: str | None = None,
    ) -> User:
        """Create a user from a password (checked against the policy) or an existing bcrypt hash."""
        name = validate_username(username)
        granted = _parse_personas(personas)
        if (password is None) == (password_hash is None):
            raise AuthError("Give either a password or a password hash for a new user.")
        if password is not None:
            self.policy.check(password, username=name)
            password_hash = hash_password(password, self.rounds)
        elif not is_bcrypt_hash(password_hash):
            raise AuthError("The password hash is not a bcrypt hash ($2b$...).", username=name)
        assert password_hash is not None
        now = to_epoch(self.clock())
        with self.database.write() as conn:
            if self._fetch(conn, name) is not None:
                raise UserExistsError(f"A user named '{name}' already exists.", username=name)
            try:
                self._insert(
                    conn,
                    name,
                    password_hash,
                    granted,
                    is_admin=is_admin,
                    disabled=disabled,
                    must_change=must_change_password,
                    now=now,
                )
            except sqlite3.IntegrityError:
                raise UserExistsError(
                    f"A user named '{name}' already exists.", username=name
                ) from None
            self.audit_log.record(
                "user_added",
                name,
                conn=conn,
                actor=actor,
                personas=[p.value for p in granted],
                is_admin=is_admin,
                disabled=disabled,
            )
            return self._require(conn, name)

    @staticmethod
    def _insert(
        conn: sqlite3.Connection,
        name: str,
        password_hash: str,
        personas: Sequence[Persona],
        *,
        is_admin: bool,
        disabled: bool,
        must_change: bool,
        now: float,
    ) -> None:
        cur = conn.execute(
            "INSERT INTO users (username, password_hash, is_admin, disabled, must_change_password, created_at, password_changed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, password_hash, int(is_admin), int(disabled), int(must_change), now, now),
        )
        conn.executemany(
            "INSERT INTO user_personas (user_id, persona, granted_at) VALUES (?, ?, ?)",
            [(cur.lastrowid, p.value, now) for p in personas],
        )

    def _guard_last_admin(self, conn: sqlite3.Connection, user: User, action: str) -> None:
        if user.is_admin and not user.disabled and self._count_admins(conn) <= 1:
            raise AuthError(
                f"Cannot {action} '{user.username}': it is the last enabled administrator. Add another administrator first.",
                username=user.username,
            )

    def remove_user(self, username: str, *, actor: str | None = None) -> None:
        """Delete a user, their grants and their sessions."""
        with self.database.write() as conn:
            user = self._require(conn, username)
            self._guard_last_admin(conn, user, "remove")
            conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
            self.throttle.clear(user.username, conn)
            self.audit_log.record("user_removed", user.username, conn=conn, actor=actor)

    def set_password(
        self,
        username: str,
        password: str,
        *,
        must_change_password: bool = False,
        keep_session_id: str | None = None,
        actor: str | None = None,
        event: str = "user_passwd",
    ) -> User:
        """Change a password (policy-checked); every other session of the user is revoked."""
        name = normalize_username(username)
        self.policy.check(password, username=name)
        new_hash = hash_password(password, self.rounds)
        now = to_epoch(self.clock())
        with self.database.write() as conn:
            user = self._require(conn, name)
            conn.execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ? WHERE id = ?",
                (new_hash, now, int(must_change_password), user.id),
            )
            revoked = self._revoke_sessions(conn, user.id, now, keep=keep_session_id)
            self.audit_log.record(
                event, user.username, conn=conn, actor=actor, sessions_revoked=revoked
            )
            return self._require(conn, name)

    def rehash(self, username: str, expected_hash: str, new_hash: str) -> bool:
        """Replace a hash (cost upgrade at login) only if it is still ``expected_hash``."""
        with self.database.write() as conn:
            cur = conn.execute(
                "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ?",
                (new_hash, normalize_username(username), expected_hash),
            )
            return cur.rowcount == 1

    @staticmethod
    def _revoke_sessions(
        conn: sqlite3.Connection, user_id: int, now: float, *, keep: str | None = None
    ) -> int:
        cur = conn.execute(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND session_id IS NOT ?",
            (now, user_id, keep),
        )
        return cur.rowcount

    def grant(
        self, username: str, personas: Iterable[str | Persona], *, actor: str | None = None
    ) -> User:
        """Grant personas (already granted ones are left as they are)."""
        added = _parse_personas(personas)
        now = to_epoch(self.clock())
        with self.database.write() as conn:
            user = self._require(conn, username)
            conn.executemany(
                "INSERT OR IGNORE INTO user_personas (user_id, persona, granted_at) VALUES (?, ?, ?)",
                [(user.id, p.value, now) for p in added],
            )
            self.audit_log.record(
                "user_granted",
                user.username,
                conn=conn,
                actor=actor,
                personas=[p.value for p in added],
            )
            return self._require(conn, user.username)

    def revoke(
        self, username: str, personas: Iterable[str | Persona], *, actor: str | None = None
    ) -> User:
        """Withdraw personas; sessions using one of them fall back to another granted persona."""
        removed = _parse_personas(personas)
        with self.database.write() as conn:
            user = self._require(conn, username)
            conn.executemany(
                "DELETE FROM user_personas WHERE user_id = ? AND persona = ?",
                [(user.id, p.value) for p in removed],
            )
            self.audit_log.record(
                "user_revoked",
                user.username,
                conn=conn,
                actor=actor,
                personas=[p.value for p in removed],
            )
            return self._require(conn, user.username)

    def set_disabled(self, username: str, disabled: bool, *, actor: str | None = None) -> User:
        """Disable (revoking every session) or re-enable an account."""
        now = to_epoch(self.clock())
        with self.database.write() as conn:
            user = self._require(conn, username)
            if disabled:
                self._guard_last_admin(conn, user, "disable")
            conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user.id))
            revoked = self._revoke_sessions(conn, user.id, now) if disabled else 0
            self.audit_log.record(
                "user_disabled" if disabled else "user_enabled",
                user.username,
                conn=conn,
                actor=actor,
                sessions_revoked=revoked,
            )
            return self._require(conn, user.username)

    def disable(self, username: str, *, actor: str | None = None) -> User:
        return self.set_disabled(username, True, actor=actor)

    def enable(self, username: str, *, actor: str | None = None) -> User:
        return self.set_disabled(username, False, actor=actor)

    def unlock(self, username: str, *, actor: str | None = None) -> bool:
        """Clear failed logins and any lock; True when the user was locked or had failures.

        Works for names that are not users too (failures are tracked for unknown names), but
        raises :class:`UserNotFoundError` when there is neither a user nor anything to clear.
        """
        name = normalize_username(username)
        with self.database.write() as conn:
            user = self._fetch(conn, name)
            cleared = self.throttle.clear(name, conn)
            if user is None and not cleared:
                raise UserNotFoundError(f"There is no user named '{name}'.", username=name)
            self.audit_log.record("user_unlocked", name, conn=conn, actor=actor, was_locked=cleared)
            return cleared

    def mark_login(self, user_id: int, conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE users SET last_login_at = ? WHERE id = ?", (to_epoch(self.clock()), user_id)
        )

    # users.json ------------------------------------------------------------------------
    def _validate_file(self, data: Any) -> list[_Entry]:
        issues: list[str] = []
        if not isinstance(data, Mapping) or not isinstance(data.get("users"), list):
            raise UsersFileError(
                'A users file must be a JSON object with a "users" list.',
                issues=['top level: expected {"users": [...]}'],
            )
        entries: list[_Entry] = []
        seen: dict[str, int] = {}
        allowed_keys = {"username", "password_hash", "personas", "is_admin", "disabled"}
        for index, item in enumerate(data["users"]):
            where = f"users[{index}]"
            if not isinstance(item, Mapping):
                issues.append(f"{where}: expected an object")
                continue
            before = len(issues)
            extra = sorted(set(item) - allowed_keys)
            if "password" in item:
                issues.append(
                    f"{where}: plain-text 'password' is not accepted; give a bcrypt 'password_hash'"
                )
                extra = [k for k in extra if k != "password"]
            if extra:
                issues.append(f"{where}: unknown key(s) {', '.join(extra)}")
            raw_name = item.get("username")
            name = ""
            if not isinstance(raw_name, str):
                issues.append(f"{where}: 'username' must be a string")
            else:
                try:
                    name = validate_username(raw_name)
                    where = f"{where} ({name})"
                except InvalidUsernameError as exc:
                    issues.append(f"{where}: {exc.message}")
            if name and name in seen:
                issues.append(
                    f"{where}: duplicate of users[{seen[name]}] (usernames are case-insensitive)"
                )
            elif name:
                seen[name] = index
            password_hash = item.get("password_hash")
            if not is_bcrypt_hash(password_hash):
                issues.append(
                    f"{where}: 'password_hash' must be a bcrypt hash ($2b$NN$ followed by 53 characters)"
                )
            personas: list[Persona] = []
            raw_personas = item.get("personas", [])
            if not isinstance(raw_personas, list) or not all(
                isinstance(p, str) for p in raw_personas
            ):
                issues.append(f"{where}: 'personas' must be a list of persona ids")
            else:
                for p in raw_personas:
                    try:
                        personas.append(Persona.parse(p))
                    except WorkbenchError:
                        issues.append(
                            f"{where}: unknown persona '{p}' (choose from {', '.join(x.value for x in Persona)})"
                        )
            flags: dict[str, bool] = {}
            for key in ("is_admin", "disabled"):
                value = item.get(key, False)
                if not isinstance(value, bool):
                    issues.append(f"{where}: '{key}' must be true or false")
                flags[key] = bool(value)
            if len(issues) == before:
                entries.append(
                    _Entry(
                        name,
                        str(password_hash),
                        _parse_personas(personas),
                        flags["is_admin"],
                        flags["disabled"],
                    )
                )
        if issues:
            raise UsersFileError(
                f"The users file has {len(issues)} problem(s); nothing was imported.", issues=issues
            )
        return entries

    def import_json(
        self,
        source: str | os.PathLike[str] | Mapping[str, Any],
        *,
        on_conflict: OnConflict = "error",
        actor: str | None = None,
    ) -> ImportResult:
        """Import users from a users.json file (or its parsed content), all or nothing.

        Every entry is validated first and every problem reported at once. Existing users
        are refused (``on_conflict="error"``, the default: nothing is imported and every
        clash is listed), left alone (``"skip"``) or overwritten (``"update"``: hash,
        personas and flags replaced, sessions revoked).
        """
        if isinstance(source, Mapping):
            data: Any = source
        else:
            path = Path(source)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise UsersFileError(f"The users file {path} does not exist.") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise UsersFileError(
                    f"The users file {path} is not valid JSON.", issues=[str(exc)]
                ) from None
        if on_conflict not in ("error", "skip", "update"):
            raise AuthError(f"on_conflict must be error, skip or update, not {on_conflict!r}.")
        entries = self._validate_file(data)
        result = ImportResult()
        now = to_epoch(self.clock())
        with self.database.write() as conn:
            admins_before = self._count_admins(conn)
            existing = {e.username: self._fetch(conn, e.username) for e in entries}
            clashes = [name for name, user in existing.items() if user is not None]
            if clashes and on_conflict == "error":
                raise UsersFileError(
                    f"{len(clashes)} user(s) in the file already exist; nothing was imported. Use --skip-existing or --update.",
                    issues=[f"{name}: already exists" for name in clashes],
                )
            for entry in entries:
                user = existing[entry.username]
                if user is None:
                    self._insert(
                        conn,
                        entry.username,
                        entry.password_hash,
                        entry.personas,
                        is_admin=entry.is_admin,
                        disabled=entry.disabled,
                        must_change=False,
                        now=now,
                    )
                    result.added.append(entry.username)
                elif on_conflict == "skip":
                    result.skipped.append(entry.username)
                else:
                    conn.execute(
                        "UPDATE users SET password_hash = ?, is_admin = ?, disabled = ?, password_changed_at = CASE WHEN password_hash = ? THEN password_changed_at ELSE ? END WHERE id = ?",
                        (
                            entry.password_hash,
                            int(entry.is_admin),
                            int(entry.disabled),
                            entry.password_hash,
                            now,
                            user.id,
                        ),
                    )
                    conn.execute("DELETE FROM user_personas WHERE user_id = ?", (user.id,))
                    conn.executemany(
                        "INSERT INTO user_personas (user_id, persona, granted_at) VALUES (?, ?, ?)",
                        [(user.id, p.value, now) for p in entry.personas],
                    )
                    self._revoke_sessions(conn, user.id, now)
                    result.updated.append(entry.username)
            if admins_before > 0 and self._count_admins(conn) == 0:
                raise UsersFileError(
                    "The import would leave no enabled administrator; nothing was imported."
                )
            self.audit_log.record(
                "users_imported",
                None,
                conn=conn,
                actor=actor,
                added=result.added,
                updated=result.updated,
                skipped=result.skipped,
                on_conflict=on_conflict,
            )
        return result

    def export_data(self) -> dict[str, Any]:
        """The users.json content: usernames, hashes, personas and flags."""
        return {
            "users": [
                {
                    "username": u.username,
                    "password_hash": u.password_hash,
                    "personas": [p.value for p in u.personas],
                    "is_admin": u.is_admin,
                    "disabled": u.disabled,
                }
                for u in self.list_users()
            ]
        }

    def export_json(self, path: str | os.PathLike[str], *, actor: str | None = None) -> int:
        """Write users.json (0600, atomically: readers never see half a file); returns the user count."""
        target = Path(path)
        data = self.export_data()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=".users-", suffix=".json", dir=target.parent
        )  # mkstemp creates 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self.audit_log.record(
            "users_exported", None, actor=actor, count=len(data["users"]), file=str(target)
        )
        return len(data["users"])
