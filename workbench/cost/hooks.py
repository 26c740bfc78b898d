"""Hooks the AWS clients call once per request they send, so the ledger sees every billed call.

An invoker that retries calls :func:`record_lambda_request` for *each* attempt (the first
and every retry), with the response or the error it got; a Bedrock client calls
:func:`record_bedrock_request` for each Converse response. The hooks decide what AWS bills:

* Lambda bills a request that reached the function: a response (a function error
  included: the function ran) or a read timeout (it may still be running). Its duration is
  Lambda's own ``Billed Duration`` from the log tail (``LogType="Tail"``), else the client's
  wall time, an upper bound. A request refused before the function ran (throttled,
  ``TooManyRequestsException``; a missing function; a service error) is recorded unbilled.
* Bedrock bills the tokens a response reports (``usage.inputTokens``/``outputTokens``);
  a throttled request has no response and costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.cost.pricing import lambda_billed_duration_ms
from workbench.cost.usage import InvocationUsage, LlmUsage, Usage

#: Errors raised before the function ran: AWS does not bill the request.
_UNBILLED_LAMBDA_ERRORS = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "ResourceNotFoundException",
        "ResourceConflictException",
        "ResourceNotReadyException",
        "InvalidParameterValueException",
        "RequestTooLargeException",
        "ServiceException",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "EC2ThrottledException",
        "EFSMountConnectivityException",
    }
)
_TIMEOUT_ERRORS = frozenset({"ReadTimeoutError", "ReadTimeout"})


def _error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def record_lambda_request(
    usage: Usage | None,
    *,
    function: str,
    memory_mb: int,
    client_ms: float,
    response: Mapping[str, Any] | None = None,
    error: BaseException | None = None,
    invoker: str = "lambda",
) -> InvocationUsage:
    """Record one Lambda request sent (call it per attempt, retries included); returns the item.

    ``response`` is the ``invoke`` response when one came back, ``error`` the exception
    otherwise. ``usage`` may be None (nobody is counting); the item is returned either way.
    """
    billed = True
    billed_ms: float | None = None
    request_id: str | None = None
    if response is not None:
        billed_ms = lambda_billed_duration_ms(response.get("LogResult"))
        meta = response.get("ResponseMetadata") or {}
        request_id = meta.get("RequestId") if isinstance(meta, Mapping) else None
    elif error is not None:
        code = _error_code(error)
        billed = code in _TIMEOUT_ERRORS or (
            code not in _UNBILLED_LAMBDA_ERRORS and not _is_connect_error(error)
        )
    item = InvocationUsage(
        invoker,
        function,
        float(client_ms),
        int(memory_mb),
        billed_duration_ms=billed_ms,
        billed=billed,
        request_id=request_id,
    )
    if usage is not None:
        usage.invocations.append(item)
    return item


def _is_connect_error(error: BaseException) -> bool:
    """A request that never reached Lambda (no connection) is not billed."""
    name = type(error).__name__
    return name in {"ConnectTimeoutError", "EndpointConnectionError", "ConnectionClosedError"}


def record_bedrock_request(
    usage: list[LlmUsage] | None, *, backend: str, model_id: str, response: Mapping[str, Any]
) -> LlmUsage:
    """Record the tokens of one Converse response (call it per response, every tool round)."""
    tokens = response.get("usage") or {}
    item = LlmUsage(
        backend,
        model_id,
        int(tokens.get("inputTokens", 0) or 0),
        int(tokens.get("outputTokens", 0) or 0),
    )
    if usage is not None:
        usage.append(item)
    return item
