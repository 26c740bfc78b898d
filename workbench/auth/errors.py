"""Auth-specific errors, all :class:`~workbench.core.errors.AuthError` subclasses.

Callers that only care "was this an auth problem" catch ``AuthError``; the CLI and the
dashboards use the subclasses to choose a message or an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.core.errors import AuthError

#: The one message for an unknown user and a wrong password, so neither is revealed.
INVALID_CREDENTIALS = "Invalid username or password."


class InvalidCredentialsError(AuthError):
    """Unknown user or wrong password (deliberately indistinguishable)."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(INVALID_CREDENTIALS)


class AccountLockedError(AuthError):
    """Too many failed logins for this username within the lockout window."""

    code = "account_locked"


class AccountDisabledError(AuthError):
    """The account exists but an administrator disabled it."""

    code = "account_disabled"


class SessionError(AuthError):
    """The session token is unknown, tampered with, expired or revoked."""

    code = "session_invalid"


class PasswordPolicyError(AuthError):
    """A new password does not meet the password policy."""

    code = "password_policy"


class UserExistsError(AuthError):
    """A user with this name already exists (names are case-insensitive)."""

    code = "user_exists"


class UserNotFoundError(AuthError):
    """No user with this name exists."""

    code = "user_not_found"


class InvalidUsernameError(AuthError):
    """A username does not meet the naming rules."""

    code = "invalid_username"


class UsersFileError(AuthError):
    """A users.json file has problems; ``issues`` lists every one of them."""

    code = "users_file_invalid"

    def __init__(self, message: str, *, issues: Sequence[str] = (), **fields: Any) -> None:
        super().__init__(message, issues=list(issues), **fields)
        self.issues = list(issues)

    def __str__(self) -> str:
        if not self.issues:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {issue}" for issue in self.issues)
