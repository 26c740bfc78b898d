"""One error hierarchy for the whole workbench.

Every error carries a short ``message`` a business user can act on, a stable ``code``
and structured ``fields`` for logs and programmatic handling. Technical detail (a server
message, a traceback) goes in ``detail`` and is logged, not shown first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""

    code: str = "workbench_error"
    #: Whether retrying the same call later may succeed (throttling, timeouts, transient I/O).
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        hint: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.hint = hint
        self.fields: dict[str, Any] = fields

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for APIs, Lambda error bodies and logs."""
        out: dict[str, Any] = {
            "error": self.code,
            "message": self.message,
            "retryable": self.retryable,
        }
        if self.hint:
            out["hint"] = self.hint
        for key, value in self.fields.items():
            if key not in out:
                out[key] = _json_safe(value)
        return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_json_safe(v) for v in items]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


class ConfigError(WorkbenchError):
    """A configuration value is missing or invalid. ``issues`` lists every problem found."""

    code = "config_error"

    def __init__(self, message: str, *, issues: Sequence[str] = (), **fields: Any) -> None:
        super().__init__(message, issues=list(issues), **fields)
        self.issues = list(issues)

    def __str__(self) -> str:
        if not self.issues:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {issue}" for issue in self.issues)


class MissingDependencyError(WorkbenchError):
    """An optional library is needed for the chosen backend. The message says what to install."""

    code = "missing_dependency"

    def __init__(self, package: str, *, extra: str | None = None, feature: str = "") -> None:
        spec = f"workbench[{extra}]" if extra else package
        super().__init__(
            f"{feature or package} needs the '{package}' package, which is not installed.",
            hint=f"Run: pip install '{spec}'",
            package=package,
            extra=extra,
        )


class DataError(WorkbenchError):
    """The data is missing, malformed or fails a consistency check."""

    code = "data_error"


class DataNotFoundError(DataError):
    """No warehouse data exists yet."""

    code = "data_not_found"


class QueryRefusedError(WorkbenchError):
    """A SQL statement was refused by the safety check; nothing was executed."""

    code = "query_refused"

    def __init__(self, message: str, *, reason: str, **fields: Any) -> None:
        super().__init__(message, reason=reason, **fields)
        self.reason = reason


class PermissionDeniedError(WorkbenchError):
    """The persona (or user) may not read what the question needs."""

    code = "permission_denied"


class QueryError(WorkbenchError):
    """The warehouse rejected or failed a query."""

    code = "query_error"


class QueryTimeoutError(QueryError):
    """A query ran past its time limit and was cancelled.

    Not retryable: the same query would very likely time out again, multiplying the wait.
    """

    code = "query_timeout"


class NotUnderstoodError(WorkbenchError):
    """The planner could not understand a question. ``suggestions`` lists close questions it can answer."""

    code = "not_understood"

    def __init__(self, message: str, *, suggestions: Sequence[str] = (), **fields: Any) -> None:
        super().__init__(message, suggestions=list(suggestions), **fields)
        self.suggestions = list(suggestions)


class ToolError(WorkbenchError):
    """A calculation tool failed or cannot run on the given input."""

    code = "tool_error"


class ToolArgumentError(ToolError):
    """Arguments for a tool do not match its schema."""

    code = "invalid_arguments"


class AuthError(WorkbenchError):
    """Authentication or session failure."""

    code = "auth_error"


class TransientError(WorkbenchError):
    """A temporary failure: the same call may succeed if retried."""

    code = "transient_error"
    retryable = True


class ThrottledError(TransientError):
    """A service asked us to slow down."""

    code = "throttled"


class ServiceError(WorkbenchError):
    """A remote service (AWS) returned an error that retrying will not fix."""

    code = "service_error"
