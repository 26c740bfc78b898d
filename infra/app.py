#!/usr/bin/env python3
"""CDK entry point: ``cdk synth`` / ``cdk deploy`` run this (see ``cdk.json``), so does ``make synth``.

Settings: the workbench configuration (``-c config=path/to/config.yaml``, else the built-in
defaults) plus CDK context; see ``workbench_infra/settings.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbench_infra.stack import build_app

if __name__ == "__main__":
    # `cdk` passes CDK_OUTDIR; `make synth` (python app.py) writes to infra/cdk.out.
    outdir = os.environ.get("CDK_OUTDIR") or str(Path(__file__).resolve().parent / "cdk.out")
    app, _stack = build_app(outdir=outdir)
    app.synth()
