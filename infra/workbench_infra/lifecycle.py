"""Render the lifecycle scripts of ``lifecycle/`` with the stack's settings in front.

A lifecycle script reaches SageMaker base64-encoded, at most 16,384 characters, so the
settings are a block of ``export WB_...='value'`` lines after the shebang and the script
body follows unchanged (it checks the ones it needs with ``${WB_...:?}``). Values are AWS
names and S3 URIs, validated upstream, never containing a quote; CDK tokens inside them
resolve at deploy time. Pure Python (no CDK import) so the tests render the exact text the
instance runs.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from pathlib import Path

#: SageMaker's limit on one lifecycle script, in base64 characters.
MAX_BASE64_CHARS = 16_384
_NAME = re.compile(r"^WB_[A-Z0-9_]+$")


def render(script: str, settings: Mapping[str, str]) -> str:
    """``script`` with ``export`` lines for ``settings`` after its first (shebang) line."""
    first, _, body = script.partition("\n")
    if not first.startswith("#!"):
        raise ValueError("a lifecycle script must start with a shebang line")
    lines = []
    for key, value in settings.items():
        if not _NAME.match(key):
            raise ValueError(f"{key}: lifecycle settings are named WB_*")
        if "'" in value or "\n" in value:
            raise ValueError(f"{key}: a value may not contain a quote or a newline")
        lines.append(f"export {key}='{value}'")
    return "\n".join([first, "# --- settings from the stack ---", *lines, body])


def encoded_length(text: str) -> int:
    return len(base64.b64encode(text.encode("utf-8")))


def read_script(repo_root: Path, name: str) -> str:
    return (repo_root / "lifecycle" / name).read_text(encoding="utf-8")
