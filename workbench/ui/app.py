"""Entry points the notebooks call: build the backend from configuration and return a view."""

from __future__ import annotations

import os
from typing import Any

from workbench.data.schema import Persona
from workbench.ui.backend import DashboardBackend, WorkbenchBackend
from workbench.ui.models import AppModel
from workbench.ui.views import AppView


def app(
    home: str | os.PathLike[str] | None = None,
    config: Any = None,
    *,
    persona: str | Persona | None = None,
    backend: DashboardBackend | None = None,
    page_size: int = 10,
) -> AppView:
    """The login → persona → dashboard app; ``persona`` pins it to one dashboard.

    ``home`` and ``config`` follow the usual lookup (``$WORKBENCH_HOME``, ``config.yaml``);
    empty strings (papermill/Voila parameters) count as unset.
    """
    if backend is None:
        real = WorkbenchBackend.create(home=str(home) if home else None, config=config or None)
        real.warm_up()
        backend = real
    return AppView(AppModel(backend, persona=persona or None, page_size=page_size))


def dashboard(
    persona: str | Persona,
    home: str | os.PathLike[str] | None = None,
    config: Any = None,
    **kwargs: Any,
) -> AppView:
    """One persona's dashboard behind the login (the per-persona notebooks)."""
    return app(home, config, persona=Persona.parse(persona), **kwargs)


__all__ = ["app", "dashboard"]
