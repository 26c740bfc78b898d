"""A child process that runs analyst and model-written SQL on DuckDB, within hard limits.

Measured on this project: DuckDB's ``memory_limit`` does not bound list and string vectors
(``unnest(range(300000000))`` peaked at 14.7 GB with a 2 GB limit) and its interrupt is only
checked between vectors (``repeat('x', 2000000000)`` ran 20 s past a 5 s interrupt). So SQL
we did not write runs in a worker process whose address space is capped by ``RLIMIT_AS``,
with DuckDB's own memory and thread caps inside it; the parent waits ``timeout`` plus a short
grace and then kills the worker. The worker stays up between queries (no start-up cost per
query) and is restarted on the next query after it was killed. Our own compiled queries do
not come here: they run in-process at full speed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.errors import QueryError, QueryTimeoutError

log = logging.getLogger(__name__)

#: Seconds the parent waits past the timeout for the worker's own interrupt before killing it.
KILL_GRACE_SECONDS = 1.0
#: The worker script: it imports only DuckDB and pyarrow, so it starts in a fraction of a second.
_WORKER = Path(__file__).with_name("_sandbox_worker.py")
#: Seconds a new worker may take to import DuckDB and open the file.
START_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SandboxLimits:
    """What one worker may take: address space (MiB), DuckDB memory (MiB), threads, result size."""

    address_space_mb: int = 1536
    duckdb_memory_mb: int = 512
    threads: int = 2
    max_result_mb: int = 256


class QuerySandbox:
    """One worker process over one read-only DuckDB file; one query at a time.

    ``run`` returns ``(frame, duration_ms)`` with at most ``max_rows`` rows, or raises
    :class:`QueryTimeoutError` (the worker was interrupted or killed) or :class:`QueryError`
    (the engine refused, the query needed more memory than allowed, the worker died).
    """

    def __init__(self, path: Path, limits: SandboxLimits, *, backend: str = "duckdb") -> None:
        self.path = path
        self.limits = limits
        self.backend = backend
        self._proc: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._ready = False
        #: The worker's peak resident memory (MiB) when the last query ended, if known.
        self.last_peak_mb: float | None = None
        self._converter: Any = None
        self._lock = threading.Lock()

    # -- worker lifecycle ----------------------------------------------------------------
    def _file_identity(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _spawn(self) -> None:
        """Start a worker without waiting for it (it imports DuckDB and opens the file)."""
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        # -P: do not put the worker's folder (which holds our duckdb.py) first on sys.path.
        args = [
            sys.executable,
            "-P",
            str(_WORKER),
            str(req_r),
            str(rep_w),
            str(self.path),
            str(self.limits.address_space_mb),
            str(self.limits.duckdb_memory_mb),
            str(self.limits.threads),
            str(self.limits.max_result_mb),
        ]
        try:
            self._proc = subprocess.Popen(
                args, pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
            )
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._requests = Connection(req_w, readable=False)
        self._replies = Connection(rep_r, writable=False)
        self._identity = self._file_identity()
        self._ready = False

    def _await_ready(self) -> None:
        assert self._replies is not None
        if self._ready:
            return
        if not self._replies.poll(START_TIMEOUT_SECONDS):
            self.close()
            raise QueryError(
                "The query worker did not start.", hint="Try again.", backend=self.backend
            )
        status, *rest = self._receive()
        if status != "ready":
            self.close()
            raise QueryError(
                "The query worker could not open the data.",
                hint=str(rest[0]) if len(rest) > 1 else "Try again.",
                backend=self.backend,
            )
        self._ready = True

    def _replace(self) -> None:
        """Kill the worker and start its successor now, so the next query does not wait for it."""
        self.close()
        self._spawn()

    def _receive(self) -> tuple[Any, ...]:
        assert self._replies is not None
        try:
            reply: tuple[Any, ...] = pickle.loads(self._replies.recv_bytes())
        except (EOFError, OSError):
            return ("died",)
        return reply

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def close(self) -> None:
        """Stop the worker (kill: it may be busy with a runaway query)."""
        proc, self._proc = self._proc, None
        for conn in (self._requests, self._replies):
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()
        self._requests = self._replies = None
        self._ready = False
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    # -- queries -------------------------------------------------------------------------
    def run(self, sql: str, *, max_rows: int, timeout: float) -> tuple[pd.DataFrame, float]:
        with self._lock:
            if self._alive() and self._file_identity() != self._identity:
                self.close()  # the data file was replaced: the worker reads the old one
            if not self._alive():
                self.close()
                self._spawn()
            self._await_ready()
            assert self._requests is not None and self._replies is not None
            start = time.perf_counter()
            try:
                self._requests.send_bytes(pickle.dumps((sql, max_rows, timeout)))
            except OSError:
                self.close()
                raise QueryError(
                    "The query worker stopped unexpectedly.",
                    hint="Try again.",
                    backend=self.backend,
                ) from None
            if not self._replies.poll(timeout + KILL_GRACE_SECONDS):
                self.last_peak_mb = self._worker_peak_mb()
                self._replace()
                log.warning("query worker killed after %.1f s", time.perf_counter() - start)
                raise self._timeout(timeout)
            reply = self._receive()
            status = reply[0]
            self.last_peak_mb = reply[-1] if status != "died" else self._worker_peak_mb()
            if status == "ok":
                return self._frame(reply[1]), reply[2]
            if status == "interrupted":
                raise self._timeout(timeout)
            if status == "died":
                code = self._proc.wait(timeout=5) if self._proc is not None else None
                self._replace()
                raise self._memory(detail=f"worker exit status {code}")
            if status == "memory":
                # An allocation failed under the cap; the worker may be in a poor state.
                self._replace()
                raise self._memory(detail=str(reply[1]))
            if status == "too_large":
                raise QueryError(
                    f"The result is larger than {self.limits.max_result_mb} MB.",
                    hint="Select fewer or shorter columns, or fewer rows.",
                    backend=self.backend,
                )
            first_line = str(reply[1]).strip().splitlines()[0] if str(reply[1]).strip() else ""
            raise QueryError(
                "The warehouse could not run this query.",
                hint=first_line or str(reply[2]),
                detail=str(reply[1]),
                backend=self.backend,
            )

    def _frame(self, payload: bytes) -> pd.DataFrame:
        """The worker's Arrow stream as pandas, converted by DuckDB as in-process results are."""
        import duckdb
        import pyarrow as pa

        table = pa.ipc.open_stream(payload).read_all()
        if self._converter is None:
            self._converter = duckdb.connect(config={"enable_external_access": False})
        return self._converter.from_arrow(table).df()

    def _worker_peak_mb(self) -> float | None:
        """The worker's peak resident memory from /proc (Linux), read before it is killed."""
        if self._proc is None:
            return None
        try:
            status = Path(f"/proc/{self._proc.pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def _timeout(self, timeout: float) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"The query took longer than {timeout:g} seconds and was stopped.",
            hint="Narrow the question (a shorter period or one warehouse) and try again.",
            timeout=timeout,
            backend=self.backend,
        )

    def _memory(self, *, detail: str) -> QueryError:
        return QueryError(
            f"The query needed more memory than the {self.limits.address_space_mb} MB an "
            "analyst query may use, and was stopped.",
            hint="Aggregate before joining, filter earlier, or generate fewer rows.",
            detail=detail,
            backend=self.backend,
            reason="memory",
        )
