"""Authentication, sessions, persona authorization and the audit log.

Entry points: :class:`AuthService` (login, validate, authorize, switch_persona, logout,
audit), :class:`UserStore` (accounts and grants, users.json), :func:`ensure_admin`
(first-run administrator). State lives in ``settings.auth_db_path``. See docs/auth.md.
"""

from __future__ import annotations

from workbench.auth.audit import EVENTS, AuditEntry, AuditLog
from workbench.auth.database import AuthDatabase
from workbench.auth.errors import (
    INVALID_CREDENTIALS,
    AccountDisabledError,
    AccountLockedError,
    InvalidCredentialsError,
    InvalidUsernameError,
    PasswordPolicyError,
    SessionError,
    UserExistsError,
    UserNotFoundError,
    UsersFileError,
)
from workbench.auth.lockout import LoginThrottle
from workbench.auth.passwords import (
    BCRYPT_MAX_BYTES,
    PasswordPolicy,
    hash_password,
    verify_password,
)
from workbench.auth.service import ADMIN_PASSWORD_ENV, AuthService, AuthSession, ensure_admin
from workbench.auth.sessions import SessionStore
from workbench.auth.store import (
    ImportResult,
    User,
    UserStore,
    normalize_username,
    validate_username,
)

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "BCRYPT_MAX_BYTES",
    "EVENTS",
    "INVALID_CREDENTIALS",
    "AccountDisabledError",
    "AccountLockedError",
    "AuditEntry",
    "AuditLog",
    "AuthDatabase",
    "AuthService",
    "AuthSession",
    "ImportResult",
    "InvalidCredentialsError",
    "InvalidUsernameError",
    "LoginThrottle",
    "PasswordPolicy",
    "PasswordPolicyError",
    "SessionError",
    "SessionStore",
    "User",
    "UserExistsError",
    "UserNotFoundError",
    "UserStore",
    "UsersFileError",
    "ensure_admin",
    "hash_password",
    "normalize_username",
    "validate_username",
    "verify_password",
]
