"""Turn botocore / awswrangler exceptions into :class:`WorkbenchError` subclasses.

AWS answers with error codes (``ThrottlingException``, ``AccessDeniedException``...); the
rest of the workbench only knows its own hierarchy, so the adapters translate at the edge.
The AWS code and message go to ``detail`` and the log; the message says what to do.
"""

from __future__ import annotations

from typing import Any

from workbench.core.errors import (
    ConfigError,
    QueryError,
    ServiceError,
    ThrottledError,
    TransientError,
    WorkbenchError,
)

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "ServiceQuotaExceededException",
        "ActiveStatementsExceededException",
        "ModelNotReadyException",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "InternalServerException",
        "InternalServerError",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "RequestTimeout",
        "ModelTimeoutException",
    }
)
ACCESS_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "ExpiredTokenException",
        "InvalidClientTokenId",
    }
)
NOT_FOUND_CODES = frozenset(
    {"ResourceNotFoundException", "EntityNotFoundException", "NoSuchBucket", "NoSuchKey"}
)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError``, else None."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def _aws_message(exc: BaseException) -> str:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message") or exc)
    return str(exc)


def translate(exc: BaseException, *, service: str, action: str) -> WorkbenchError:
    """The WorkbenchError to raise for an exception from ``service``'s ``action``."""
    if isinstance(exc, WorkbenchError):
        return exc
    code = error_code(exc)
    detail = f"{service}.{action}: {code or type(exc).__name__}: {_aws_message(exc)}"
    fields: dict[str, Any] = {"service": service, "action": action, "aws_code": code}
    if code in THROTTLING_CODES:
        return ThrottledError(
            f"{service} is busy right now; the workbench retried and gave up.",
            detail=detail,
            hint="Try again in a minute.",
            **fields,
        )
    if code in TRANSIENT_CODES:
        return TransientError(
            f"{service} had a temporary problem.",
            detail=detail,
            hint="Try again in a minute.",
            **fields,
        )
    if code in ACCESS_CODES:
        return ServiceError(
            f"The AWS credentials in use may not call {service} {action}.",
            detail=detail,
            hint="Check the IAM permissions listed in docs/aws.md for this backend.",
            **fields,
        )
    if code in NOT_FOUND_CODES:
        return ConfigError(
            f"An AWS resource for {service} was not found: {_aws_message(exc)}",
            issues=[detail],
            **fields,
        )
    if code == "ValidationException" and service in {"redshift-data", "athena"}:
        return QueryError("The warehouse rejected the request.", detail=detail, **fields)
    if code == "ValidationException" and service == "bedrock-runtime":
        return _bedrock_validation(_aws_message(exc), detail, fields)
    name = type(exc).__name__
    if name in {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }:
        return TransientError(
            f"Could not reach {service}.",
            detail=detail,
            hint="Check the network and the aws.region / aws.endpoint_url settings.",
            **fields,
        )
    if name == "ParamValidationError":
        return ConfigError(f"A setting sent to {service} is invalid.", issues=[str(exc)], **fields)
    if name in {"NoCredentialsError", "PartialCredentialsError", "NoRegionError"}:
        return ConfigError(
            f"No usable AWS {'region' if name == 'NoRegionError' else 'credentials'} for {service}.",
            issues=[
                f"aws: {exc} (set aws.region / aws.profile, or run on an instance with a role)"
            ],
            key="aws",
        )
    return ServiceError(f"{service} returned an error.", detail=detail, **fields)


#: Bedrock ValidationException messages -> what to change (matched case-insensitively).
_BEDROCK_HINTS: tuple[tuple[str, str, str], ...] = (
    (
        "inference profile",
        "This Bedrock model cannot be called by its model id in this region: it needs an inference profile.",
        "Set planner.bedrock.model_id to an inference-profile id, e.g. 'us.<model id>' or "
        "'eu.<model id>' (list them with `aws bedrock list-inference-profiles`), and allow that "
        "profile's ARN in the IAM policy (docs/aws.md).",
    ),
    (
        "model identifier is invalid",
        "Bedrock does not know the configured model id.",
        "Check planner.bedrock.model_id against `aws bedrock list-foundation-models` in aws.region.",
    ),
    (
        "access to the model",
        "This AWS account has no access to the configured Bedrock model.",
        "Request access to the model in the Bedrock console (Model access) for aws.region.",
    ),
    (
        "too long",
        "The question and its context are too long for the model.",
        "Ask a shorter question, or lower planner.bedrock.max_tokens.",
    ),
)


def _bedrock_validation(message: str, detail: str, fields: dict[str, Any]) -> WorkbenchError:
    lowered = message.lower()
    for needle, text, hint in _BEDROCK_HINTS:
        if needle in lowered:
            return ConfigError(text, issues=[message], hint=hint, detail=detail, **fields)
    return ServiceError(
        f"Bedrock rejected the request: {message}",
        detail=detail,
        hint="Check planner.bedrock.* (model id, max_tokens) against the model's limits.",
        **fields,
    )


def call(service: str, action: str, fn: Any, /, **kwargs: Any) -> Any:
    """Call a client method and translate its failure (a thin wrapper so adapters stay readable)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, service=service, action=action) from exc
