"""Widget tests of what a newcomer meets: Enter submits, the one-time password is replaced,
numbers read like the sentence, costs say "local, no charge", diagnostics are folded away,
and disabled buttons explain themselves. No browser (tests/browser/ proves the pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench.core.config import load_settings
from workbench.ui.backend import WorkbenchBackend
from workbench.ui.models import AppModel
from workbench.ui.testing import ScriptedWorkbench, make_answer, scripted_backend
from workbench.ui.views import AppView, DashboardView, PasswordChangeView, PersonaPickerView

PASSWORD = "correct horse battery"
QUESTION = "on-time rate by warehouse"


@pytest.fixture
def scripted(tmp_path: Path) -> tuple[WorkbenchBackend, ScriptedWorkbench]:
    (tmp_path / "config.yaml").write_text(
        "as_of: 2026-06-30\nauth:\n  bcrypt_rounds: 4\n", encoding="utf-8"
    )
    backend, workbench = scripted_backend(
        load_settings(home=tmp_path), {"alice": (PASSWORD, ["warehouse_manager"])}
    )
    frame = pd.DataFrame(
        {
            "warehouse_name": ["East", "West"],
            "on_time_rate": [0.8712, 0.9],
            "units": [1803.0, -0.0001],
            "spend": [1234567.891, 12.5],
        }
    )
    workbench.register(QUESTION, make_answer(QUESTION, frame, "On-time rate is highest at West."))
    workbench.register(
        "optimize the route",
        make_answer("optimize the route", frame.head(1), "A route.", sql=None),
    )
    return backend, workbench


def _submit(widget: Any) -> None:
    """What the front end sends when Enter is pressed in a text box."""
    widget._handle_custom_msg({"event": "submit"}, [])


def test_enter_in_the_password_box_logs_in_and_in_the_question_box_asks(
    scripted: tuple[WorkbenchBackend, ScriptedWorkbench],
) -> None:
    backend, _ = scripted
    app = AppModel(backend, load_kpis=False)
    view = AppView(app)
    view.login.username.value = "alice"
    view.login.password.value = PASSWORD
    _submit(view.login.password)
    assert app.stage == "dashboard" and isinstance(view.current, DashboardView)
    dash = view.current
    dash.question.value = QUESTION
    _submit(dash.question)
    assert dash.model.answer is not None and dash.model.table.row_count == 2
    # The same text twice still asks twice (observing `value` would miss it).
    _submit(dash.question)
    assert len(dash.model.history) == 2


def test_tables_read_like_sentences_and_costs_say_local(
    scripted: tuple[WorkbenchBackend, ScriptedWorkbench],
) -> None:
    backend, _ = scripted
    app = AppModel(backend, load_kpis=False)
    view = AppView(app)
    app.login.username, app.login.password = "alice", PASSWORD
    app.submit_login()
    dash = view.current
    assert isinstance(dash, DashboardView)
    dash.model.ask(QUESTION)
    grid = dash.table.grid.value
    assert 'class="wb-table-scroll"' in grid
    for shown in ("87.1%", "90.0%", "1,803", "$1,234,568", "$12.50"):
        assert f">{shown}<" in grid, shown
    assert "-0" not in grid and "1803.00" not in grid
    assert dash.meta.value.startswith("<small>2 rows")
    costs = dash.costs.summary.value
    assert "This answer: <b>local, no charge</b>" in costs
    assert "On AWS it would cost $0.0025" in costs and "$0.0000" not in costs
    # Cache statistics and timings: in the folded diagnostics panel, not the business screen.
    assert dash.diagnostics.selected_index is None
    assert "Cache:" in dash.diagnostics.body.value and "ms" in dash.diagnostics.body.value
    assert "ms" not in dash.meta.value
    # One row reads "1 row".
    dash.model.ask("optimize the route")
    assert dash.meta.value.startswith("<small>1 row<") or "1 row " in dash.meta.value


def test_disabled_buttons_explain_themselves(
    scripted: tuple[WorkbenchBackend, ScriptedWorkbench],
) -> None:
    backend, _ = scripted
    app = AppModel(backend, load_kpis=False)
    view = AppView(app)
    app.login.username, app.login.password = "alice", PASSWORD
    app.submit_login()
    dash = view.current
    assert isinstance(dash, DashboardView)
    assert dash.show_sql.disabled and dash.show_sql.tooltip == "Ask a question to see its SQL."
    assert dash.persona.disabled and "only this persona" in (dash.persona.tooltip or "")
    dash.model.ask("optimize the route")
    assert dash.show_sql.disabled and "no SQL" in (dash.show_sql.tooltip or "")
    dash.model.ask(QUESTION)
    assert not dash.show_sql.disabled
    assert dash.table.previous.disabled and dash.table.previous.tooltip == "This is the first page."
    for tooltip in (b.tooltip for b in [dash.show_sql, dash.ask_button, *dash.examples]):
        assert tooltip and tooltip != "null"
    # A place for the interpretation chips, empty until a planner fills it.
    assert (
        dash.interpretation.children == ()
        and "wb-interpretation" in dash.interpretation._dom_classes
    )


def test_a_one_time_password_must_be_replaced_before_any_dashboard(
    scripted: tuple[WorkbenchBackend, ScriptedWorkbench], tmp_path: Path
) -> None:
    backend, _ = scripted
    from workbench.auth import UserStore

    store = UserStore(load_settings(home=tmp_path))
    store.add_user(
        "admin",
        "one-time-pass-99",
        personas=["warehouse_manager", "field_engineer"],
        is_admin=True,
        must_change_password=True,
    )
    app = AppModel(backend, load_kpis=False)
    view = AppView(app)
    view.login.username.value = "admin"
    view.login.password.value = "one-time-pass-99"
    view.login.submit.click()
    assert app.stage == "password" and isinstance(view.current, PasswordChangeView)
    app.choose_persona("warehouse_manager")  # no way around the form
    assert app.dashboard is None and app.error
    form = view.current
    form.new_password.value, form.confirm.value = "new-password-123", "new-password-124"
    _submit(form.confirm)
    assert "differ" in form.error.value and app.stage == "password"
    form.new_password.value, form.confirm.value = "one-time-pass-99", "one-time-pass-99"
    form.submit.click()
    assert "different" in form.error.value
    form.new_password.value, form.confirm.value = "x", "x"
    form.submit.click()
    assert app.stage == "password" and form.error.value  # the password policy says why
    form.new_password.value, form.confirm.value = "new-password-123", "new-password-123"
    form.submit.click()
    assert app.stage == "picker" and isinstance(view.current, PersonaPickerView)
    assert not store.get_user("admin").must_change_password
    assert app.session is not None and not app.session.must_change_password
    # The one-time password no longer works; the new one does.
    app.logout()
    app.login.username, app.login.password = "admin", "one-time-pass-99"
    assert not app.submit_login()
    app.login.username, app.login.password = "admin", "new-password-123"
    assert app.submit_login() and app.stage == "picker"
