"""The offline "LLM": the deterministic planner behind the LLM port (no network, no tokens).

It lets every code path that takes an :class:`~workbench.llm.base.Llm` run offline, and is
what ``planner.mode: offline`` uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.llm.base import PlanOutcome, PlanRequest, register_llm

if TYPE_CHECKING:
    from workbench.core.config import Settings


class OfflineLlm:
    name = "offline"

    def __init__(self, planner: Any) -> None:
        self.planner = planner

    def plan(self, request: PlanRequest) -> PlanOutcome:
        plan = self.planner.plan(
            request.question,
            persona=request.persona,
            as_of=request.as_of,
            previous=request.previous,
        )
        return PlanOutcome(backend=self.name, plan=plan, rounds=0)


@register_llm("offline")
def _offline_factory(
    settings: Settings, *, warehouse: Any = None, model: Any = None, planner: Any = None, **_: Any
) -> OfflineLlm:
    if planner is None:
        from workbench.semantic.planner.offline import OfflinePlanner

        planner = (
            OfflinePlanner.for_warehouse(warehouse, model)
            if warehouse is not None
            else OfflinePlanner(model)
        )
    return OfflineLlm(planner)
