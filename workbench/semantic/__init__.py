"""The semantic layer: business vocabulary, metrics and the question planner."""

from __future__ import annotations

from workbench.semantic.entities import EntityIndex, EntityMatch
from workbench.semantic.time import TimeWindow, find_time_window, parse_time_window

__all__ = ["EntityIndex", "EntityMatch", "TimeWindow", "find_time_window", "parse_time_window"]
