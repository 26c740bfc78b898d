#!/usr/bin/env python3
"""CDK entry point: ``cdk synth`` / ``cdk deploy`` run this (see ``cdk.json``), so does ``make synth``.

Settings: the workbench configuration (``-c config=path/to/config.yaml``, else the built-in
defaults) plus CDK context; see ``workbench_infra/settings.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbench_infra.stack import build_app  # noqa: E402

if __name__ == "__main__":
    app, _stack = build_app()
    app.synth()
