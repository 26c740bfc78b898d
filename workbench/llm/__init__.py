"""LLM backends behind one port: the offline planner and Amazon Bedrock (Converse API)."""

from __future__ import annotations

from workbench.llm.base import (
    Llm,
    PlanOutcome,
    PlanRequest,
    ToolCall,
    available_llms,
    create_llm,
    register_llm,
)

__all__ = [
    "Llm",
    "PlanOutcome",
    "PlanRequest",
    "ToolCall",
    "available_llms",
    "create_llm",
    "register_llm",
]
