"""Supply-chain analytics workbench.

``from workbench import Workbench`` is the public entry point; subpackages hold one layer
each: ``core`` (config, errors, logs), ``data`` (schema, generator, checker), ``warehouse``
(backends and the SQL guard), ``semantic`` (metrics, query plans, planner), ``tools``,
``agents``, ``orchestrator``, ``cache``, ``memory``, ``cost``, ``auth``, ``ui``, ``reports``.
"""

from __future__ import annotations

from workbench.app import Workbench
from workbench.core.errors import WorkbenchError

__all__ = ["Workbench", "WorkbenchError"]
__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext workbench``: the ``%%sql`` and ``%ask`` magics (see :mod:`workbench.notebook`)."""
    from workbench.notebook.magics import load_ipython_extension as load

    load(ipython)
