"""Where local state lives: always under ``$WORKBENCH_HOME`` (default ``~/.workbench``)."""

from __future__ import annotations

import os
from pathlib import Path


def workbench_home(home: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the workbench home: an explicit argument, then ``$WORKBENCH_HOME``, then ``~/.workbench``."""
    if home is not None:
        return Path(home).expanduser().resolve()
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return (Path.home() / ".workbench").resolve()
