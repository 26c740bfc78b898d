"""Widget tests without a browser: set ``.value``, call ``.click()``, assert state and children.

Answers are scripted (``ScriptedWorkbench``); auth, cache, memory and the cost ledger are
the real ones in a temporary home.
"""

from __future__ import annotations

import base64
import io
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from workbench.agents.answer import Answer, ChartSpec
from workbench.core.config import load_settings
from workbench.core.errors import AuthError, QueryTimeoutError
from workbench.ui.backend import WorkbenchBackend
from workbench.ui.content import KPIS, format_value
from workbench.ui.models import UNEXPECTED_ERROR, AppModel, TableModel
from workbench.ui.testing import ScriptedWorkbench, make_answer, scripted_backend
from workbench.ui.views import AppView, DashboardView, LoginView, PersonaPickerView, TableView

WM, FE, PS = "warehouse_manager", "field_engineer", "procurement_specialist"
REVENUE = "revenue by warehouse last month"


def _revenue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "warehouse_name": [f"W{i:02d}" for i in range(23)],
            "revenue": [float(i * 100) for i in range(23)],
        }
    )


@pytest.fixture
def scripted(tmp_path: Path) -> tuple[WorkbenchBackend, ScriptedWorkbench]:
    (tmp_path / "config.yaml").write_text(
        "as_of: 2026-06-30\nauth:\n  bcrypt_rounds: 4\n  lockout_attempts: 3\n", encoding="utf-8"
    )
    users = {
        "alice": ("correct horse battery", [WM, PS]),
        "bob": ("bob password 123", [FE]),
        "carol": ("carol password 1", [FE]),
    }
    backend, workbench = scripted_backend(load_settings(home=tmp_path), users)
    for persona, specs in KPIS.items():
        for i, spec in enumerate(specs):
            frame = (
                pd.DataFrame({"supplier_name": ["Slow Co"], "on_time_rate": [0.5]})
                if spec.reading == "first_label"
                else pd.DataFrame({"value": [i + 7]})
            )
            workbench.register(
                spec.question, make_answer(spec.question, frame, "kpi", persona=persona.value)
            )
    workbench.register(
        REVENUE,
        make_answer(
            REVENUE,
            _revenue(),
            "Revenue last month was highest at W22.",
            sql="SELECT warehouse_name, SUM(line_total) AS revenue FROM ...",
            chart=ChartSpec("bar", "warehouse_name", ("revenue",)),
        ),
    )
    workbench.register(
        "how many orders are overdue?",
        make_answer(
            "how many orders are overdue?",
            pd.DataFrame({"overdue_orders": [12]}),
            "12 orders are overdue.",
            persona=FE,
        ),
    )
    workbench.register(
        "what about this month?",
        make_answer("what about this month?", _revenue().head(3), "This month so far: W02 leads."),
    )
    return backend, workbench


@pytest.fixture
def backend(scripted: tuple[WorkbenchBackend, ScriptedWorkbench]) -> WorkbenchBackend:
    return scripted[0]


@pytest.fixture
def workbench(scripted: tuple[WorkbenchBackend, ScriptedWorkbench]) -> ScriptedWorkbench:
    return scripted[1]


def _login(view: AppView, username: str, password: str) -> None:
    view.login.username.value = username
    view.login.password.value = password
    view.login.submit.click()


def _dashboard(view: AppView) -> DashboardView:
    assert isinstance(view.current, DashboardView), view.current
    return view.current


def _open(backend: WorkbenchBackend, persona: str = WM) -> tuple[AppView, DashboardView]:
    view = AppView(AppModel(backend))
    _login(view, "alice", "correct horse battery")
    picker = view.current
    assert isinstance(picker, PersonaPickerView)
    next(b for b in picker.buttons if f"wb-persona-{persona}" in b._dom_classes).click()
    return view, _dashboard(view)


def test_login_errors_wrong_password_empty_and_lockout(backend: WorkbenchBackend) -> None:
    view = AppView(AppModel(backend))
    assert isinstance(view.current, LoginView) and "wb-stage-login" in view._dom_classes
    view.login.submit.click()
    assert "Enter your username and password" in view.login.error.value
    for _ in range(2):
        _login(view, "alice", "wrong")
        assert "Invalid username or password" in view.login.error.value
        assert view.login.password.value == ""  # never left in the form
    _login(view, "alice", "wrong")  # the third failure locks the account (lockout_attempts: 3)
    _login(view, "alice", "correct horse battery")
    assert "locked until" in view.login.error.value
    assert isinstance(view.current, LoginView)


def test_picker_offers_only_granted_personas_and_single_persona_skips_it(
    backend: WorkbenchBackend,
) -> None:
    view = AppView(AppModel(backend))
    _login(view, "alice", "correct horse battery")
    picker = view.current
    assert isinstance(picker, PersonaPickerView)
    assert sorted(b.description for b in picker.buttons) == [
        "Procurement Specialist",
        "Warehouse Manager",
    ]
    other = AppView(AppModel(backend))
    _login(other, "bob", "bob password 123")
    dash = _dashboard(other)
    assert dash.model.persona.value == FE and dash.persona.disabled


def test_pinned_persona_refused_for_user_without_it(backend: WorkbenchBackend) -> None:
    view = AppView(AppModel(backend, persona=FE))
    _login(view, "alice", "correct horse battery")
    picker = view.current
    assert isinstance(picker, PersonaPickerView) and picker.buttons == []
    assert "does not have the Field Engineer persona" in picker.error.value
    app = AppModel(backend)
    app.login.username, app.login.password = "alice", "correct horse battery"
    app.submit_login()
    app.choose_persona(FE)
    assert app.stage == "picker" and "do not have access" in (app.error or "")


def test_dashboard_header_and_kpis_computed_on_load(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    _, dash = _open(backend, PS)
    assert "alice" in dash.user.value and "Procurement Specialist" in dash.user.value
    assert [label for label, _ in dash.persona.options] == [
        "Warehouse Manager",
        "Procurement Specialist",
    ]
    values = [tile.text for tile in dash.model.kpis]
    assert values == [format_value(7, "money"), "8", "Slow Co"]
    assert "Slow Co" in dash.kpis.tiles[2].value
    assert all(call[2] is None for call in workbench.calls)  # KPIs are not part of the conversation


def test_ask_shows_answer_table_chart_sql_and_csv(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    _, dash = _open(backend)
    busy_seen: list[str] = []
    original = workbench.ask

    def spy(
        question: str, persona: str, *, as_of: object = None, session_id: str | None = None
    ) -> Answer:
        busy_seen.append(dash.busy.value)
        return original(question, persona, as_of=as_of, session_id=session_id)  # type: ignore[arg-type]

    workbench.ask = spy  # type: ignore[method-assign]
    dash.question.value = REVENUE
    dash.ask_button.click()
    assert "Working" in busy_seen[0] and dash.busy.value == ""
    assert "highest at W22" in dash.answer.value
    assert dash.chart.value[:4] == b"\x89PNG" and dash.chart.layout.display is None
    assert "<td>W00</td>" in dash.table.grid.value and "<td>W10</td>" not in dash.table.grid.value
    assert "1 of 3" in dash.table.page_label.value
    # Show SQL.
    assert dash.sql.value == ""
    dash.show_sql.value = True
    assert "SUM(line_total)" in dash.sql.value
    # CSV: the full result, not the page.
    href = dash.download.value.split('href="', 1)[1].split('"', 1)[0]
    csv = base64.b64decode(href.split("base64,", 1)[1]).decode()
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(csv)), _revenue())
    # Sorting the table re-sorts the download too.
    dash.table.sort_column.value = "revenue"
    dash.table.sort_order.value = False
    href = dash.download.value.split('href="', 1)[1].split('"', 1)[0]
    resorted = pd.read_csv(io.StringIO(base64.b64decode(href.split("base64,", 1)[1]).decode()))
    assert resorted["warehouse_name"].iloc[0] == "W22" and len(resorted) == 23
    assert urllib.parse.unquote(href).startswith("data:text/csv")


def test_table_sorts_and_paginates() -> None:
    model = TableModel(_revenue(), page_size=10)
    view = TableView(model)
    model.set_frame(_revenue())
    assert view.previous.disabled and not view.next.disabled
    view.next.click()
    assert "<td>W10</td>" in view.grid.value and "Rows 11–20 of 23" in view.page_label.value
    view.next.click()
    assert view.next.disabled and "<td>W22</td>" in view.grid.value
    view.sort_column.value = "revenue"
    view.sort_order.value = False
    assert model.page == 0 and view.grid.value.index("W22") < view.grid.value.index("W21")
    assert model.csv_text().splitlines()[1].startswith("W22")
    model.sort("revenue")  # same column again flips the direction
    assert model.ascending and view.sort_order.value is True
    with pytest.raises(KeyError):
        model.sort("nope")


def test_single_value_answer_has_no_chart_and_example_click_asks(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    view = AppView(AppModel(backend))
    _login(view, "carol", "carol password 1")
    dash = _dashboard(view)
    example = next(b for b in dash.examples if b.description == "how many orders are overdue?")
    example.click()
    assert dash.question.value == "how many orders are overdue?"
    assert "12 orders are overdue" in dash.answer.value
    assert dash.chart.layout.display == "none"


def test_not_understood_and_unexpected_errors_are_friendly(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    _, dash = _open(backend)
    dash.question.value = "what is the meaning of life"
    dash.ask_button.click()
    assert "did not understand" in dash.error.value and dash.answer.value == ""
    suggestion = dash.suggestions.children[1]
    workbench.register(
        "how many orders are overdue?", make_answer("q", pd.DataFrame({"n": [1]}), "1 overdue.")
    )
    suggestion.click()
    assert "1 overdue" in dash.answer.value and dash.error.value == ""
    workbench.register("boom", RuntimeError("stack trace with internals"))
    dash.model.ask("boom")
    assert UNEXPECTED_ERROR in dash.error.value and "internals" not in dash.error.value
    workbench.register("slow", QueryTimeoutError("The query took too long and was stopped."))
    dash.model.ask("slow")
    assert (
        "took too long" in dash.error.value
        and dash.download.value == ""
        and dash.table.layout.display == "none"
    )
    workbench.register(
        "answer error",
        Answer(
            question="answer error",
            persona=WM,
            error="That needs the supplier table, which this persona cannot read.",
        ),
    )
    dash.model.ask("answer error")
    assert "supplier table" in dash.error.value
    dash.question.value = "  "
    dash.ask_button.click()
    assert "Type a question first" in dash.error.value


def test_conversation_sidebar_reruns_and_follow_up_keeps_session(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    _, dash = _open(backend)
    dash.model.ask(REVENUE)
    dash.model.ask("what about this month?")
    items = dash.conversation.entries.children
    assert [b.description for b in items] == [REVENUE, "what about this month?"]
    items[0].click()
    assert "highest at W22" in dash.answer.value
    session_ids = {sid for q, _, sid in workbench.calls if q in {REVENUE, "what about this month?"}}
    assert session_ids == {dash.model.session_id}
    assert "hit" in dash.diagnostics.body.value and dash.diagnostics.selected_index is None


def test_persona_switch_clears_history_and_ends_conversation(
    backend: WorkbenchBackend, workbench: ScriptedWorkbench
) -> None:
    view, dash = _open(backend)
    dash.model.ask(REVENUE)
    old_session = dash.model.session_id
    dash.persona.value = PS
    new = _dashboard(view)
    assert new is not dash and new.model.persona.value == PS
    assert (
        new.model.history == [] and "No questions yet" in new.conversation.entries.children[0].value
    )
    assert workbench.memory.history(old_session) == []  # the conversation memory was cleared
    assert new.model.session_id != old_session


def test_cost_panel_shows_answer_cost_today_and_projection(backend: WorkbenchBackend) -> None:
    _, dash = _open(backend)
    dash.model.ask(REVENUE)
    text = dash.costs.summary.value
    assert "This answer" in text and "redshift" in text and "Month-end projection" in text
    assert dash.costs.chart.value[:4] == b"\x89PNG"


def test_logout_returns_to_login_and_ends_session(backend: WorkbenchBackend) -> None:
    view, dash = _open(backend)
    token = dash.model.session.token
    dash.logout.click()
    assert isinstance(view.current, LoginView) and "wb-stage-login" in view._dom_classes
    with pytest.raises(AuthError):
        backend.auth.validate(token)
    assert view.login.username.value == "" and view.login.password.value == ""
    _login(view, "alice", "correct horse battery")
    assert isinstance(view.current, PersonaPickerView)


def test_expired_session_on_persona_switch_returns_to_login(backend: WorkbenchBackend) -> None:
    view, dash = _open(backend)
    backend.auth.logout(dash.model.session.token)  # e.g. expired or logged out elsewhere
    dash.persona.value = PS
    assert isinstance(view.current, LoginView)
    assert view.login.error.value  # says why, asks to log in again


def test_session_ending_while_asking_returns_to_login(backend: WorkbenchBackend) -> None:
    view, dash = _open(backend)
    backend.auth.logout(dash.model.session.token)
    dash.question.value = REVENUE
    dash.ask_button.click()
    assert isinstance(view.current, LoginView)
    assert view.login.error.value and dash.model.history == []
