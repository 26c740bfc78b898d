"""Real-browser tests: headless Debian Chromium (Playwright) against the Voila server.

Few and robust: each test opens one page (one preheated kernel) and waits on selectors.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import pandas as pd
import pytest

from tests.browser.conftest import ARTIFACTS, PASSWORD, WAIT_MS, RequestLog, RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

PageAndLog = tuple[Any, RequestLog]
QUESTION = "revenue by warehouse last month"
FOLLOW_UP = "what about this month?"


def _open(page: Any, server: RunningServer) -> None:
    page.goto(server.url)
    page.wait_for_selector(".wb-login-username input", state="visible", timeout=WAIT_MS)


def _login(page: Any, username: str, password: str = PASSWORD) -> None:
    page.fill(".wb-login-username input", username)
    page.fill(".wb-login-password input", password)
    page.click("button.wb-login-submit")


def _ask(page: Any, question: str) -> None:
    page.fill(".wb-question input", question)
    page.click("button.wb-ask")


def _table(page: Any) -> pd.DataFrame:
    """The page of results shown, as text cells (read from the DOM)."""
    data = page.eval_on_selector(
        ".wb-results table",
        """t => ({
            columns: [...t.querySelectorAll('thead th')].map(c => c.innerText.trim()),
            rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim())),
        })""",
    )
    return pd.DataFrame(data["rows"], columns=data["columns"])


def _assert_csv_matches_table(csv: pd.DataFrame, table: pd.DataFrame) -> None:
    """The CSV's first rows are the rows shown, each cell as the presentation layer writes it."""
    from workbench.core import present

    assert list(csv.columns) == list(table.columns)
    expected = present.display_frame(csv.head(len(table))).replace(present.MISSING, "")
    for column in csv.columns:
        assert table[column].tolist() == expected[column].tolist(), column


def _history(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("button.wb-history-item").all_inner_texts()]


def _assert_offline(requests: RequestLog, page: Any) -> None:
    assert requests.urls, "no request was recorded"
    assert requests.foreign() == [], f"requests left 127.0.0.1: {requests.foreign()}"
    content = page.content()
    assert "cdn.jsdelivr.net" not in content and "cdnjs.cloudflare.com" not in content
    # strip_sources: the notebook's code is not in the page.
    assert "from workbench.ui import" not in content


def test_wrong_password_then_only_granted_personas_then_logout(
    page: PageAndLog, voila_server: RunningServer
) -> None:
    browser_page, requests = page
    log = voila_server.log()
    assert "Culling kernels with idle durations > 1800 seconds" in log  # idle culling is on
    _open(browser_page, voila_server)
    _login(browser_page, "picker", "not-the-password")
    error = browser_page.wait_for_selector(".wb-login-error .wb-error", timeout=WAIT_MS)
    assert "password" in error.inner_text().lower()
    assert browser_page.input_value(".wb-login-password input") == ""

    _login(browser_page, "picker")
    browser_page.wait_for_selector(".wb-picker", timeout=WAIT_MS)
    offered = sorted(
        t.strip()
        for t in browser_page.locator(".wb-picker button[class*='wb-persona-']").all_inner_texts()
    )
    assert offered == ["Procurement Specialist", "Warehouse Manager"]
    assert browser_page.locator("button.wb-persona-field_engineer").count() == 0

    browser_page.click(".wb-picker button.wb-logout")
    browser_page.wait_for_selector(".wb-login-username input", state="visible", timeout=WAIT_MS)
    assert browser_page.input_value(".wb-login-username input") == ""
    _assert_offline(requests, browser_page)


def test_persona_dashboards_end_to_end(page: PageAndLog, voila_server: RunningServer) -> None:
    browser_page, requests = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _open(browser_page, voila_server)
    _login(browser_page, "analyst")
    browser_page.click("button.wb-persona-warehouse_manager")
    browser_page.wait_for_selector(".wb-dashboard-warehouse_manager", timeout=WAIT_MS)
    # KPI tiles are computed on load (the busy indicator disappears when they are).
    browser_page.wait_for_selector(".wb-busy-indicator", state="detached", timeout=WAIT_MS)
    tiles = browser_page.locator(".wb-kpi-value").all_inner_texts()
    assert len(tiles) == 3 and all(t not in {"…", "", "—"} for t in tiles), tiles

    # Ask: answer sentence, table and a chart.
    _ask(browser_page, QUESTION)
    browser_page.wait_for_selector(".wb-answer-text p", timeout=WAIT_MS)
    browser_page.wait_for_selector(".wb-results table", timeout=WAIT_MS)
    assert browser_page.inner_text(".wb-answer-text").strip()
    table = _table(browser_page)
    assert len(table) >= 2
    chart = browser_page.wait_for_selector("img.wb-chart", state="visible", timeout=WAIT_MS)
    assert chart.bounding_box()["height"] > 50  # type: ignore[index]

    # CSV download: the full result equals the table shown.
    with browser_page.expect_download(timeout=WAIT_MS) as info:
        browser_page.click("a.wb-csv-link")
    downloaded = pd.read_csv(info.value.path())
    href = browser_page.get_attribute("a.wb-csv-link", "href") or ""
    from_href = pd.read_csv(
        io.StringIO(base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8"))
    )
    pd.testing.assert_frame_equal(downloaded, from_href)
    assert list(downloaded.columns) == list(table.columns)
    _assert_csv_matches_table(downloaded, table)
    label = browser_page.inner_text(".wb-page-label")
    assert f"of {len(downloaded)} " in label.replace(",", ""), label

    # Show SQL.
    browser_page.click("button.wb-show-sql")
    sql = browser_page.wait_for_selector(".wb-sql pre", timeout=WAIT_MS)
    assert "select" in sql.inner_text().lower()
    browser_page.screenshot(path=str(ARTIFACTS / "dashboard-warehouse_manager.png"), full_page=True)

    # A follow-up in the same conversation, then an example question.
    _ask(browser_page, FOLLOW_UP)
    browser_page.wait_for_function(
        "() => document.querySelectorAll('button.wb-history-item').length >= 2", timeout=WAIT_MS
    )
    browser_page.wait_for_selector(".wb-results table", timeout=WAIT_MS)
    assert browser_page.locator(".wb-answer-error .wb-error").count() == 0, browser_page.inner_text(
        ".wb-answer-error"
    )
    example = browser_page.locator("button.wb-example").first
    example_text = example.inner_text().strip()
    example.click()
    browser_page.wait_for_function(
        "() => document.querySelectorAll('button.wb-history-item').length >= 3", timeout=WAIT_MS
    )
    assert browser_page.input_value(".wb-question input") == example_text
    assert _history(browser_page)[:2] == [QUESTION, FOLLOW_UP]

    # Persona switch clears the conversation; screenshot every persona's dashboard.
    for persona, label in (
        ("field_engineer", "Field Engineer"),
        ("procurement_specialist", "Procurement Specialist"),
    ):
        browser_page.select_option(".wb-persona-switch select", label=label)
        browser_page.wait_for_selector(f".wb-dashboard-{persona}", timeout=WAIT_MS)
        browser_page.wait_for_selector(".wb-history-empty", timeout=WAIT_MS)
        browser_page.wait_for_selector(".wb-busy-indicator", state="detached", timeout=WAIT_MS)
        assert _history(browser_page) == []
        browser_page.locator("button.wb-example").first.click()
        browser_page.wait_for_selector("button.wb-history-item", timeout=WAIT_MS)
        browser_page.wait_for_selector(".wb-busy-indicator", state="detached", timeout=WAIT_MS)
        browser_page.screenshot(path=str(ARTIFACTS / f"dashboard-{persona}.png"), full_page=True)

    browser_page.click(".wb-header button.wb-logout")
    browser_page.wait_for_selector(".wb-login-username input", state="visible", timeout=WAIT_MS)
    _assert_offline(requests, browser_page)
