"""Agents: persona SQL agents and the specialist (tool-using) agents, all returning ``Answer``."""

from __future__ import annotations

from workbench.agents.answer import Answer, ChartSpec, Intent

__all__ = ["Answer", "ChartSpec", "Intent"]
