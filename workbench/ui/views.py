"""ipywidgets views over the models in :mod:`workbench.ui.models`.

Each view is a ``VBox``/``HBox`` subclass that renders one model and forwards user
actions to it; none calls ``display()`` (the notebook's last expression shows the app).
Every interactive widget carries a ``wb-*`` CSS class so browser tests and custom styles
can find it without depending on widget internals.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from workbench.core import present
from workbench.semantic.plan import QueryPlan
from workbench.ui.charts import render_chart, render_cost_chart
from workbench.ui.models import (
    AppModel,
    DashboardModel,
    LoginModel,
    PasswordChangeModel,
    TableModel,
)

STYLE = """
<style>
.wb-app { font-family: var(--jp-ui-font-family, sans-serif); }
.wb-title h2 { margin: 0 0 4px 0; }
.wb-error { color: #b00020; font-weight: 500; }
.wb-kpi { margin: 0 10px 6px 0; border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 14px; min-width: 170px; background: #f6f8fa; }
.wb-kpi .wb-kpi-value { font-size: 1.6em; font-weight: 600; }
.wb-kpi .wb-kpi-label { color: #57606a; font-size: 0.9em; }
.wb-results, .wb-results .widget-html-content { min-width: 0; max-width: 100%; width: 100%; }
.wb-results .widget-html-content { display: block; }
.wb-table-scroll { overflow-x: auto; max-width: 100%; }
.wb-results table { border-collapse: collapse; font-size: 0.9em; white-space: nowrap; }
.wb-results th, .wb-results td { border-bottom: 1px solid #d0d7de; padding: 3px 10px; text-align: left; }
.wb-results td.wb-num, .wb-results th.wb-num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-suggestions, .wb-examples { flex-wrap: wrap; }
.wb-suggestions .jupyter-button, .wb-examples .jupyter-button { flex: 0 0 auto; max-width: 100%; overflow: visible; text-overflow: clip; }
.wb-interpretation:empty { display: none; }
.wb-chip { display: inline-block; margin: 0 4px 4px 0; padding: 1px 8px; border-radius: 10px; background: #eef2f7; border: 1px solid #c9d3e0; font-size: 12px; }
.wb-chip-label { margin-right: 4px; font-size: 12px; color: #555; }
.wb-chip-remove { padding: 0 !important; margin: 0 8px 4px -2px !important; font-size: 14px; line-height: 18px; height: 20px !important; }
.wb-results th { background: #f6f8fa; }
.wb-answer-text { font-size: 1.1em; }
.wb-busy { color: #0969da; }
.wb-sql pre { background: #f6f8fa; padding: 8px; white-space: pre-wrap; }
.wb-sidebar { border-left: 1px solid #d0d7de; padding-left: 10px; }
</style>
"""


CHANGE_PASSWORD_NOTICE = (
    "You logged in with a one-time password. Choose your own password to continue."
)


def _html(value: str = "", cls: str | None = None) -> w.HTML:
    widget = w.HTML(value=value)
    if cls:
        widget.add_class(cls)
    return widget


def _button(
    description: str, cls: str, *, style: str = "", tooltip: str = "", width: str | None = None
) -> w.Button:
    button = w.Button(description=description, button_style=style, tooltip=tooltip or description)
    button.add_class(cls)
    if width:
        button.layout.width = width
    return button


def _error_html(message: str | None) -> str:
    return f'<div class="wb-error" role="alert">{html.escape(message)}</div>' if message else ""


def on_enter(widget: w.Text, action: Callable[[], Any]) -> None:
    """Run ``action`` when Enter is pressed in ``widget`` (the front end's "submit" event).

    The value is synced on every keystroke (``continuous_update``), so it is current when
    the event arrives; unlike observing ``value`` this also fires for the same text twice.
    """

    def handle(_widget: Any, content: Mapping[str, Any], _buffers: Any) -> None:
        if content.get("event") == "submit":
            action()

    widget.on_msg(handle)


# --------------------------------------------------------------------------- login
class LoginView(w.VBox):
    """Username, password, a Log in button and the error (including lockout) message."""

    def __init__(self, model: LoginModel, on_submit: Callable[[], Any]) -> None:
        self.model = model
        self.username = w.Text(description="Username", placeholder="username")
        self.username.add_class("wb-login-username")
        self.password = w.Password(description="Password", placeholder="password")
        self.password.add_class("wb-login-password")
        self.submit = _button("Log in", "wb-login-submit", style="primary")
        self.error = _html(cls="wb-login-error")
        super().__init__(
            [
                _html(
                    "<h2>Supply-chain workbench</h2><p>Log in to open your dashboards.</p>",
                    "wb-title",
                ),
                self.username,
                self.password,
                self.submit,
                self.error,
            ]
        )
        self.add_class("wb-login")
        self.username.observe(lambda change: setattr(model, "username", change["new"]), "value")
        self.password.observe(lambda change: setattr(model, "password", change["new"]), "value")
        self.submit.on_click(lambda _b: on_submit())
        on_enter(self.username, on_submit)
        on_enter(self.password, on_submit)
        model.observe(self._render)

    def _render(self, model: LoginModel, changed: frozenset[str]) -> None:
        if "password" in changed and self.password.value != model.password:
            self.password.value = model.password
        if "username" in changed and self.username.value != model.username:
            self.username.value = model.username
        if "busy" in changed:
            self.submit.disabled = model.busy
            self.submit.description = "Logging in…" if model.busy else "Log in"
            self.submit.tooltip = "Checking your password…" if model.busy else "Log in"
        if "error" in changed:
            self.error.value = _error_html(model.error)


# --------------------------------------------------------------------------- new password
class PasswordChangeView(w.VBox):
    """After a login with a one-time password: the new password, twice, then on."""

    def __init__(self, model: PasswordChangeModel, on_submit: Callable[[], Any]) -> None:
        self.model = model
        self.new_password = w.Password(description="New", placeholder="new password")
        self.new_password.add_class("wb-new-password")
        self.confirm = w.Password(description="Repeat", placeholder="new password again")
        self.confirm.add_class("wb-new-password-confirm")
        self.submit = _button("Set password", "wb-new-password-submit", style="primary")
        self.error = _html(cls="wb-new-password-error")
        name = html.escape(model.session.username)
        super().__init__(
            [
                _html(
                    f"<h2>Welcome, {name}</h2><p>{html.escape(CHANGE_PASSWORD_NOTICE)}</p>",
                    "wb-title",
                ),
                self.new_password,
                self.confirm,
                self.submit,
                self.error,
            ]
        )
        self.add_class("wb-password-change")
        self.new_password.observe(
            lambda change: setattr(model, "new_password", change["new"]), "value"
        )
        self.confirm.observe(lambda change: setattr(model, "confirm", change["new"]), "value")
        self.submit.on_click(lambda _b: on_submit())
        on_enter(self.new_password, on_submit)
        on_enter(self.confirm, on_submit)
        model.observe(self._render)

    def _render(self, model: PasswordChangeModel, changed: frozenset[str]) -> None:
        if "new_password" in changed and self.new_password.value != model.new_password:
            self.new_password.value = model.new_password
        if "confirm" in changed and self.confirm.value != model.confirm:
            self.confirm.value = model.confirm
        if "busy" in changed:
            self.submit.disabled = model.busy
            self.submit.tooltip = "Saving your new password…" if model.busy else "Set password"
        if "error" in changed:
            self.error.value = _error_html(model.error)


# --------------------------------------------------------------------------- picker
class PersonaPickerView(w.VBox):
    """One button per persona the user was granted, plus logout."""

    def __init__(self, app: AppModel) -> None:
        self.app = app
        session = app.session
        name = html.escape(session.username) if session else ""
        self.buttons = []
        for persona in app.personas:
            button = _button(
                persona.label, f"wb-persona-{persona.value}", style="info", width="240px"
            )
            button.on_click(lambda _b, p=persona: app.choose_persona(p))
            self.buttons.append(button)
        self.logout = _button("Log out", "wb-logout")
        self.logout.on_click(lambda _b: app.logout())
        self.error = _html(_error_html(app.error), "wb-picker-error")
        intro = (
            f"<h2>Welcome, {name}</h2><p>Choose a dashboard.</p>"
            if self.buttons
            else f"<h2>Welcome, {name}</h2>"
        )
        super().__init__([_html(intro, "wb-title"), w.HBox(self.buttons), self.error, self.logout])
        self.add_class("wb-picker")


# --------------------------------------------------------------------------- table
_NUMERIC_KINDS = frozenset({"money", "percent", "quantity", "days", "score", "number"})


def frame_to_html(frame: pd.DataFrame) -> str:
    """An escaped HTML table of one page, formatted by the presentation layer, numbers
    right-aligned, inside a box that scrolls sideways when the table is wider than the page."""
    if frame.empty and not len(frame.columns):
        return ""
    shown = present.display_frame(frame)
    kinds = dict(frame.attrs.get("column_kinds", {}) or {})
    numeric = {
        str(c)
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and (kinds.get(str(c)) or present.column_kind(str(c), frame[c])) in _NUMERIC_KINDS
    }

    def cell(tag: str, text: str, column: str) -> str:
        cls = ' class="wb-num"' if column in numeric else ""
        return f"<{tag}{cls}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", str(c), str(c)) for c in shown.columns)
    body = "".join(
        "<tr>"
        + "".join(
            cell("td", "" if v == present.MISSING else str(v), str(c))
            for c, v in zip(shown.columns, row, strict=True)
        )
        + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    return (
        '<div class="wb-table-scroll"><table class="wb-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


class TableView(w.VBox):
    """A sortable, paginated view of a :class:`TableModel`."""

    def __init__(self, model: TableModel) -> None:
        self.model = model
        self.sort_column = w.Dropdown(
            description="Sort by", options=[("(as returned)", "")], value=""
        )
        self.sort_column.add_class("wb-sort-column")
        self.sort_order = w.ToggleButtons(
            options=[("↑ asc", True), ("↓ desc", False)],
            value=True,
            style={"button_width": "64px"},
        )
        self.sort_order.add_class("wb-sort-order")
        self.previous = _button("◀ Prev", "wb-page-prev", width="auto")
        self.next = _button("Next ▶", "wb-page-next", width="auto")
        for button in (self.previous, self.next):
            button.layout.min_width = "fit-content"
        self.page_label = _html(cls="wb-page-label")
        self.grid = _html(cls="wb-results")
        self.grid.layout.width = "100%"
        self.controls = w.HBox(
            [self.sort_column, self.sort_order, self.previous, self.next, self.page_label],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        super().__init__([self.controls, self.grid])
        self.add_class("wb-table-view")
        self._syncing = False
        self.sort_column.observe(self._on_sort, "value")
        self.sort_order.observe(self._on_sort, "value")
        self.previous.on_click(lambda _b: model.previous_page())
        self.next.on_click(lambda _b: model.next_page())
        model.observe(self._render)
        self._render(model, frozenset({"frame", "page", "sort"}))

    def _on_sort(self, _change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        column = self.sort_column.value or None
        self.model.sort(column, bool(self.sort_order.value))

    def _render(self, model: TableModel, changed: frozenset[str]) -> None:
        self._syncing = True
        try:
            if "frame" in changed:
                self.sort_column.options = [("(as returned)", ""), *[(c, c) for c in model.columns]]
            if "sort" in changed:
                self.sort_column.value = model.sort_by or ""
                self.sort_order.value = model.ascending
        finally:
            self._syncing = False
        self.layout.display = None if model.row_count or len(model.columns) else "none"
        self.previous.disabled = model.page == 0
        self.next.disabled = model.page >= model.page_count - 1
        self.previous.tooltip = (
            "This is the first page." if self.previous.disabled else "Previous page"
        )
        self.next.tooltip = "This is the last page." if self.next.disabled else "Next page"
        self.page_label.value = html.escape(model.page_label)
        self.grid.value = frame_to_html(model.page_frame())


# --------------------------------------------------------------------------- dashboard
class KpiTilesView(w.HBox):
    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.tiles = [_html(cls=f"wb-kpi-{tile.spec.key}") for tile in model.kpis]
        super().__init__(self.tiles, layout=w.Layout(flex_flow="row wrap"))
        self.add_class("wb-kpis")
        model.observe(lambda m, changed: self._render() if "kpis" in changed else None)
        self._render()

    def _render(self) -> None:
        for widget, tile in zip(self.tiles, self.model.kpis, strict=True):
            title = f' title="{html.escape(tile.error)}"' if tile.error else ""
            widget.value = (
                f'<div class="wb-kpi"{title}><div class="wb-kpi-label">{html.escape(tile.spec.label)}</div>'
                f'<div class="wb-kpi-value">{html.escape(tile.text)}</div></div>'
            )


class ConversationView(w.VBox):
    """This session's questions (click to re-run)."""

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.entries = w.VBox()
        self.entries.add_class("wb-history")
        super().__init__([_html("<b>This session</b>"), self.entries])
        self.add_class("wb-conversation")
        model.observe(self._render)
        self._render(model, frozenset({"history"}))

    def _render(self, model: DashboardModel, changed: frozenset[str]) -> None:
        if "history" in changed:
            buttons = []
            for index, entry in enumerate(model.history):
                label = entry.question if len(entry.question) <= 48 else entry.question[:45] + "…"
                button = _button(
                    label,
                    "wb-history-item",
                    tooltip=f"Ask again: {entry.question}\n{entry.summary}",
                    width="100%",
                )
                if not entry.ok:
                    button.button_style = "warning"
                button.on_click(lambda _b, i=index: model.rerun(i))
                buttons.append(button)
            self.entries.children = buttons or [
                _html("<i>No questions yet.</i>", "wb-history-empty")
            ]


class DiagnosticsView(w.Accordion):
    """Cache statistics and the last answer's timing, folded away from the business screen."""

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.body = _html(cls="wb-diagnostics-body")
        super().__init__(children=[self.body], titles=("Diagnostics",), selected_index=None)
        self.add_class("wb-diagnostics")
        model.observe(self._render)
        self._render(model, frozenset({"cache", "answer"}))

    def _render(self, model: DashboardModel, changed: frozenset[str]) -> None:
        if not changed & {"cache", "answer"}:
            return
        lines = []
        answer = model.answer
        if answer is not None and model.error is None:
            source = "cache" if answer.cached else (answer.agent or "workbench")
            lines.append(
                f"Last answer: {present.duration(answer.duration_ms)} in the workbench"
                + (
                    f", {present.duration(model.last_ask_ms)} in all"
                    if model.last_ask_ms is not None
                    else ""
                )
                + f" · from {html.escape(source)}"
            )
        stats = model.cache_stats
        if not stats:
            lines.append("<i>Cache statistics unavailable.</i>")
        else:
            lines.append(
                f"Cache: {present.count(int(stats.get('hits', 0)), 'hit')} · "
                f"{present.count(int(stats.get('misses', 0)), 'miss')} · "
                f"hit rate {present.percent(float(stats.get('hit_rate', 0.0) or 0.0), 0)} · "
                f"{present.count(int(stats.get('entries', 0)), 'entry')} · "
                f"{present.size(float(stats.get('bytes', 0)))}"
            )
        self.body.value = "<br>".join(lines)


class CostPanelView(w.VBox):
    """This answer's cost by service, today's total, the month-end projection and a chart."""

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.summary = _html(cls="wb-cost-summary")
        self.chart = w.Image(format="png")
        self.chart.add_class("wb-cost-chart")
        super().__init__([_html("<b>Cost</b>"), self.summary, self.chart])
        self.add_class("wb-cost")
        self._last_png: bytes | None = None
        self._last_input: object = None
        model.observe(lambda m, changed: self._render() if "cost" in changed else None)
        self._render()

    def _render(self) -> None:
        answer = self.model.answer_cost
        services = sorted(
            {**dict.fromkeys(answer.aws_equivalent_by_service, 0.0), **answer.by_service}
        )
        charged = any(v > 0 for v in answer.by_service.values())
        rows = "".join(
            f"<tr><td>{html.escape(service)}</td>"
            + (f"<td>{present.cost(answer.by_service.get(service, 0.0))}</td>" if charged else "")
            + f"<td>{present.cost(answer.aws_equivalent_by_service.get(service, 0.0))}</td></tr>"
            for service in services
        )
        header = (
            "<tr><th>service</th>" + ("<th>here</th>" if charged else "") + "<th>on AWS</th></tr>"
        )
        spent, would = present.local_cost(answer.total, answer.aws_equivalent_total)
        parts = [
            f'<div class="wb-cost-answer">This answer: <b>{html.escape(spent)}</b></div>',
            f'<div class="wb-cost-aws">On AWS it would cost {would}</div>',
        ]
        if rows:
            parts.append(f'<table class="wb-cost-services">{header}{rows}</table>')
        cost = self.model.cost
        if cost is not None:
            today, today_aws = present.local_cost(cost.today_actual, cost.today_aws_equivalent)
            month, month_aws = present.local_cost(
                cost.month_end_actual, cost.month_end_aws_equivalent
            )
            parts.append(
                f'<div class="wb-cost-today">Today: <b>{html.escape(today)}</b> (on AWS {today_aws})</div>'
                f'<div class="wb-cost-projection">Month-end projection: <b>{html.escape(month)}</b> '
                f"(on AWS {month_aws})</div>"
            )
            spent_by = {k: v for k, v in cost.by_service.items() if v > 0}
            data = spent_by or dict(cost.aws_equivalent_by_service)
            title = "Month to date by service (USD)" if spent_by else "Month to date on AWS (USD)"
        else:
            parts.append("<div><i>Cost ledger unavailable.</i></div>")
            data = answer.by_service or answer.aws_equivalent_by_service
            title = "This answer by service (USD)"
        self.summary.value = "".join(parts)
        # Drawing costs far more than the rest of the panel: redraw only when the data changed.
        key = (title, tuple(sorted((k, round(v, 6)) for k, v in data.items())))
        if key != self._last_input:
            self._last_input = key
            self._last_png = render_cost_chart(data, title=title)
            self.chart.value = self._last_png or b""
        png = self._last_png
        self.chart.layout.display = None if png else "none"


class DashboardView(w.VBox):
    """Header, KPI tiles, question box with examples, answer, table, chart, SQL, CSV, sidebar."""

    def __init__(self, app: AppModel, model: DashboardModel) -> None:
        self.app = app
        self.model = model
        session = model.session
        # Header: user, persona switcher, logout.
        self.user = _html(
            f"<b>{html.escape(session.username)}</b> · {html.escape(model.persona_label)}",
            "wb-user",
        )
        self.persona = w.Dropdown(
            options=[(p.label, p.value) for p in app.personas],
            value=model.persona.value,
            description="Persona",
        )
        self.persona.add_class("wb-persona-switch")
        self.persona.disabled = len(app.personas) < 2
        self.persona.tooltip = (
            "Your account has only this persona; an administrator can grant more."
            if self.persona.disabled
            else "Switch to another persona's dashboard (starts a new conversation)."
        )
        self.logout = _button("Log out", "wb-logout")
        header = w.HBox(
            [self.user, self.persona, self.logout],
            layout=w.Layout(justify_content="space-between", align_items="center"),
        )
        header.add_class("wb-header")
        # Question box, examples, busy indicator.
        self.question = w.Text(
            placeholder="Ask a question about your data…", layout=w.Layout(width="70%")
        )
        self.question.add_class("wb-question")
        self.ask_button = _button("Ask", "wb-ask", style="primary")
        self.busy = _html(cls="wb-busy")
        self.examples = []
        for index, text in enumerate(model.examples):
            button = _button(text, f"wb-example-{index}", tooltip=f"Ask: {text}", width="auto")
            button.layout.min_width = "fit-content"
            button.add_class("wb-example")
            button.on_click(lambda _b, q=text: model.ask(q))
            self.examples.append(button)
        # Answer, suggestions, table, chart, SQL, CSV.
        self.answer = _html(cls="wb-answer-text")
        self.error = _html(cls="wb-answer-error")
        self.suggestions = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.suggestions.add_class("wb-suggestions")
        #: How the question was read (measure, filters, period, ...) goes here as chips.
        self.interpretation = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.interpretation.add_class("wb-interpretation")
        self.table = TableView(model.table)
        self.chart = w.Image(format="png")
        self.chart.add_class("wb-chart")
        self.show_sql = w.ToggleButton(
            description="Show SQL", value=False, tooltip="Ask a question to see its SQL."
        )
        self.show_sql.add_class("wb-show-sql")
        self.sql = _html(cls="wb-sql")
        self.download = _html(cls="wb-download")
        self.meta = _html(cls="wb-answer-meta")
        self.kpis = KpiTilesView(model)
        self.conversation = ConversationView(model)
        self.costs = CostPanelView(model)
        self.diagnostics = DiagnosticsView(model)
        examples = w.HBox(self.examples, layout=w.Layout(flex_flow="row wrap"))
        examples.add_class("wb-examples")
        # Table before chart: the numbers are drawn first and the chart follows.
        main = w.VBox(
            [
                self.kpis,
                w.HBox([self.question, self.ask_button, self.busy]),
                examples,
                self.error,
                self.suggestions,
                self.interpretation,
                self.answer,
                self.meta,
                self.table,
                self.chart,
                w.HBox([self.show_sql, self.download]),
                self.sql,
            ],
            layout=w.Layout(width="72%", min_width="0"),
        )
        sidebar = w.VBox(
            [self.conversation, self.costs, self.diagnostics], layout=w.Layout(width="28%")
        )
        sidebar.add_class("wb-sidebar")
        super().__init__([header, w.HBox([main, sidebar])])
        self.add_class("wb-dashboard")
        self.add_class(f"wb-dashboard-{model.persona.value}")

        self.question.observe(lambda change: setattr(model, "question", change["new"]), "value")
        self.ask_button.on_click(lambda _b: model.ask())
        on_enter(self.question, lambda: model.ask())
        self.show_sql.observe(lambda change: model.toggle_sql(bool(change["new"])), "value")
        self.logout.on_click(lambda _b: app.logout())
        self.persona.observe(self._on_persona, "value")
        model.observe(self._render)
        model.table.observe(self._on_table)
        self._render(
            model,
            frozenset(
                {
                    "answer",
                    "busy",
                    "status",
                    "error",
                    "suggestions",
                    "show_sql",
                    "chart",
                    "question",
                }
            ),
        )

    def _on_table(self, table: TableModel, changed: frozenset[str]) -> None:
        # The CSV follows the table's sort (a new answer's link is made with the answer).
        if "sort" in changed and "frame" not in changed and self.download.value:
            self.download.value = self._download_link()

    def _on_persona(self, change: Mapping[str, Any]) -> None:
        if change["new"] and change["new"] != self.model.persona.value:
            self.app.switch_persona(change["new"])

    def _render(self, model: DashboardModel, changed: frozenset[str]) -> None:
        if "question" in changed and self.question.value != model.question:
            self.question.value = model.question
        if changed & {"busy", "status"}:
            self.ask_button.disabled = model.busy
            self.ask_button.tooltip = (
                "Wait for the current answer to finish." if model.busy else "Ask the question"
            )
            for button, text in zip(self.examples, model.examples, strict=True):
                button.disabled = model.busy
                button.tooltip = (
                    "Wait for the current answer to finish." if model.busy else f"Ask: {text}"
                )
            self.busy.value = (
                f'<span class="wb-busy-indicator">⏳ {html.escape(model.status or "Working…")}</span>'
                if model.busy
                else ""
            )
        if "error" in changed:
            self.error.value = _error_html(model.error)
        if "suggestions" in changed:
            buttons = []
            for text in model.suggestions:
                button = _button(text, "wb-suggestion", tooltip=f"Ask: {text}", width="auto")
                button.layout.min_width = "fit-content"
                button.on_click(lambda _b, q=text: model.ask(q))
                buttons.append(button)
            self.suggestions.children = [_html("Try: "), *buttons] if buttons else []
        if "answer" in changed:
            answer = model.answer
            ok = answer is not None and model.error is None
            read = getattr(answer, "interpretation", None) if ok else None
            # How the question was read, first: one chip per part (measure, filters, period …).
            self.interpretation.children = (
                [_html("Read as:", "wb-chip-label"), *self._chips(read)]
                if read is not None and read.parts
                else []
            )
            self.answer.value = f"<p>{html.escape(model.answer_text)}</p>" if ok else ""
            if ok and answer is not None:
                cut = (
                    " (cut at the row limit: narrow the question for the rest)"
                    if answer.frame.attrs.get("truncated")
                    else ""
                )
                origin = "from the cache" if answer.cached else ""
                self.meta.value = (
                    f"<small>{present.count(len(answer.frame), 'row')}{cut}"
                    + (f" · {origin}" if origin else "")
                    + "</small>"
                )
                self.download.value = self._download_link() if len(answer.frame.columns) else ""
            else:
                self.meta.value = ""
                self.download.value = ""
        if "chart" in changed:
            png = (
                render_chart(model.table.frame, model.chart) if model.chart.kind != "none" else None
            )
            self.chart.value = png or b""
            self.chart.layout.display = None if png else "none"
        if changed & {"show_sql", "answer"}:
            sql = model.sql
            self.show_sql.disabled = not sql
            if sql:
                self.show_sql.tooltip = "Show the SQL that produced this table"
            elif model.answer is None:
                self.show_sql.tooltip = "Ask a question to see its SQL."
            else:
                self.show_sql.tooltip = (
                    "This answer has no SQL: it came from a calculation (route, score, forecast)."
                )
            if self.show_sql.value != model.show_sql:
                self.show_sql.value = model.show_sql
            self.sql.value = f"<pre>{html.escape(sql)}</pre>" if (model.show_sql and sql) else ""

    def _chips(self, read: Any) -> list[w.Widget]:
        """One chip per part of the reading; a filter, the period, a grouping, the order or
        the top N has a × that re-runs the plan without it."""
        from workbench.semantic.interpretation import REMOVABLE

        chips: list[w.Widget] = []
        for index, part in enumerate(read.parts):
            label = _html(
                f'<span class="wb-chip wb-chip-{html.escape(part.kind)}" '
                f'title="{html.escape(part.kind)}">{html.escape(part.label)}</span>'
            )
            answer = self.model.answer
            if part.kind in REMOVABLE and answer is not None and isinstance(answer.plan, QueryPlan):
                remove = _button(
                    "×", f"wb-chip-remove-{index}", tooltip=f"Answer again without “{part.label}”"
                )
                remove.layout.width = "22px"
                remove.add_class("wb-chip-remove")
                remove.on_click(lambda _b, i=index: self.model.remove_part(i))
                chips.append(w.HBox([label, remove], layout=w.Layout(align_items="center")))
            else:
                chips.append(label)
        return chips

    def _download_link(self) -> str:
        name = f"{self.model.persona.value}-result.csv"
        return (
            f'<a class="wb-csv-link" download="{html.escape(name)}" href="{self.model.table.csv_data_uri()}" '
            f'target="_blank">⬇ Download CSV ({present.count(self.model.table.row_count, "row")})</a>'
        )


# --------------------------------------------------------------------------- app
class AppView(w.VBox):
    """The whole app: shows the login form, the persona picker or a dashboard by stage."""

    def __init__(self, model: AppModel) -> None:
        self.model = model
        self.style = w.HTML(STYLE)
        self.login = LoginView(model.login, model.submit_login)
        self.current: w.Widget = self.login
        self.error = _html(cls="wb-app-error")
        super().__init__([self.style, self.login])
        self.add_class("wb-app")
        self.add_class("wb-stage-login")
        model.observe(self._render)

    def _render(self, model: AppModel, changed: frozenset[str]) -> None:
        if not changed & {"stage", "dashboard"}:
            if "error" in changed and isinstance(self.current, PersonaPickerView | DashboardView):
                self.current.error.value = _error_html(model.error)
            return
        old = self.current
        if model.stage == "login":
            self.current = self.login
        elif model.stage == "password" and model.password_change is not None:
            self.current = PasswordChangeView(model.password_change, model.submit_password_change)
        elif model.stage == "picker":
            self.current = PersonaPickerView(model)
        elif model.dashboard is not None:
            if isinstance(old, DashboardView) and old.model is model.dashboard:
                return
            self.current = DashboardView(model, model.dashboard)
        for stage in ("login", "password", "picker", "dashboard"):
            self.remove_class(f"wb-stage-{stage}")
        self.add_class(f"wb-stage-{model.stage}")
        self.children = [self.style, self.current]
        if old is not self.current and old is not self.login:
            close_tree(old)


def close_tree(widget: w.Widget) -> None:
    """Close a widget and its descendants, freeing their comms in the kernel."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


__all__ = [
    "STYLE",
    "AppView",
    "ConversationView",
    "CostPanelView",
    "DashboardView",
    "DiagnosticsView",
    "KpiTilesView",
    "LoginView",
    "PasswordChangeView",
    "PersonaPickerView",
    "TableView",
    "close_tree",
    "frame_to_html",
    "on_enter",
]
