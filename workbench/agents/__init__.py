"""Agents: persona SQL agents and the specialist (tool-using) agents, all returning ``Answer``."""

from __future__ import annotations

from workbench.agents.answer import Answer, ChartSpec, Intent
from workbench.agents.base import Agent, AgentRequest

__all__ = ["Agent", "AgentRequest", "Answer", "ChartSpec", "Intent"]
