"""Real-browser tests of a newcomer's first hour: Enter submits, the one-time password is
replaced at the first login, wide tables scroll sideways, and a report opens with the
network blocked. Screenshots of each screen go to ``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, PASSWORD, WAIT_MS, RequestLog, RunningServer
from workbench.core.config import load_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

PageAndLog = tuple[Any, RequestLog]


def _open(page: Any, server: RunningServer) -> None:
    page.goto(server.url)
    page.wait_for_selector(".wb-login-username input", state="visible", timeout=WAIT_MS)


def _idle(page: Any) -> None:
    page.wait_for_selector(".wb-busy-indicator", state="detached", timeout=WAIT_MS)


def _warehouse_dashboard(page: Any, server: RunningServer) -> None:
    """Log in as the analyst with Enter and open the Warehouse Manager dashboard."""
    _open(page, server)
    page.fill(".wb-login-username input", "analyst")
    page.fill(".wb-login-password input", PASSWORD)
    page.press(".wb-login-password input", "Enter")
    page.wait_for_selector(".wb-picker", timeout=WAIT_MS)
    page.click("button.wb-persona-warehouse_manager")
    page.wait_for_selector(".wb-dashboard-warehouse_manager", timeout=WAIT_MS)
    _idle(page)


def test_enter_submits_the_login_form_and_the_question_and_wide_tables_scroll(
    page: PageAndLog, voila_server: RunningServer
) -> None:
    browser_page, requests = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Narrow enough that a listing with many columns is wider than the answer column.
    browser_page.set_viewport_size({"width": 900, "height": 900})
    _warehouse_dashboard(browser_page, voila_server)

    browser_page.fill(
        ".wb-question input",
        "which products are below their reorder point at the East warehouse?",
    )
    browser_page.press(".wb-question input", "Enter")
    browser_page.wait_for_selector(".wb-results table", timeout=WAIT_MS)
    _idle(browser_page)
    assert browser_page.inner_text(".wb-answer-text").strip()
    # Numbers read like the sentence: whole units, no "-0.00", "1 row" not "1 rows".
    cells = browser_page.locator(".wb-results td").all_inner_texts()
    assert cells and not [c for c in cells if c.endswith(".00") or c == "-0.00"], cells
    assert " 1 rows" not in browser_page.inner_text(".wb-answer-meta")

    box = browser_page.locator(".wb-table-scroll").first
    overflow = box.evaluate("e => getComputedStyle(e).overflowX")
    assert overflow == "auto"
    wide = box.evaluate("e => e.scrollWidth > e.clientWidth")
    browser_page.screenshot(path=str(ARTIFACTS / "enter-and-wide-table.png"), full_page=True)
    widths = box.evaluate(
        """e => { const out = []; for (let n = e; n && out.length < 12; n = n.parentElement)
        out.push(`${n.className.split(' ').slice(0, 2).join('.')}:${n.clientWidth}/${n.scrollWidth}`);
        return out.join(' < '); }"""
    )
    assert wide, f"the listing should be wider than a 900 px window: {widths}"
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert box.evaluate("e => e.scrollLeft") > 0
    # The last column is reachable, not cut off.
    last = browser_page.locator(".wb-results thead th").last
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    # Disabled buttons explain themselves; the diagnostics start folded.
    assert browser_page.locator(".wb-diagnostics .wb-diagnostics-body").is_hidden()
    browser_page.screenshot(path=str(ARTIFACTS / "enter-and-wide-table.png"), full_page=True)
    assert requests.foreign() == [], requests.foreign()


def test_a_one_time_password_is_replaced_at_the_first_login(
    page: PageAndLog, voila_server: RunningServer
) -> None:
    from workbench.auth import UserStore

    browser_page, _ = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = UserStore(load_settings(home=voila_server.home))
    one_time = "one-time-pass-1234"
    store.add_user(
        "firstadmin",
        one_time,
        personas=["field_engineer"],
        is_admin=True,
        must_change_password=True,
    )
    _open(browser_page, voila_server)
    browser_page.fill(".wb-login-username input", "firstadmin")
    browser_page.fill(".wb-login-password input", one_time)
    browser_page.click("button.wb-login-submit")
    browser_page.wait_for_selector(".wb-password-change", timeout=WAIT_MS)
    assert browser_page.locator(".wb-dashboard").count() == 0
    browser_page.screenshot(path=str(ARTIFACTS / "admin-new-password.png"), full_page=True)

    browser_page.fill(".wb-new-password input", "my-own-password-42")
    browser_page.fill(".wb-new-password-confirm input", "my-own-password-43")
    browser_page.press(".wb-new-password-confirm input", "Enter")
    error = browser_page.wait_for_selector(".wb-new-password-error .wb-error", timeout=WAIT_MS)
    assert "differ" in error.inner_text()

    browser_page.fill(".wb-new-password input", "my-own-password-42")
    browser_page.fill(".wb-new-password-confirm input", "my-own-password-42")
    browser_page.click("button.wb-new-password-submit")
    browser_page.wait_for_selector(".wb-dashboard-field_engineer", timeout=WAIT_MS)
    _idle(browser_page)
    user = store.get_user("firstadmin")
    assert not user.must_change_password

    browser_page.click(".wb-header button.wb-logout")
    browser_page.wait_for_selector(".wb-login-username input", state="visible", timeout=WAIT_MS)
    browser_page.fill(".wb-login-username input", "firstadmin")
    browser_page.fill(".wb-login-password input", "my-own-password-42")
    browser_page.press(".wb-login-password input", "Enter")
    browser_page.wait_for_selector(".wb-dashboard-field_engineer", timeout=WAIT_MS)


def test_a_report_opens_with_the_network_blocked(
    browser: Any, sample_home: Path, tmp_path: Path
) -> None:
    from tests.conftest import copy_sample_home
    from workbench.reports.runner import run_report

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    home = copy_sample_home(sample_home, tmp_path / "home")
    run = run_report(
        "supplier_scorecard", {}, settings=load_settings(home=home), output_dir=tmp_path / "out"
    )
    assert run.html is not None
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    seen: list[str] = []

    def block(route: Any) -> None:
        seen.append(route.request.url)
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block)
    try:
        report = context.new_page()
        report.goto(run.html.as_uri())
        report.wait_for_selector(".wb-section", timeout=WAIT_MS)
        foreign = [u for u in seen if not u.startswith(("file://", "data:"))]
        assert foreign == [], foreign
        images = report.locator("img.wb-chart")
        assert images.count() >= 1
        assert report.evaluate(
            "() => [...document.querySelectorAll('img.wb-chart')].every(i => i.naturalWidth > 0)"
        )
        text = report.inner_text("body")
        assert "00:00:00" not in text and "-0.00" not in text
        report.screenshot(path=str(ARTIFACTS / "report-offline.png"), full_page=True)
    finally:
        context.close()


def test_interpretation_chips_remove_the_period_and_a_filter(
    page: PageAndLog, voila_server: RunningServer
) -> None:
    browser_page, requests = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _warehouse_dashboard(browser_page, voila_server)
    browser_page.fill(".wb-question input", "revenue by warehouse last month at the East warehouse")
    browser_page.press(".wb-question input", "Enter")
    browser_page.wait_for_selector(".wb-chip-period", timeout=WAIT_MS)
    _idle(browser_page)
    chips = browser_page.inner_text(".wb-interpretation")
    assert "Read as:" in chips and "East Distribution Center" in chips and "last month" in chips
    browser_page.screenshot(path=str(ARTIFACTS / "chips-before.png"), full_page=True)
    # Remove the period: the plan runs again without reading the question.
    browser_page.locator(".wb-interpretation .widget-hbox:has(.wb-chip-period) button").click()
    browser_page.wait_for_function(
        "() => document.querySelector('.wb-interpretation').innerText.includes('all dates')",
        timeout=WAIT_MS,
    )
    _idle(browser_page)
    assert "East Distribution Center" in browser_page.inner_text(".wb-interpretation")
    # Then the warehouse filter: one row per warehouse.
    browser_page.locator(".wb-interpretation .widget-hbox:has(.wb-chip-filter) button").click()
    browser_page.wait_for_function(
        "() => !document.querySelector('.wb-interpretation').innerText.includes('East Distribution')",
        timeout=WAIT_MS,
    )
    _idle(browser_page)
    assert browser_page.locator(".wb-results tbody tr").count() == 3
    browser_page.screenshot(path=str(ARTIFACTS / "chips-after.png"), full_page=True)
    assert requests.foreign() == [], requests.foreign()
