"""First look at a question: empty, too long, SQL, or an attempt to change the rules.

These get a clear, safe answer before any understanding is attempted, and nothing runs.
"""

from __future__ import annotations

import re
import unicodedata

from workbench.core.errors import NotUnderstoodError

__all__ = [
    "MAX_QUESTION_CHARS",
    "ActionNotSupportedError",
    "EmptyQuestionError",
    "InstructionsIgnoredError",
    "OutOfScopeError",
    "QuestionTooLongError",
    "SqlInQuestionError",
    "clean_question",
    "screen_question",
]

MAX_QUESTION_CHARS = 1000


class EmptyQuestionError(NotUnderstoodError):
    code = "empty_question"


class QuestionTooLongError(NotUnderstoodError):
    code = "question_too_long"


class SqlInQuestionError(NotUnderstoodError):
    code = "sql_not_allowed"


class InstructionsIgnoredError(NotUnderstoodError):
    code = "instructions_ignored"


class OutOfScopeError(NotUnderstoodError):
    code = "out_of_scope"


_SQL_START = re.compile(
    r"^\s*(select|with|insert|update|delete|drop|create|alter|truncate|grant|revoke|merge|copy|attach|detach|pragma|call|exec|execute|install|load|vacuum|set|use|explain|describe)\b",
    re.I,
)
_SQL_STRONG = re.compile(
    r"select\s+(\*|distinct\b|count\s*\()|\bdrop\s+(table|view|schema|database)\b|\bdelete\s+from\b|\binsert\s+into\b"
    r"|\bupdate\s+\w+\s+set\b|\btruncate\s+table\b|\balter\s+table\b|\bcreate\s+(table|view|schema|index)\b"
    r"|\bunion\s+(all\s+)?select\b|--|/\*|\bcopy\s+\w+\s+(to|from)\b|\bread_(csv|parquet|json)\w*\s*\(|\binformation_schema\b",
    re.I,
)
_SQL_TABLES = re.compile(
    r"\b(warehouse_product|sales_order_(header|line)|purchase_order_(header|line))\b", re.I
)
_SQL_FROM = re.compile(
    r"\bfrom\s+[a-z_][\w.]*\s*(where|group\s+by|order\s+by|join|limit|;|$)", re.I
)

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass|skip)\b.{0,40}\b(instructions?|prompts?|rules|directions|guard(rails?)?|restrictions?|safety|filters?|persona|context|above|everything)\b"
    r"|\b(reveal|show|print|display|repeat|output|leak|tell me)\b.{0,30}\b(system\s+prompt|your\s+(prompt|instructions|rules)|hidden\s+instructions|credentials?|passwords?|api\s*keys?|secrets?|tokens?)\b"
    r"|\byou\s+are\s+now\b|\bact\s+as\b|\bpretend\s+(to\s+be|you\s+are)\b|\bjailbreak\b|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b"
    r"|\bnew\s+instructions\b|\bsystem\s*:\s|\b(as|with)\s+(admin|root|superuser)\s+(rights|privileges|access)\b|\bsudo\b"
    r"|\bswitch\s+(to\s+)?(the\s+)?persona\b|\bchange\s+(my|the|your)\s+persona\b",
    re.I | re.S,
)


class ActionNotSupportedError(NotUnderstoodError):
    code = "action_not_supported"


# Requests to change data or act, not to read: answered with what the workbench can do instead.
_ACTION = re.compile(
    r"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+|pls\s+)?(delete|remove|update|modify|insert|cancel|email|e-mail|send|approve|"
    r"create|move|transfer|drop|truncate|reset|overwrite|erase|edit|write|save|upload|import|place)\b",
    re.I,
)


def clean_question(text: str) -> str:
    """Normalize Unicode and drop control characters (keeps the words as typed)."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch if ch.isprintable() or ch == " " else " " for ch in text).strip()


def _sql_score(text: str) -> int:
    score = 0
    if _SQL_START.search(text):
        score += 2
    if ";" in text:
        score += 2
    if _SQL_STRONG.search(text):
        score += 2
    if _SQL_TABLES.search(text):
        score += 2
    if _SQL_FROM.search(text):
        score += 1
    return score


def screen_question(text: str, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The cleaned question, or a NotUnderstoodError subclass saying why it is not answered."""
    if text is None or not str(text).strip():
        raise EmptyQuestionError(
            "Please type a question, for example: 'How many orders are overdue?'"
        )
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"The question is too long ({len(text):,} characters). Ask one question in under {max_chars:,} characters.",
            length=len(text),
        )
    question = clean_question(text)
    if not question:
        raise EmptyQuestionError(
            "Please type a question, for example: 'How many orders are overdue?'"
        )
    if _INJECTION.search(question):
        raise InstructionsIgnoredError(
            "I can only answer questions about the supply-chain data. Requests to change my instructions, "
            "persona or safety rules, or to reveal internal settings, are ignored."
        )
    action = _ACTION.search(question)
    if action and _sql_score(question) < 3:
        raise ActionNotSupportedError(
            f"I can only read and explain the data; I can't {action.group(1).lower()} anything, and nothing was changed. "
            "Ask a question instead, for example 'Which orders are overdue?'"
        )
    if _sql_score(question) >= 3:
        raise SqlInQuestionError(
            "This looks like SQL. Ask in plain English (e.g. 'Which products are out of stock?'), "
            "or run read-only SQL with 'workbench sql' or Workbench.sql(); nothing was run."
        )
    return question
