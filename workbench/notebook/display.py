"""Rich notebook display of an :class:`~workbench.agents.answer.Answer` (sentence, table, chart, cost).

Kept out of ``answer.py`` so the agents stay free of presentation code; the IPython
extension registers :func:`answer_html` as the ``text/html`` formatter for ``Answer``.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from workbench.core import present

__all__ = ["answer_html", "format_float"]

MAX_ROWS = 20


def format_float(value: float) -> str:
    """How a float cell is shown to people (the presentation layer; the frame stays exact)."""
    return present.number(value)


def _cost_line(answer: Any) -> str:
    cost = answer.cost
    spent, would = present.local_cost(cost.total, cost.aws_equivalent_total)
    parts = [spent, f"on AWS {would}", present.duration(answer.duration_ms)]
    if answer.cached:
        parts.append("cached")
    if answer.agent:
        parts.append(f"agent {answer.agent}")
    if answer.as_of:
        parts.append(f"as of {present.date(answer.as_of)}")
    return " · ".join(parts)


def answer_html(answer: Any) -> str:
    """HTML for one answer: what a business user reads first comes first."""
    out = ['<div class="wb-answer">']
    if answer.error:
        out.append(f'<p style="color:#a40000"><strong>{html.escape(answer.error)}</strong></p>')
        if answer.suggestions:
            items = "".join(f"<li>{html.escape(s)}</li>" for s in answer.suggestions)
            out.append(f"<p>You could ask:</p><ul>{items}</ul>")
    else:
        read = getattr(answer, "interpretation", None)
        if read is not None and read.text:
            # How the question was read, first: the measure, filters, period, order, limit.
            out.append(
                f'<p style="color:#444;font-size:small">Read as: {html.escape(read.text)}</p>'
            )
        out.append(f"<p><strong>{html.escape(answer.answer or '')}</strong></p>")
        frame = answer.frame
        if frame is not None and not frame.empty:
            from workbench.ui.charts import choose_chart, render_chart

            png = render_chart(frame, choose_chart(frame, answer.chart))
            if png:
                data = base64.b64encode(png).decode("ascii")
                out.append(f'<img src="data:image/png;base64,{data}" alt="chart"/>')
            shown = present.display_frame(frame.head(MAX_ROWS))
            out.append(f'<div style="overflow-x:auto">{shown.to_html(index=False, border=0)}</div>')
            if len(frame) > MAX_ROWS:
                out.append(
                    f"<p><em>First {MAX_ROWS} of {present.count(len(frame), 'row')} "
                    "(answer.frame has all).</em></p>"
                )
    out.append(f'<p style="color:#666;font-size:small">{html.escape(_cost_line(answer))}</p></div>')
    return "".join(out)
