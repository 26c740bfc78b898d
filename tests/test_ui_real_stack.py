"""Widget flows over the real stack: Workbench.ask (orchestrator, planner, cache, memory,
ledger) and the real AuthService, on a copy of the small sample home. No browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_sample_home
from workbench.app import Workbench
from workbench.auth import AuthService, UserStore
from workbench.core import present
from workbench.ui.backend import WorkbenchBackend
from workbench.ui.models import AppModel
from workbench.ui.views import AppView, DashboardView, PersonaPickerView

PASSWORD = "real-stack-pass-1"


@pytest.fixture(scope="module")
def backend(
    sample_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkbenchBackend]:
    home = tmp_path_factory.mktemp("ui_real") / "home"
    copy_sample_home(sample_home, home)
    (home / "config.yaml").write_text(
        (home / "config.yaml").read_text() + "auth:\n  bcrypt_rounds: 4\n", encoding="utf-8"
    )
    workbench = Workbench(home=home)
    UserStore(workbench.settings).add_user(
        "erin", PASSWORD, personas=["warehouse_manager", "procurement_specialist"]
    )
    real = WorkbenchBackend(workbench, AuthService(workbench.settings))
    real.warm_up()
    yield real
    workbench.close()


def _dashboard(backend: WorkbenchBackend, persona: str) -> tuple[AppView, DashboardView]:
    view = AppView(AppModel(backend))
    view.login.username.value = "erin"
    view.login.password.value = PASSWORD
    view.login.submit.click()
    picker = view.current
    assert isinstance(picker, PersonaPickerView)
    next(b for b in picker.buttons if f"wb-persona-{persona}" in b._dom_classes).click()
    assert isinstance(view.current, DashboardView)
    return view, view.current


def test_kpis_question_follow_up_cost_and_cache_on_real_data(backend: WorkbenchBackend) -> None:
    _, dash = _dashboard(backend, "warehouse_manager")
    texts = {tile.spec.key: tile.text for tile in dash.model.kpis}
    assert all(t not in {"—", "…"} for t in texts.values()), [
        (t.spec.key, t.error) for t in dash.model.kpis
    ]
    assert texts["inventory_value"].startswith("$")

    dash.question.value = "revenue by warehouse last month"
    dash.ask_button.click()
    assert dash.error.value == "", dash.error.value
    assert "warehouse" in dash.answer.value.lower()
    # How the question was read comes first, one chip per part.
    chips = [getattr(c, "value", None) or c.children[0].value for c in dash.interpretation.children]
    assert chips[0] == "Read as:"
    assert any("Revenue" in c and "wb-chip-measure" in c for c in chips)
    assert any("by warehouse" in c for c in chips)
    assert any("2026-05-01 to 2026-05-31" in c and "wb-chip-period" in c for c in chips)
    assert dash.model.table.row_count == 3 and "<table" in dash.table.grid.value
    assert dash.chart.value[:4] == b"\x89PNG"
    dash.show_sql.value = True
    assert "SELECT" in dash.sql.value.upper()

    dash.model.ask("what about this month?")
    assert dash.model.error is None, dash.model.error
    assert [e.question for e in dash.model.history] == [
        "revenue by warehouse last month",
        "what about this month?",
    ]

    stats = dash.model.cache_stats
    assert stats is not None and stats["entries"] >= 1
    dash.model.ask("revenue by warehouse last month")
    assert dash.model.answer is not None and dash.model.answer.cached
    cost = dash.model.cost
    assert (
        cost is not None
        and cost.today_aws_equivalent > 0
        and cost.month_end_aws_equivalent >= cost.today_aws_equivalent
    )
    assert "Month-end projection" in dash.costs.summary.value


def test_persona_switch_ends_the_conversation_and_ungranted_persona_is_refused(
    backend: WorkbenchBackend,
) -> None:
    view, dash = _dashboard(backend, "warehouse_manager")
    dash.model.ask("revenue by warehouse last month")
    old_session = dash.model.session_id
    memory = backend.workbench.orchestrator.memory
    assert memory.history(old_session)
    dash.persona.value = "procurement_specialist"
    new = view.current
    assert isinstance(new, DashboardView) and new.model.persona.value == "procurement_specialist"
    assert new.model.history == [] and memory.history(old_session) == []
    new.model.ask("top 5 suppliers by spend this quarter")
    assert new.model.error is None and new.model.table.row_count == 5
    # A persona the user was not granted: refused by the orchestrator's authorization.
    answer = backend.ask(
        "how many orders are overdue?", "field_engineer", token=new.model.session.token
    )
    assert answer.error and answer.frame.empty


def test_cache_statistics_show_the_hit_rate(backend: WorkbenchBackend) -> None:
    _, dash = _dashboard(backend, "procurement_specialist")
    dash.model.ask("rank suppliers by score")
    dash.model.ask("rank suppliers by score")
    stats = dash.model.cache_stats
    assert stats is not None and 0 < stats["hit_rate"] <= 1
    # In the collapsed diagnostics panel, not on the business screen.
    expected = f"hit rate {present.percent(stats['hit_rate'], 0)}"
    assert expected in dash.diagnostics.body.value
    assert dash.diagnostics.selected_index is None


def test_a_chip_removed_re_runs_the_plan_without_reading_the_question(
    backend: WorkbenchBackend,
) -> None:
    _, dash = _dashboard(backend, "warehouse_manager")
    dash.model.ask("revenue by warehouse last month at the East warehouse")
    assert dash.error.value == "", dash.error.value
    first = dash.model.answer
    assert first is not None and first.plan.time_window is not None
    kinds = [p.kind for p in first.interpretation.parts]
    # The measure cannot be removed; the filter and the period can.
    assert not any(
        "wb-chip-remove-0" in getattr(c, "_dom_classes", ()) for c in dash.interpretation.children
    )
    period = kinds.index("period")
    buttons = {
        cls: child
        for box in dash.interpretation.children
        for child in getattr(box, "children", ())
        for cls in getattr(child, "_dom_classes", ())
        if cls.startswith("wb-chip-remove-")
    }
    buttons[f"wb-chip-remove-{period}"].click()
    second = dash.model.answer
    assert dash.error.value == "", dash.error.value
    assert second is not first and second.plan.time_window is None
    assert second.plan.filters == first.plan.filters  # the rest of the reading stays
    assert "all dates" in second.interpretation.text
    assert float(second.frame["revenue"].iloc[0]) > float(first.frame["revenue"].iloc[0])
    # Then the warehouse filter: one row per warehouse.
    kinds = [p.kind for p in second.interpretation.parts]
    buttons = {
        cls: child
        for box in dash.interpretation.children
        for child in getattr(box, "children", ())
        for cls in getattr(child, "_dom_classes", ())
        if cls.startswith("wb-chip-remove-")
    }
    buttons[f"wb-chip-remove-{kinds.index('filter')}"].click()
    assert len(dash.model.answer.frame) == 3
