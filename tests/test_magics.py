"""The IPython extension in a real (in-process) InteractiveShell: %%sql, %ask, %workbench."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import AS_OF
from workbench.agents.answer import Answer
from workbench.notebook.magics import split_options


@pytest.fixture(scope="module")
def shell(sample_home: Path) -> Iterator[Any]:
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    ip.run_line_magic("workbench", f"--home {sample_home}")
    yield ip
    state = ip.user_ns["_workbench_magics"]
    if state._workbench is not None:
        state._workbench.close()
    InteractiveShell.clear_instance()


def test_load_ext_registers_the_magics(shell: Any) -> None:
    assert "sql" in shell.magics_manager.magics["cell"]
    assert {"ask", "workbench"} <= set(shell.magics_manager.magics["line"])


def test_sql_cell_returns_a_dataframe(shell: Any) -> None:
    frame = shell.run_cell_magic("sql", "", "SELECT count(*) AS n FROM warehouse")
    assert isinstance(frame, pd.DataFrame) and frame["n"].tolist() == [3]
    result = shell.run_cell(
        "%%sql -o stock\nSELECT warehouse_id, sum(quantity_on_hand) AS units FROM warehouse_product GROUP BY 1 ORDER BY 1"
    )
    assert result.success
    assert isinstance(result.result, pd.DataFrame)
    assert shell.user_ns["stock"]["warehouse_id"].tolist() == ["WH-CENTRAL", "WH-EAST", "WH-WEST"]


def test_sql_is_guarded(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.run_cell_magic("sql", "", "DELETE FROM product") is None
    assert "Error:" in capsys.readouterr().err
    # The field engineer may not read purchase orders.
    assert (
        shell.run_cell_magic(
            "sql", "--persona field_engineer", "SELECT * FROM purchase_order_header"
        )
        is None
    )
    err = capsys.readouterr().err
    assert "Error:" in err and "purchase_order_header" in err
    assert shell.run_cell_magic("sql", "", "SELECT * FROM read_csv('/etc/passwd')") is None
    assert "Error:" in capsys.readouterr().err


def test_ask_returns_the_answer_and_displays_it_richly(shell: Any, workbench: Any) -> None:
    answer = shell.run_line_magic(
        "ask", "--persona warehouse_manager What is the inventory value by warehouse?"
    )
    assert isinstance(answer, Answer) and answer.ok
    expected = workbench.ask(
        "What is the inventory value by warehouse?", "warehouse_manager", as_of=AS_OF
    )
    pd.testing.assert_frame_equal(
        answer.frame.reset_index(drop=True), expected.frame.reset_index(drop=True)
    )
    data, _ = shell.display_formatter.format(answer)
    html = data["text/html"]
    assert answer.answer.split(" ")[0] in html
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in html
    assert "<table" in html and "local, no charge" in html and f"as of {AS_OF.isoformat()}" in html


def test_ask_keeps_apostrophes_and_shows_errors(shell: Any) -> None:
    answer = shell.run_line_magic("ask", "--persona field_engineer what's our spend by supplier?")
    assert answer.question == "what's our spend by supplier?"
    assert not answer.ok
    html = shell.display_formatter.format(answer)[0]["text/html"]
    assert "color:#a40000" in html


def test_ask_cell_form_keeps_the_question_mark(shell: Any) -> None:
    result = shell.run_cell("%%ask --persona field_engineer\nHow many orders are overdue?")
    assert result.success and isinstance(result.result, Answer)
    assert result.result.question == "How many orders are overdue?" and result.result.ok


def test_default_persona_is_configurable(shell: Any) -> None:
    state = shell.run_line_magic("workbench", "--persona procurement_specialist")
    assert state["persona"] == "procurement_specialist"
    answer = shell.run_line_magic("ask", "How many pending purchase orders are there?")
    assert answer.ok, answer.error
    assert str(getattr(answer.persona, "value", answer.persona)) == "procurement_specialist"
    shell.run_line_magic("workbench", "--persona warehouse_manager")


def test_split_options_keeps_the_question_as_typed() -> None:
    assert split_options("--persona field_engineer --as-of 2026-06-01 how's it going") == (
        "--persona field_engineer --as-of 2026-06-01",
        "how's it going",
    )
    assert split_options("--out=x") == ("--out=x", "")
    assert split_options("what's up") == ("", "what's up")


def test_sql_reads_as_the_session_persona_and_refuses_unknown_options(
    shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("workbench", "--persona warehouse_manager")
    # The warehouse manager may not read suppliers, so neither may their %%sql.
    assert shell.run_cell_magic("sql", "", "SELECT supplier_name FROM supplier") is None
    err = capsys.readouterr().err
    assert "Error:" in err and "supplier" in err
    # Another persona only when named.
    frame = shell.run_cell_magic(
        "sql", "--persona procurement_specialist", "SELECT count(*) AS n FROM supplier"
    )
    assert int(frame["n"].iloc[0]) > 0
    # A mistyped option is an error, not a silent read of every table.
    assert shell.run_cell_magic("sql", "--Persona procurement_specialist", "SELECT 1") is None
    assert "unrecognized arguments: --Persona" in capsys.readouterr().err
    assert shell.run_line_magic("ask", "--personna x how many orders") is None
    assert "unrecognized arguments" in capsys.readouterr().err


def test_ask_keeps_the_conversation(shell: Any) -> None:
    shell.run_line_magic("workbench", "--persona warehouse_manager")
    first = shell.run_line_magic("ask", "revenue by warehouse last month")
    assert first.ok, first.error
    follow = shell.run_cell("%%ask\nand the month before?").result
    assert follow.ok, follow.error
    assert follow.plan.time_window.start.isoformat() == "2026-04-01"
    # A new persona starts a new conversation.
    shell.run_line_magic("workbench", "--persona warehouse_manager")
    assert not shell.run_line_magic("ask", "and the month before").ok


def test_displays_round_floats_but_the_frame_stays_exact(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rounding is presentation: the notebook HTML reads like the dashboard (presentation
    layer: a score with 2 decimals, spend in dollars); the CLI table shows 2 decimals."""
    from workbench.cli.common import output_frame
    from workbench.notebook.display import answer_html

    frame = pd.DataFrame({"supplier": ["S001"], "score": [0.876543], "spend": [1234567.891]})
    answer = Answer(question="q", persona="procurement_specialist", frame=frame, answer="ok")
    html = answer_html(answer)
    assert "0.88" in html and "$1,234,568" in html and "0.876543" not in html
    output_frame(frame, "table", decimals=2)
    table = capsys.readouterr().out
    assert "0.88" in table and "1,234,567.89" in table
    output_frame(frame, "json")
    assert "0.876543" in capsys.readouterr().out
    assert answer.frame["score"].iloc[0] == 0.876543


def test_a_notebook_answer_shows_how_the_question_was_read_first(workbench) -> None:  # type: ignore[no-untyped-def]
    from workbench.notebook.display import answer_html

    answer = workbench.ask("revenue by warehouse last month", "warehouse_manager")
    html = answer_html(answer)
    read = html.index("Read as: Revenue by warehouse")
    assert "2026-05-01 to 2026-05-31" in html and read < html.index(answer.answer[:20])
