"""The authentication service the dashboards, the orchestrator and the CLI call.

``AuthService.login`` turns a username and password into an :class:`AuthSession` holding a
bearer token; ``validate``/``authorize`` check that token on every request, in the core,
so a persona the user was not granted is refused even when a UI forgets to hide it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.auth.audit import AuditEntry, AuditLog
from workbench.auth.database import AuthDatabase, Clock, system_clock
from workbench.auth.errors import (
    AccountDisabledError,
    AccountLockedError,
    InvalidCredentialsError,
    UserExistsError,
)
from workbench.auth.passwords import (
    dummy_hash,
    generate_password,
    hash_cost,
    hash_password,
    verify_password,
)
from workbench.auth.sessions import SessionRecord, SessionStore
from workbench.auth.store import User, UserStore, normalize_username
from workbench.core.config import Settings
from workbench.core.errors import PermissionDeniedError
from workbench.core.logs import log_event
from workbench.data.schema import Persona

log = logging.getLogger("workbench.auth")

#: Environment variable holding the first-run admin password.
ADMIN_PASSWORD_ENV = "WORKBENCH_ADMIN_PASSWORD"


@dataclass(frozen=True)
class AuthSession:
    """A logged-in user as the caller sees it. ``token`` is kept out of ``repr``."""

    token: str = field(repr=False)
    username: str
    personas: list[Persona]
    active_persona: Persona | None
    is_admin: bool
    expires_at: dt.datetime
    session_id: str = ""
    must_change_password: bool = False

    def has_persona(self, persona: str | Persona) -> bool:
        return Persona.parse(persona) in self.personas

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe public view (without the token)."""
        return {
            "username": self.username,
            "personas": [p.value for p in self.personas],
            "active_persona": self.active_persona.value if self.active_persona else None,
            "is_admin": self.is_admin,
            "expires_at": self.expires_at.isoformat(),
            "session_id": self.session_id,
            "must_change_password": self.must_change_password,
        }


def _lock_message(until: dt.datetime) -> str:
    return (
        f"Too many failed logins: this account is locked until {until.strftime('%Y-%m-%d %H:%M UTC')}. "
        "Try again then, or ask an administrator to unlock it."
    )


class AuthService:
    """Logins, sessions, persona authorization and the audit log, over one SQLite file.

    ``clock`` (an aware-UTC ``datetime`` factory) is injectable so expiry and lockout are
    tested without sleeping.
    """

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or system_clock
        self.database = AuthDatabase(settings.auth_db_path)
        self.audit_log = AuditLog(self.database, clock=self.clock)
        self.users = UserStore(
            settings, clock=self.clock, database=self.database, audit=self.audit_log
        )
        self.sessions = SessionStore(
            self.database,
            idle_minutes=settings.auth.session_idle_minutes,
            absolute_hours=settings.auth.session_absolute_hours,
            clock=self.clock,
        )

    @property
    def throttle(self) -> Any:
        return self.users.throttle

    # Login / logout --------------------------------------------------------------------
    def login(self, username: str, password: str) -> AuthSession:
        """Check a password and open a session.

        An unknown user and a wrong password take the same time (a bcrypt check of the same
        cost either way) and raise the same :class:`InvalidCredentialsError`. Failures are
        counted per username, known or not; the one that reaches the limit, and every
        attempt while locked, raises :class:`AccountLockedError`.
        """
        name = normalize_username(username)
        rounds = self.settings.auth.bcrypt_rounds
        now = self.clock()
        locked_until = self.throttle.locked_until(name, now)
        if locked_until is not None:
            verify_password(password, dummy_hash(rounds))  # same work as a real attempt
            self.audit_log.record(
                "login_failure",
                name,
                level=logging.WARNING,
                reason="locked",
                locked_until=locked_until,
            )
            raise AccountLockedError(
                _lock_message(locked_until), unlock_at=locked_until.isoformat()
            )

        user = self.users.find_user(name)
        stored = user.password_hash if user is not None else dummy_hash(rounds)
        ok = verify_password(password, stored) and user is not None
        if not ok or user is None:
            failures, lock = self.throttle.record_failure(name, now)
            reason = "unknown_user" if user is None else "bad_password"
            self.audit_log.record(
                "login_failure", name, level=logging.WARNING, reason=reason, failures=failures
            )
            if lock is not None:
                self.audit_log.record(
                    "lockout", name, level=logging.WARNING, locked_until=lock, failures=failures
                )
                raise AccountLockedError(_lock_message(lock), unlock_at=lock.isoformat())
            raise InvalidCredentialsError()
        if user.disabled:
            self.audit_log.record("login_failure", name, level=logging.WARNING, reason="disabled")
            raise AccountDisabledError(
                "This account is disabled. Ask an administrator to enable it.", username=name
            )

        if hash_cost(stored) != rounds:
            # Upgrade (or downgrade) the stored cost to the configured one while we know the password.
            self.users.rehash(name, stored, hash_password(password, rounds))

        active = user.personas[0] if user.personas else None
        with self.database.write() as conn:
            self.throttle.clear(name, conn)
            token, _ = self.sessions.create(conn, user.id, active.value if active else None)
            self.users.mark_login(user.id, conn)
            record = self.sessions.check(conn, token, touch=False)
            self.audit_log.record(
                "login_success",
                name,
                persona=active.value if active else None,
                conn=conn,
                session_id=record.session_id,
            )
        return self._session(token, record, list(user.personas), active)

    def logout(self, token: str) -> bool:
        """Revoke the session; True when it was live (logging out twice is harmless)."""
        with self.database.write() as conn:
            record = self.sessions.revoke(conn, token)
            if record is not None:
                self.audit_log.record(
                    "logout",
                    record.username,
                    persona=record.active_persona,
                    conn=conn,
                    session_id=record.session_id,
                )
        return record is not None

    # Checking a session ----------------------------------------------------------------
    def validate(self, token: str) -> AuthSession:
        """The live session for ``token`` (idle deadline moved forward), or :class:`SessionError`.

        Grants are re-read on every call, so a revoked persona stops working at once; if the
        active persona was revoked, the session falls back to the first one still granted.
        """
        with self.database.write() as conn:
            record = self.sessions.check(conn, token)
            personas = self._personas(conn, record.user_id)
            active = (
                Persona(record.active_persona)
                if record.active_persona in {p.value for p in personas}
                else None
            )
            if active is None and personas:
                active = personas[0]
            if (active.value if active else None) != record.active_persona:
                self.sessions.set_persona(conn, record.session_id, active.value if active else None)
        return self._session(token, record, personas, active)

    def authorize(self, token: str, persona: str | Persona | None = None) -> AuthSession:
        """Validate ``token`` and check that its user holds ``persona`` (default: the active one).

        Raises :class:`SessionError` for a bad session and :class:`PermissionDeniedError`
        ("Your account is not granted the Procurement Specialist persona.") for a persona
        the user was not granted. The session's active persona is not changed.
        """
        session = self.validate(token)
        wanted = Persona.parse(persona) if persona is not None else session.active_persona
        if wanted is None:
            self.audit_log.record(
                "permission_denied",
                session.username,
                level=logging.WARNING,
                reason="no_persona",
                session_id=session.session_id,
            )
            raise PermissionDeniedError(
                "Your account has no persona granted. Ask an administrator to grant one.",
                username=session.username,
            )
        if wanted not in session.personas:
            self.audit_log.record(
                "permission_denied",
                session.username,
                persona=wanted.value,
                level=logging.WARNING,
                session_id=session.session_id,
            )
            raise PermissionDeniedError(
                f"Your account is not granted the {wanted.label} persona.",
                persona=wanted.value,
                username=session.username,
            )
        return session

    def switch_persona(self, token: str, persona: str | Persona) -> AuthSession:
        """Make ``persona`` the session's active persona (it must be granted)."""
        session = self.authorize(token, persona)
        wanted = Persona.parse(persona)
        if wanted == session.active_persona:
            return session
        with self.database.write() as conn:
            record = self.sessions.check(conn, token, touch=False)
            self.sessions.set_persona(conn, record.session_id, wanted.value)
            self.audit_log.record(
                "persona_switch",
                session.username,
                persona=wanted.value,
                conn=conn,
                previous=session.active_persona.value if session.active_persona else None,
                session_id=record.session_id,
            )
        return AuthSession(
            token=token,
            username=session.username,
            personas=session.personas,
            active_persona=wanted,
            is_admin=session.is_admin,
            expires_at=session.expires_at,
            session_id=session.session_id,
            must_change_password=session.must_change_password,
        )

    def change_password(self, token: str, current_password: str, new_password: str) -> AuthSession:
        """Self-service password change: needs the current password; other sessions are revoked."""
        session = self.validate(token)
        user = self.users.get_user(session.username)
        if not verify_password(current_password, user.password_hash):
            self.audit_log.record(
                "login_failure",
                session.username,
                level=logging.WARNING,
                reason="bad_current_password",
            )
            raise InvalidCredentialsError()
        self.users.set_password(
            session.username,
            new_password,
            keep_session_id=session.session_id,
            actor=session.username,
            event="password_changed",
        )
        return self.validate(token)

    # Audit -----------------------------------------------------------------------------
    def audit(self, event: str, username: str | None, **fields: Any) -> None:
        """Record an audit event (e.g. ``audit("question_asked", user, persona=..., question=...)``)."""
        persona = fields.pop("persona", None)
        if isinstance(persona, Persona):
            persona = persona.value
        self.audit_log.record(
            event, normalize_username(username) if username else None, persona=persona, **fields
        )

    def audit_entries(self, **filters: Any) -> list[AuditEntry]:
        return self.audit_log.entries(**filters)

    # Helpers ---------------------------------------------------------------------------
    @staticmethod
    def _personas(conn: Any, user_id: int) -> list[Persona]:
        granted = {
            r[0]
            for r in conn.execute("SELECT persona FROM user_personas WHERE user_id = ?", (user_id,))
        }
        return [p for p in Persona if p.value in granted]

    @staticmethod
    def _session(
        token: str, record: SessionRecord, personas: list[Persona], active: Persona | None
    ) -> AuthSession:
        return AuthSession(
            token=token,
            username=record.username,
            personas=personas,
            active_persona=active,
            is_admin=record.is_admin,
            expires_at=record.expires_at,
            session_id=record.session_id,
            must_change_password=record.must_change_password,
        )


def ensure_admin(
    settings: Settings, *, env: Mapping[str, str] | None = None, clock: Clock | None = None
) -> str | None:
    """Create the first administrator if the user database has none; idempotent.

    The account (``settings.auth.admin_username``, every persona, admin flag) gets the
    password from ``$WORKBENCH_ADMIN_PASSWORD`` (checked against the policy) and None is
    returned. Without it, a random one-time password is generated, the account is marked
    ``must_change_password``, and the password is returned so the caller can show it once;
    it is never logged or stored in clear. Returns None when an administrator exists.
    """
    env = os.environ if env is None else env
    store = UserStore(settings, clock=clock)
    if store.count_admins(enabled_only=False) > 0:
        return None
    if store.find_user(settings.auth.admin_username) is not None:
        log_event(
            log,
            "auth.admin_missing",
            f"No administrator exists and '{settings.auth.admin_username}' is an ordinary user; "
            "create one with `workbench users add NAME --admin`.",
            level=logging.WARNING,
            username=settings.auth.admin_username,
        )
        return None
    given = env.get(ADMIN_PASSWORD_ENV) or None
    password = given or generate_password(max(24, settings.auth.min_password_length))
    try:
        store.add_user(
            settings.auth.admin_username,
            password,
            personas=list(Persona),
            is_admin=True,
            must_change_password=given is None,
            actor="first-run",
        )
    except UserExistsError:
        return None  # another process created it first
    return None if given else password


__all__ = ["ADMIN_PASSWORD_ENV", "AuthService", "AuthSession", "User", "ensure_admin"]
