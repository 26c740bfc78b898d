"""The analyst-SQL worker process (see :mod:`workbench.warehouse.sandbox`); run as a script.

``python -P _sandbox_worker.py REQ_FD REP_FD PATH AS_MB MEM_MB THREADS RESULT_MB``. It caps its
own address space first, opens the file read-only with DuckDB's safety settings, then answers
pickled ``(sql, max_rows, timeout)`` requests with pickled replies whose last item is the
worker's peak resident memory (MiB): ``("ok", arrow_ipc_bytes, ms, peak)``,
``("interrupted", peak)``, ``("memory", message, peak)``, ``("too_large", peak)``,
``("error", message, kind, peak)``. Only DuckDB and pyarrow are imported, for a fast start.
"""

from __future__ import annotations

import contextlib
import pickle
import resource
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any


def main(argv: list[str]) -> int:
    req_fd, rep_fd = int(argv[0]), int(argv[1])
    path = argv[2]
    as_mb, mem_mb, threads, result_mb = (int(v) for v in argv[3:7])
    requests = Connection(req_fd, writable=False)
    replies = Connection(rep_fd, readable=False)

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def reply(*message: Any) -> None:
        replies.send_bytes(pickle.dumps((*message, peak_mb())))

    cap = as_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import duckdb
    import pyarrow as pa

    config: dict[str, Any] = {
        "access_mode": "READ_ONLY",
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "python_enable_replacements": False,
        "threads": threads,
        "memory_limit": f"{mem_mb}MB",
        "max_temp_directory_size": "0B",
        "lock_configuration": True,
    }
    try:
        con = duckdb.connect(path, read_only=True, config=config)
    except duckdb.Error as exc:
        reply("failed", str(exc))
        return 1
    reply("ready")
    while True:
        try:
            sql, max_rows, timeout = pickle.loads(requests.recv_bytes())
        except (EOFError, OSError):
            return 0
        cursor = con.cursor()
        timer = threading.Timer(timeout, cursor.interrupt)
        timer.daemon = True
        start = time.perf_counter()
        timer.start()
        try:
            cursor.execute(sql)
            # duckdb >= 1.5 names it to_arrow_reader; 1.4 has only fetch_record_batch.
            to_reader = getattr(cursor, "to_arrow_reader", None) or cursor.fetch_record_batch
            reader = to_reader(2048)
            batches, rows, size = [], 0, 0
            for batch in reader:
                batches.append(batch)
                rows += batch.num_rows
                size += batch.nbytes
                if rows >= max_rows or size > result_mb << 20:
                    break
            if size > result_mb << 20:
                reply("too_large")
                continue
            table = pa.Table.from_batches(batches, schema=reader.schema).slice(0, max_rows)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            del table, batches
            replies.send_bytes(
                pickle.dumps(("ok", sink.getvalue().to_pybytes(), _ms(start), peak_mb()))
            )
        except duckdb.InterruptException:
            reply("interrupted")
        except (duckdb.OutOfMemoryException, MemoryError, pa.ArrowMemoryError) as exc:
            reply("memory", str(exc))
        except duckdb.Error as exc:
            reply("error", str(exc), type(exc).__name__)
        finally:
            timer.cancel()
            with contextlib.suppress(Exception):
                cursor.close()


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
