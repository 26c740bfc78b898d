"""The specialist agents: Inventory, Logistics and Supplier, each answering with its tools.

``SPECIALISTS`` maps the short names the router uses (inventory, logistics, supplier) to
the classes; ``specialist_for(persona)`` gives a persona's usual specialist (warehouse
manager → Inventory, field engineer → Logistics, procurement specialist → Supplier);
``can_handle(question)`` scores how strongly a question asks for each one's calculations.
A specialist still refuses a tool over tables the persona may not read, whoever routed to it.
"""

from __future__ import annotations

from typing import Any

from workbench.agents.specialists.base import (
    Presentation,
    QuestionContext,
    SpecialistAgent,
    ToolCall,
    understand,
)
from workbench.agents.specialists.inventory import InventorySpecialist
from workbench.agents.specialists.logistics import LogisticsSpecialist
from workbench.agents.specialists.supplier import SupplierSpecialist
from workbench.data.schema import Persona

__all__ = [
    "SPECIALISTS",
    "SPECIALIST_FOR_PERSONA",
    "InventorySpecialist",
    "LogisticsSpecialist",
    "Presentation",
    "QuestionContext",
    "SpecialistAgent",
    "SupplierSpecialist",
    "ToolCall",
    "can_handle",
    "create_specialist",
    "specialist_for",
    "understand",
]

SPECIALISTS: dict[str, type[SpecialistAgent]] = {
    "inventory": InventorySpecialist,
    "logistics": LogisticsSpecialist,
    "supplier": SupplierSpecialist,
}
SPECIALIST_FOR_PERSONA: dict[Persona, type[SpecialistAgent]] = {
    Persona.WAREHOUSE_MANAGER: InventorySpecialist,
    Persona.FIELD_ENGINEER: LogisticsSpecialist,
    Persona.PROCUREMENT_SPECIALIST: SupplierSpecialist,
}


def specialist_for(persona: Persona | str) -> type[SpecialistAgent]:
    """The specialist a persona usually needs."""
    return SPECIALIST_FOR_PERSONA[Persona.parse(persona)]


def can_handle(question: str) -> dict[str, float]:
    """Score 0..1 per specialist name: how strongly the question asks for its calculations."""
    return {name: cls.can_handle(question) for name, cls in SPECIALISTS.items()}


def create_specialist(
    name: str, warehouse: Any, invoker: Any, entities: Any = None
) -> SpecialistAgent:
    """A specialist by short name (inventory, logistics, supplier)."""
    try:
        cls = SPECIALISTS[name]
    except KeyError:
        raise ValueError(
            f"unknown specialist {name!r}; choose from {', '.join(SPECIALISTS)}"
        ) from None
    return cls(warehouse, invoker, entities)
