"""Make sure the Jupyter kernel the reports run on exists and is this environment's Python."""

from __future__ import annotations

import sys

from workbench.core.errors import MissingDependencyError

__all__ = ["DEFAULT_KERNEL", "ensure_kernel"]

#: ipykernel's native kernel name; its spec in the venv runs ``python`` = the runner's interpreter.
DEFAULT_KERNEL = "python3"


def ensure_kernel(name: str = DEFAULT_KERNEL) -> str:
    """Return ``name`` after making sure a kernelspec with that name exists.

    A missing spec is installed for this interpreter under ``sys.prefix`` (the venv), so
    papermill never falls back to whatever ``python3`` happens to be on the PATH.
    """
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ModuleNotFoundError:
        raise MissingDependencyError("jupyter_client", feature="Reports") from None
    if name in KernelSpecManager().find_kernel_specs():
        return name
    try:
        from ipykernel.kernelspec import install
    except ModuleNotFoundError:
        raise MissingDependencyError("ipykernel", feature="Reports") from None
    install(prefix=sys.prefix, kernel_name=name, display_name=f"Python ({name})")
    return name
