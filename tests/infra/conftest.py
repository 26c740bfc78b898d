"""The CDK app is importable from the tests (infra/ is not a package of the distribution)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[2] / "infra"
if str(INFRA) not in sys.path:
    sys.path.insert(0, str(INFRA))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

pytest.importorskip(
    "aws_cdk", reason="the infra extra is not installed (pip install -e '.[infra]')"
)
