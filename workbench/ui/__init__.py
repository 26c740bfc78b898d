"""Persona dashboards: models (plain state), views (ipywidgets), charts and the Voila server.

Notebooks call :func:`app` (login and every persona) or :func:`dashboard` (one persona).
"""

from __future__ import annotations

from workbench.ui.app import app, dashboard
from workbench.ui.backend import CostSummary, DashboardBackend, UserSession, WorkbenchBackend
from workbench.ui.charts import ChartChoice, choose_chart, render_chart
from workbench.ui.content import EXAMPLE_QUESTIONS, KPIS, KpiSpec
from workbench.ui.models import AppModel, DashboardModel, LoginModel, TableModel
from workbench.ui.views import AppView, DashboardView, LoginView, TableView

__all__ = [
    "EXAMPLE_QUESTIONS",
    "KPIS",
    "AppModel",
    "AppView",
    "ChartChoice",
    "CostSummary",
    "DashboardBackend",
    "DashboardModel",
    "DashboardView",
    "KpiSpec",
    "LoginModel",
    "LoginView",
    "TableModel",
    "TableView",
    "UserSession",
    "WorkbenchBackend",
    "app",
    "choose_chart",
    "dashboard",
    "render_chart",
]
