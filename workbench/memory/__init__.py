"""Conversation memory: the last questions and answers per session, cleared on a persona change."""

from __future__ import annotations

from workbench.memory.conversation import ConversationMemory, Turn

__all__ = ["ConversationMemory", "Turn"]
