"""Password hashing (bcrypt) and the password policy.

bcrypt only looks at the first 72 bytes of a password, and the ``bcrypt`` package (5.x)
raises on anything longer. We **reject** passwords longer than 72 bytes (UTF-8) when they
are set, rather than silently truncating or pre-hashing: the stored hashes stay plain
bcrypt, so a users.json exported here verifies in any other bcrypt implementation and vice
versa. Passwords are NFC-normalized before hashing and checking, so the same characters
typed on different keyboards give the same bytes.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

import bcrypt

from workbench.auth.errors import PasswordPolicyError

#: bcrypt's input limit in bytes.
BCRYPT_MAX_BYTES = 72
#: A syntactically valid bcrypt hash: $2a$/$2b$/$2y$, two-digit cost, 22-char salt + 31-char digest.
_BCRYPT_HASH = re.compile(r"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")
#: Salt and digest of a real bcrypt hash; with any cost prefix it is a hash no password matches
#: in practice, and checking against it costs exactly as much as checking a real one.
_DUMMY_TAIL = "qAd/SZw9sIp3TMpgRxZ23udAFEksGPZ/3tACoF4eflouqDhLiQT92"


def _encode(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode("utf-8")


def is_bcrypt_hash(value: object) -> bool:
    """Whether ``value`` looks like a bcrypt hash we can verify against."""
    return isinstance(value, str) and bool(_BCRYPT_HASH.match(value))


def hash_cost(password_hash: str) -> int:
    """The cost (log2 rounds) encoded in a bcrypt hash."""
    return int(password_hash.split("$")[2])


def dummy_hash(rounds: int) -> str:
    """A hash of the given cost to verify against when the user does not exist (equal timing)."""
    return f"$2b${rounds:02d}${_DUMMY_TAIL}"


def hash_password(password: str, rounds: int = 12) -> str:
    """bcrypt-hash a password that already passed the policy."""
    data = _encode(password)
    if len(data) > BCRYPT_MAX_BYTES:
        raise PasswordPolicyError(
            f"Passwords must be at most {BCRYPT_MAX_BYTES} bytes long (UTF-8)."
        )
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Constant-time check of a password against a bcrypt hash; never raises on bad input.

    A password over 72 bytes can never have been set (the policy rejects it), so it is
    checked truncated, only to spend the same time, and the answer is always False.
    """
    data = _encode(password if isinstance(password, str) else "")
    too_long = len(data) > BCRYPT_MAX_BYTES
    if too_long:
        data = data[:BCRYPT_MAX_BYTES]
    try:
        ok = bcrypt.checkpw(data, password_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return ok and not too_long


def generate_password(length: int = 24) -> str:
    """A random password for one-time use (URL-safe characters, ~6 bits each)."""
    return secrets.token_urlsafe(length)[:length]


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy. Checked on add and passwd, never at login."""

    min_length: int = 12
    max_bytes: int = BCRYPT_MAX_BYTES

    def problems(self, password: str, *, username: str | None = None) -> list[str]:
        """Every rule the password breaks, as messages a user can act on."""
        normalized = unicodedata.normalize("NFC", password)
        issues: list[str] = []
        if len(normalized) < self.min_length:
            issues.append(f"Passwords must be at least {self.min_length} characters long.")
        if len(normalized.encode("utf-8")) > self.max_bytes:
            issues.append(
                f"Passwords must be at most {self.max_bytes} bytes long (UTF-8); bcrypt ignores anything beyond that."
            )
        if normalized.strip() == "":
            issues.append("Passwords must not be blank.")
        if any(ch in normalized for ch in "\r\n\x00"):
            issues.append("Passwords must not contain line breaks or NUL characters.")
        if username and normalized.strip().casefold() == username.strip().casefold():
            issues.append("Passwords must not be the same as the username.")
        return issues

    def check(self, password: str, *, username: str | None = None) -> None:
        """Raise :class:`PasswordPolicyError` naming the first problem (all are in ``issues``)."""
        issues = self.problems(password, username=username)
        if issues:
            raise PasswordPolicyError(issues[0], issues=issues)
