"""The system prompt for the Bedrock planner: small, and only what the persona may see.

It names the persona and "today", lists the persona's tables with their descriptions (from
the configured schema provider: the Glue Data Catalog on Athena, the warehouse catalog
otherwise) and the semantic model's vocabulary the persona may use. Tool schemas carry the
exact names, so the prompt stays short: it is sent with every question.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.warehouse.base import TableInfo

#: Upper bound on the system prompt, in characters (about 2,000 tokens).
MAX_PROMPT_CHARS = 8_000
_MAX_DESCRIPTION = 70


def _short(text: str, limit: int = _MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def schema_text(tables: list[TableInfo], persona: Persona) -> str:
    """One line per table and one short line per column, only the persona's tables."""
    allowed = PERSONA_TABLES[persona]
    lines = []
    for table in sorted((t for t in tables if t.name in allowed), key=lambda t: t.name):
        lines.append(f"- {table.name}: {_short(table.description, 120)}")
        cols = [
            f"{c.name} ({c.type.lower()}){': ' + _short(c.description) if c.description else ''}"
            for c in table.columns
        ]
        lines.append("    " + "; ".join(cols))
    return "\n".join(lines)


def vocabulary_text(model: Any, persona: Persona) -> str:
    """The persona's metrics, conditions and listings by name and label."""
    metrics = model.metrics_for(persona)
    allowed = PERSONA_TABLES[persona]
    conditions = [n for n in model.conditions if model.condition_tables(n) <= allowed]
    listings = [n for n in model.listings if model.listing_tables(n) <= allowed]
    return "\n".join(
        [
            "Metrics: " + "; ".join(f"{n} ({model.metrics[n].label})" for n in metrics),
            "Conditions: " + "; ".join(f"{n} ({model.conditions[n].label})" for n in conditions),
            "Listings: " + "; ".join(f"{n} ({model.listings[n].label})" for n in listings),
        ]
    )


def system_prompt(
    *, persona: Persona, as_of: dt.date, tables: list[TableInfo], model: Any, dialect: str
) -> str:
    """The system prompt for one persona and day."""
    text = f"""You turn supply-chain questions from a {persona.label} into queries.
Today is {as_of.isoformat()} ({as_of.strftime("%A")}). "Last N days" means the N days ending today, inclusive; "last month" is the previous calendar month.
Always answer by calling a tool, never with prose:
1. plan_query: fill a query plan with the metrics, dimensions, filters, conditions and time window the question needs. Prefer it whenever the plan can express the question.
2. run_sql: only when no plan can express it: one read-only SELECT in the {dialect} SQL dialect over the tables below. It is checked before it runs; other tables are refused.
3. A calculation tool, when the question asks for a calculation (order quantities, forecasts, routes, supplier scores).
If a tool returns an error, correct the call once. If the question cannot be answered from these tables, call no tool and say so in one sentence.

Tables the {persona.label} may read:
{schema_text(tables, persona)}

Business vocabulary (use these names in plans):
{vocabulary_text(model, persona)}"""
    if len(text) > MAX_PROMPT_CHARS:
        text = text[: MAX_PROMPT_CHARS - 1] + "…"
    return text
