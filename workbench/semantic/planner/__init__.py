"""Question planners: business language -> QueryPlan. The offline planner is the embedded default."""

from __future__ import annotations

from workbench.semantic.planner.offline import OfflinePlanner, is_followup
from workbench.semantic.planner.screen import (
    MAX_QUESTION_CHARS,
    ActionNotSupportedError,
    EmptyQuestionError,
    InstructionsIgnoredError,
    OutOfScopeError,
    QuestionTooLongError,
    SqlInQuestionError,
    screen_question,
)

__all__ = [
    "MAX_QUESTION_CHARS",
    "ActionNotSupportedError",
    "EmptyQuestionError",
    "InstructionsIgnoredError",
    "OfflinePlanner",
    "OutOfScopeError",
    "QuestionTooLongError",
    "SqlInQuestionError",
    "is_followup",
    "screen_question",
]
