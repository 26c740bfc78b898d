"""The inside of the Lambda functions: validate the event, run the tool, answer with a status.

The handlers in ``lambdas/<name>/handler.py`` are one line each (``handler =
make_handler("inventory")``); everything they share lives here so it is typed and tested
with the package. A handler never raises: every outcome is a JSON body with a status code.

========  =====================================================================
status    when
========  =====================================================================
200       ``{"statusCode": 200, "body": <ToolResult dict + "usage">}``
400       malformed event, unknown tool, tool of another function, bad arguments
422       the tool understood the request but cannot answer it (no data, infeasible)
503       a temporary failure (throttling, service unavailable); retrying may work
504       a warehouse query ran past its time limit
500       anything unexpected (logged with the traceback; the body names the request id)
========  =====================================================================

Inside Lambda the warehouse comes from the environment (``WORKBENCH_CONFIG`` or
``WORKBENCH_HOME`` with a ``config.yaml``; typically ``warehouse.backend: redshift`` or
``athena``) and is built once per container, on the first event.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from workbench.core.errors import (
    DataError,
    QueryTimeoutError,
    ToolArgumentError,
    ToolError,
    WorkbenchError,
)
from workbench.core.logs import log_event
from workbench.invokers.base import RecordingWarehouse
from workbench.tools.registry import AGENTS, ToolRegistry, default_registry
from workbench.warehouse.base import Warehouse

__all__ = [
    "EVENT_KEYS",
    "LambdaHandler",
    "handle_event",
    "make_handler",
    "warehouse_from_environment",
]

log = logging.getLogger(__name__)
EVENT_KEYS = frozenset({"tool", "arguments"})


def _response(status: int, body: Mapping[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "body": dict(body)}


def _bad_request(message: str, **fields: Any) -> dict[str, Any]:
    return _response(400, {"error": "bad_request", "message": message, **fields})


def parse_event(event: Any) -> tuple[str, dict[str, Any]] | dict[str, Any]:
    """``(tool, arguments)`` from an event, or a 400 response saying what is wrong.

    Accepts the event itself (``{"tool": ..., "arguments": {...}}``), a JSON string of it,
    or an API Gateway proxy event whose ``body`` is that JSON.
    """
    if isinstance(event, str | bytes):
        try:
            event = json.loads(event)
        except ValueError:
            return _bad_request("The event is not valid JSON.")
    if isinstance(event, Mapping) and "body" in event and "tool" not in event:
        body = event["body"]
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                return _bad_request("The request body is not valid JSON.")
        event = body
    if not isinstance(event, Mapping):
        return _bad_request(
            'The event must be a JSON object like {"tool": "...", "arguments": {...}}.',
            got=type(event).__name__,
        )
    unknown = sorted(set(event) - EVENT_KEYS)
    if unknown:
        return _bad_request(
            f"Unknown event key(s): {', '.join(map(str, unknown))}. Allowed: tool, arguments."
        )
    tool = event.get("tool")
    if not isinstance(tool, str) or not tool:
        return _bad_request("The event needs a 'tool' name (a non-empty string).")
    arguments = event.get("arguments", {})
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        return _bad_request("'arguments' must be a JSON object.", got=type(arguments).__name__)
    return tool, dict(arguments)


def _status_for(exc: WorkbenchError) -> int:
    if isinstance(exc, QueryTimeoutError):
        return 504
    if exc.retryable:
        return 503
    if isinstance(exc, ToolError | DataError):
        return 422
    return 500


def handle_event(
    event: Any,
    context: Any,
    *,
    agent: str,
    warehouse: Callable[[], Warehouse],
    registry: ToolRegistry | None = None,
) -> dict[str, Any]:
    """Run one event for the ``agent``'s function. Never raises."""
    request_id = getattr(context, "aws_request_id", None)
    try:
        parsed = parse_event(event)
        if isinstance(parsed, dict):
            return parsed
        tool, arguments = parsed
        reg = registry or default_registry()
        if tool not in reg or reg.get(tool).agent != agent:
            return _response(
                400,
                {
                    "error": "unknown_tool",
                    "message": f"The {agent} function has no tool '{tool}'.",
                    "tools": reg.names(agent),
                },
            )
        try:
            args = reg.validate(tool, arguments)
        except ToolArgumentError as exc:
            return _response(400, exc.to_dict())
        inner = warehouse()
        recorder = RecordingWarehouse(inner)
        start = time.perf_counter()
        result = reg.get(tool).fn(recorder, **args)
        body = result.to_dict()
        # Queries the warehouse ran for no single call (data-version checks) are billed too.
        drain = getattr(inner, "drain_usage", None)
        overhead = drain() if callable(drain) else []
        body["usage"] = {
            "warehouse": [asdict(r) for r in [*recorder.records, *overhead]],
            "duration_ms": (time.perf_counter() - start) * 1000,
        }
        log_event(
            log,
            "tool_invoked",
            tool=tool,
            agent=agent,
            request_id=request_id,
            rows=len(result.rows),
        )
        return _response(200, body)
    except ToolArgumentError as exc:
        return _response(400, exc.to_dict())
    except WorkbenchError as exc:
        status = _status_for(exc)
        log_event(
            log,
            "tool_failed",
            level=logging.WARNING,
            agent=agent,
            error=exc.code,
            message=exc.message,
            detail=exc.detail,
            request_id=request_id,
        )
        return _response(status, exc.to_dict())
    except Exception as exc:
        log.exception("unexpected failure in the %s function (request %s)", agent, request_id)
        return _response(
            500,
            {
                "error": "internal_error",
                "message": f"The {agent} function failed unexpectedly ({type(exc).__name__}).",
                "request_id": request_id,
            },
        )


def warehouse_from_environment() -> Warehouse:
    """Build the warehouse from ``WORKBENCH_CONFIG`` / ``WORKBENCH_HOME`` (as everywhere else)."""
    from workbench.core.config import load_settings
    from workbench.warehouse.base import create_warehouse

    return create_warehouse(load_settings())


class LambdaHandler:
    """The callable a Lambda function exports; keeps one warehouse per container."""

    def __init__(
        self, agent: str, *, warehouse_factory: Callable[[], Warehouse] = warehouse_from_environment
    ) -> None:
        if agent not in AGENTS:
            raise ValueError(f"agent must be one of {AGENTS}")
        self.agent = agent
        self._factory = warehouse_factory
        self._warehouse: Warehouse | None = None
        self._lock = threading.Lock()

    def warehouse(self) -> Warehouse:
        with self._lock:
            if self._warehouse is None:
                self._warehouse = self._factory()
            return self._warehouse

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        return handle_event(event, context, agent=self.agent, warehouse=self.warehouse)


def make_handler(
    agent: str, *, warehouse_factory: Callable[[], Warehouse] = warehouse_from_environment
) -> LambdaHandler:
    return LambdaHandler(agent, warehouse_factory=warehouse_factory)
