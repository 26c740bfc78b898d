"""``LambdaInvoker``: run tools in the AWS Lambda functions of each specialist agent.

One function per agent (``invoker.lambda.inventory_function`` ...), invoked synchronously
(``RequestResponse``) with the JSON payload ``{"tool": name, "arguments": {...}}``; the
function answers ``{"statusCode": ..., "body": ...}`` (see
:mod:`workbench.invokers.lambda_runtime`). Arguments are validated locally first, so a bad
call never costs an invocation. Throttling (``TooManyRequestsException``) and other
transient service errors are retried with backoff (:func:`workbench.core.retry.retry_call`),
at most ``DEFAULT_RETRY.attempts`` (4) sends in all: this is the only retry layer, botocore's
own retries are off for this client (with both, a throttled call was sent 20 times). A read
timeout (``invoker.lambda.timeout_seconds``) or a connection dropped mid-call is never
re-sent: the function may still be running, and every send is billed and may run the tool
again. Only failures where the request surely did not reach the function (throttling, a
503 from the service, no connection) are retried. A function crash (``FunctionError``) becomes a ``ToolError`` carrying
the remote message. boto3 is imported lazily through :mod:`workbench.aws.session`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.core.errors import (
    QueryTimeoutError,
    ThrottledError,
    ToolArgumentError,
    ToolError,
    TransientError,
    WorkbenchError,
)
from workbench.core.retry import RetryPolicy, retry_call
from workbench.cost.hooks import record_lambda_request
from workbench.cost.usage import Usage, WarehouseUsage
from workbench.invokers.base import function_name_for, register_invoker
from workbench.tools.registry import ToolRegistry, default_registry
from workbench.warehouse.base import Warehouse

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = ["DEFAULT_RETRY", "LambdaInvoker"]

DEFAULT_RETRY = RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0)
#: The request may have reached the function: never re-send.
_MAYBE_RAN_ERRORS = {"ReadTimeoutError", "ConnectionClosedError"}
#: The request surely did not reach the function: safe to retry.
_NOT_SENT_ERRORS = {"ConnectTimeoutError", "EndpointConnectionError"}


class LambdaInvoker:
    """Invoke the specialist Lambda functions with JSON payloads."""

    name = "lambda"

    def __init__(
        self,
        settings: Settings,
        *,
        boto3_session: Any = None,
        client: Any = None,
        registry: ToolRegistry | None = None,
        retry_policy: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.registry = registry or default_registry()
        self.retry_policy = retry_policy
        self._sleep = sleep
        if client is None:
            from workbench.aws.session import client as make_client

            client = make_client(
                "lambda",
                settings.aws,
                boto3_session=boto3_session,
                read_timeout=settings.invoker.lambda_.timeout_seconds,
                max_attempts=1,  # the retry layer is retry_call below, not botocore
            )
        self.client = client

    def function_for(self, tool_name: str) -> str:
        return function_name_for(self.registry.get(tool_name).agent, self.settings)

    def _invoke_once(
        self, function: str, payload: bytes, usage: Usage | None = None
    ) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        from workbench.aws.errors import translate

        memory_mb = self.settings.invoker.lambda_.memory_mb
        start = time.perf_counter()
        try:
            # LogType=Tail returns the log tail with Lambda's own "Billed Duration".
            response: dict[str, Any] = self.client.invoke(
                FunctionName=function,
                InvocationType="RequestResponse",
                LogType="Tail",
                Payload=payload,
            )
            record_lambda_request(
                usage,
                function=function,
                memory_mb=memory_mb,
                client_ms=(time.perf_counter() - start) * 1000,
                response=response,
            )
            return response
        except (ClientError, BotoCoreError) as exc:
            record_lambda_request(
                usage,
                function=function,
                memory_mb=memory_mb,
                client_ms=(time.perf_counter() - start) * 1000,
                error=exc,
            )
            name = type(exc).__name__
            if name in _MAYBE_RAN_ERRORS:
                raise ToolError(
                    f"The Lambda function {function} did not answer within {self.settings.invoker.lambda_.timeout_seconds:g} seconds.",
                    hint="Narrow the question, or raise invoker.lambda.timeout_seconds and the function's timeout.",
                    detail=str(exc),
                    function=function,
                    resent=False,
                ) from exc
            if name in _NOT_SENT_ERRORS:
                raise TransientError(
                    f"Could not reach the Lambda service for {function}.",
                    hint="Check the network and the aws.region / aws.endpoint_url settings.",
                    detail=str(exc),
                    function=function,
                ) from exc
            raise translate(exc, service="lambda", action="Invoke") from exc

    def invoke(
        self, tool_name: str, arguments: Mapping[str, Any], *, usage: Usage | None = None
    ) -> dict[str, Any]:
        args = self.registry.validate(tool_name, dict(arguments))
        function = self.function_for(tool_name)
        payload = json.dumps({"tool": tool_name, "arguments": args}, default=str).encode("utf-8")
        response = retry_call(
            lambda: self._invoke_once(function, payload, usage),
            self.retry_policy,
            sleep=self._sleep,
            what=f"lambda {function}",
        )
        body = self._read_payload(response, function)
        if response.get("FunctionError"):
            remote = body.get("errorMessage") if isinstance(body, dict) else None
            raise ToolError(
                f"The Lambda function {function} failed: {remote or 'no error message'}",
                detail=json.dumps(body, default=str)[:2000],
                function=function,
                error_type=body.get("errorType") if isinstance(body, dict) else None,
            )
        return self._unwrap(body, function, tool_name, usage)

    @staticmethod
    def _read_payload(response: Mapping[str, Any], function: str) -> Any:
        raw: Any = response.get("Payload")
        data = raw.read() if hasattr(raw, "read") else raw
        if not data:
            return {}
        try:
            return json.loads(data)
        except ValueError:
            raise ToolError(
                f"The Lambda function {function} answered with something that is not JSON.",
                detail=str(data[:500]),
                function=function,
            ) from None

    @staticmethod
    def _unwrap(body: Any, function: str, tool_name: str, usage: Usage | None) -> dict[str, Any]:
        if not isinstance(body, dict) or "statusCode" not in body:
            raise ToolError(
                f"The Lambda function {function} answered in an unexpected shape.",
                detail=str(body)[:500],
                function=function,
            )
        status = int(body["statusCode"])
        content = body.get("body") or {}
        if isinstance(content, str):
            content = json.loads(content)
        if status == 200:
            remote_usage = content.pop("usage", None) or {}
            if usage is not None:
                for item in remote_usage.get("warehouse", []):
                    usage.warehouse.append(WarehouseUsage(**item))
            return dict(content)
        message = str(
            content.get("message")
            or f"The Lambda function {function} answered with status {status}."
        )
        hint = content.get("hint")
        fields: dict[str, Any] = {
            "tool": tool_name,
            "function": function,
            "status": status,
            "remote_error": content.get("error"),
        }
        fields.update(
            {k: v for k, v in content.items() if k not in {"error", "message", "hint", "detail"}}
        )
        err: WorkbenchError
        if status == 400 and content.get("error") == ToolArgumentError.code:
            err = ToolArgumentError(message, hint=hint, **fields)
        elif status == 503 and content.get("error") == ThrottledError.code:
            err = ThrottledError(message, hint=hint, **fields)
        elif status == 503:
            err = TransientError(message, hint=hint, **fields)
        elif status == 504:
            err = QueryTimeoutError(message, hint=hint, **fields)
        else:
            err = ToolError(message, hint=hint, **fields)
        raise err


@register_invoker("lambda")
def _lambda_factory(
    settings: Settings, *, warehouse: Warehouse | None = None, boto3_session: Any = None
) -> LambdaInvoker:
    return LambdaInvoker(settings, boto3_session=boto3_session)
