"""Stop this SageMaker notebook instance after N minutes without Jupyter activity.

Run every 5 minutes by the crontab that ``on-start.sh`` installs (``--minutes`` is the
stack's ``notebook_idle_stop_minutes``, from ``cost.sagemaker_idle_stop_minutes``). Idle
means: the Jupyter server's last activity (``/api/status``) is older than N minutes and no
kernel is busy. A stopped instance costs only its volume; ``on-start.sh`` restores the
rest on the next start. Exit 0 either way; the decision is printed for the log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import ssl
import sys
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

JUPYTER = "https://localhost:8443"
METADATA = "/opt/ml/metadata/resource-metadata.json"


def _parse(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def idle_minutes(
    status: dict[str, Any], kernels: Sequence[dict[str, Any]], now: dt.datetime
) -> float:
    """Minutes since the last activity; 0 while a kernel is busy."""
    if any(k.get("execution_state") == "busy" for k in kernels):
        return 0.0
    stamps = [_parse(status["last_activity"])] if status.get("last_activity") else []
    stamps += [_parse(k["last_activity"]) for k in kernels if k.get("last_activity")]
    if not stamps:
        return 0.0
    return max(0.0, (now - max(stamps)).total_seconds() / 60)


def _get(path: str) -> Any:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the instance's own self-signed certificate, on localhost
    with urllib.request.urlopen(JUPYTER + path, context=context, timeout=10) as response:
        return json.load(response)


def _stop(name: str) -> None:
    import boto3

    boto3.client("sagemaker").stop_notebook_instance(NotebookInstanceName=name)


def main(
    argv: Sequence[str] | None = None,
    *,
    get: Callable[[str], Any] = _get,
    stop: Callable[[str], None] = _stop,
    now: dt.datetime | None = None,
    metadata: str = METADATA,
) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, required=True)
    args = parser.parse_args(argv)
    now = now or dt.datetime.now(dt.UTC)
    idle = idle_minutes(get("/api/status"), get("/api/kernels"), now)
    if args.minutes <= 0 or idle < args.minutes:
        print(f"{now.isoformat()} idle {idle:.0f} of {args.minutes:g} minutes: keep running")
        return 0
    with open(metadata, encoding="utf-8") as handle:
        name = json.load(handle)["ResourceName"]
    print(f"{now.isoformat()} idle {idle:.0f} minutes: stopping {name}")
    stop(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
