"""A scripted AWS endpoint on 127.0.0.1, for the client paths moto does not cover.

The workbench's clients are pointed at it through ``aws.endpoint_url``, so requests go
through botocore for real: signing, serialization, retries, read timeouts. Each request is
recorded; a route answers with a status, headers and a JSON body, after an optional delay
(to trigger the client's read timeout). Only the loopback address is ever bound.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Route = Callable[[Seen], Reply]


class LoopbackAws:
    """Answer every request with ``route(request)``; ``requests`` lists what arrived."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    self.rfile.read(length) if length else b"",
                    {k.lower(): v for k, v in self.headers.items()},
                )
                with outer._lock:
                    outer.requests.append(seen)
                reply = outer.route(seen)
                if reply.delay_seconds:
                    # Wait in small steps so stopping the server is never held up for long.
                    deadline = time.monotonic() + reply.delay_seconds
                    while time.monotonic() < deadline and not outer._stop.is_set():
                        time.sleep(0.02)
                payload = json.dumps(reply.body).encode() if reply.body is not None else b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("x-amzn-RequestId", f"req-{len(outer.requests)}")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            do_POST = _serve
            do_GET = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackAws:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def loopback_aws(route: Route) -> Iterator[LoopbackAws]:
    fake = LoopbackAws(route).start()
    try:
        yield fake
    finally:
        fake.stop()


def aws_error(status: int, code: str, message: str) -> Reply:
    """An AWS JSON-protocol / REST-JSON error reply (botocore reads the header and the body)."""
    return Reply(
        status,
        {"__type": code, "message": message, "Message": message},
        {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/"},
    )
