"""Conversation memory: the last few questions and answers of each session, for follow-ups.

A follow-up ("what about this month?", "only the express ones") refines the previous plan,
so the orchestrator passes the last answer of the same session and persona to the agent as
``AgentRequest.previous``. Memory is per session id; a new session id starts empty, and a
session whose persona changes is cleared first, because a Procurement Specialist must never
refine a plan built for a Warehouse Manager (different tables, different meaning).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.agents.answer import Answer, Intent

#: Characters of the answer sentence kept in a turn's summary.
SUMMARY_CHARS = 500


@dataclass(frozen=True)
class Turn:
    """One question and its answer within a session."""

    question: str
    persona: str
    answer: Answer
    at: float

    @property
    def plan(self) -> Any:
        return self.answer.plan

    @property
    def intent(self) -> Intent | None:
        return self.answer.intent

    @property
    def agent(self) -> str | None:
        return self.answer.agent

    @property
    def summary(self) -> str:
        """The answer sentence (or the error), shortened; what a transcript shows."""
        text = self.answer.answer if self.answer.error is None else f"Error: {self.answer.error}"
        return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan.to_dict() if hasattr(self.plan, "to_dict") else self.plan
        return {
            "question": self.question,
            "persona": self.persona,
            "intent": self.intent.value if self.intent else None,
            "agent": self.agent,
            "summary": self.summary,
            "plan": plan,
            "rows": len(self.answer.frame) if self.answer.frame is not None else 0,
            "at": self.at,
        }


class _Session:
    __slots__ = ("persona", "turns")

    def __init__(self, persona: str, max_turns: int) -> None:
        self.persona = persona
        self.turns: deque[Turn] = deque(maxlen=max_turns)


def _persona_id(persona: Any) -> str:
    return str(getattr(persona, "value", persona))


class ConversationMemory:
    """Per-session history of the last ``max_turns`` turns (thread-safe).

    At most ``max_sessions`` sessions are kept; the least recently used one is forgotten
    first, so a long-running server does not grow without bound.
    """

    def __init__(
        self,
        max_turns: int = 10,
        *,
        max_sessions: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_turns < 1 or max_sessions < 1:
            raise ValueError("max_turns and max_sessions must be at least 1")
        self.max_turns = max_turns
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, session_id: str, persona: Any, question: str, answer: Answer) -> Turn:
        """Append a turn; a persona different from the session's clears the session first."""
        persona_id = _persona_id(persona)
        turn = Turn(question=question, persona=persona_id, answer=answer, at=self._clock())
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.persona != persona_id:
                session = _Session(persona_id, self.max_turns)
                self._sessions[session_id] = session
            session.turns.append(turn)
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        return turn

    def last(self, session_id: str | None, persona: Any = None) -> Turn | None:
        """The latest turn of the session, or None; asking as another persona clears the session."""
        if session_id is None:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if persona is not None and session.persona != _persona_id(persona):
                del self._sessions[session_id]
                return None
            self._sessions.move_to_end(session_id)
            return session.turns[-1] if session.turns else None

    def previous_answer(self, session_id: str | None, persona: Any) -> Answer | None:
        """The last successful answer of the session for this persona (what a follow-up refines)."""
        if session_id is None:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if session.persona != _persona_id(persona):
                del self._sessions[session_id]
                return None
            for turn in reversed(session.turns):
                if turn.answer.error is None:
                    return turn.answer
            return None

    def history(self, session_id: str | None) -> list[Turn]:
        """The session's turns, oldest first (at most ``max_turns``)."""
        if session_id is None:
            return []
        with self._lock:
            session = self._sessions.get(session_id)
            return list(session.turns) if session else []

    def persona_of(self, session_id: str) -> str | None:
        with self._lock:
            session = self._sessions.get(session_id)
            return session.persona if session else None

    def clear(self, session_id: str | None = None) -> None:
        """Forget one session, or every session when ``session_id`` is None."""
        with self._lock:
            if session_id is None:
                self._sessions.clear()
            else:
                self._sessions.pop(session_id, None)

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._sessions)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
