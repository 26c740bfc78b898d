"""The tool registry: every tool's JSON-schema contract, argument validation and Converse config.

A :class:`ToolSpec` names a tool, describes it for an LLM, declares its input as JSON
Schema (used verbatim as a Bedrock Converse ``toolSpec.inputSchema.json``), says which
specialist agent owns it and which tables it reads (so a persona only gets tools over
its own tables), and points at the function that runs it: ``fn(warehouse, **arguments)
-> ToolResult``. Arguments are JSON values, so the same call runs in-process and inside
a Lambda function.

This module doubles as the default registry's API: ``registry.get(name)``,
``registry.validate(name, args)``, ``registry.call(name, args, warehouse)`` and
``registry.converse_tool_config(names)`` act on the built-in catalog.

Arguments are checked in two steps. A compiled fastjsonschema validator accepts valid
arguments in microseconds and imports in milliseconds; only arguments it rejects go to
jsonschema (Draft 2020-12), which lists *every* problem in words an LLM or a person can act
on. jsonschema is imported on that error path alone: its import builds an RFC 3987 grammar
(~1.4 s) that would otherwise be paid by the first tool call of every process and Lambda.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import fastjsonschema

from workbench.core.errors import PermissionDeniedError, ToolArgumentError, ToolError
from workbench.data.schema import PERSONA_TABLES, Persona
from workbench.tools.result import ToolResult
from workbench.warehouse.base import Warehouse

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

__all__ = [
    "AGENTS",
    "ToolFn",
    "ToolRegistry",
    "ToolSpec",
    "call",
    "converse_tool_config",
    "default_registry",
    "get",
    "names",
    "specs",
    "tools_for_persona",
    "validate",
]

ToolFn = Callable[..., ToolResult]
#: Specialist agents that own tools; each maps to one Lambda function.
AGENTS = ("inventory", "logistics", "supplier")


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its contract (name, description, JSON schema) and its implementation."""

    name: str
    description: str
    input_schema: dict[str, Any]
    fn: ToolFn
    agent: str
    #: Tables the tool reads; a persona may call it only when it may read all of them.
    tables: frozenset[str] = field(default_factory=frozenset)
    #: How result columns are shown (column -> presentation kind, ``workbench.core.present``)
    #: where the column's name alone would mislead; registered with the tool.
    columns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.agent not in AGENTS:
            raise ValueError(f"tool {self.name}: agent must be one of {AGENTS}")
        # The full Draft 2020-12 meta-schema check of the built-in catalog runs in the tests
        # (tests/test_tools_registry.py); registering compiles the schema, which rejects
        # malformed definitions.

    def to_converse(self) -> dict[str, Any]:
        """This tool as a Bedrock Converse ``tools`` entry."""
        return {
            "toolSpec": {
                "name": self.name,
                "description": self.description,
                "inputSchema": {"json": self.input_schema},
            }
        }

    def allowed_for(self, persona: Persona | str) -> bool:
        return self.tables <= PERSONA_TABLES[Persona.parse(persona)]


_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_date(value: str) -> bool:
    """The "date" format exactly as jsonschema's FormatChecker reads it (a real ISO day)."""
    if not _RE_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _compile(spec: ToolSpec) -> Callable[[Any], Any]:
    try:
        return fastjsonschema.compile(
            spec.input_schema, formats={"date": _is_date}, use_default=False
        )
    except fastjsonschema.JsonSchemaDefinitionException as exc:
        raise ValueError(f"tool {spec.name}: invalid input schema: {exc}") from exc


def _problem(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message} (allowed: {', '.join(allowed)})"
    if error.validator == "required":
        return error.message
    return f"{where or '(arguments)'}: {error.message}"


class ToolRegistry:
    """Tools by name. Lookup of an unknown name suggests the closest ones."""

    def __init__(self, tools: Iterable[ToolSpec] = ()) -> None:
        self._tools: dict[str, ToolSpec] = {}
        self._accepts: dict[str, Callable[[Any], Any]] = {}
        self._explainers: dict[str, Draft202012Validator] = {}
        for spec in tools:
            self.register(spec)

    def register(self, spec: ToolSpec) -> ToolSpec:
        if spec.name in self._tools:
            raise ValueError(f"tool {spec.name!r} is already registered")
        self._accepts[spec.name] = _compile(spec)
        self._tools[spec.name] = spec
        if spec.columns:
            from workbench.core import present

            present.register_columns(spec.columns)
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def names(self, agent: str | None = None) -> list[str]:
        return [n for n, s in self._tools.items() if agent is None or s.agent == agent]

    def specs(self, agent: str | None = None) -> list[ToolSpec]:
        return [s for s in self._tools.values() if agent is None or s.agent == agent]

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            close = difflib.get_close_matches(str(name), list(self._tools), n=3)
            hint = (
                f"Did you mean {' or '.join(close)}?"
                if close
                else f"Known tools: {', '.join(self._tools)}."
            )
            raise ToolError(
                f"There is no tool called '{name}'.", hint=hint, tool=str(name)
            ) from None

    def validate(self, name: str, arguments: Any) -> dict[str, Any]:
        """Check ``arguments`` against the tool's schema; raise ToolArgumentError listing every problem."""
        self.get(name)  # an unknown tool fails first, with did-you-mean
        if not isinstance(arguments, Mapping):
            raise ToolArgumentError(
                f"Arguments for '{name}' must be a JSON object.",
                tool=name,
                problems=[f"got {type(arguments).__name__}"],
            )
        args = dict(arguments)
        try:
            self._accepts[name](args)
        except fastjsonschema.JsonSchemaValueException:
            problems = self._problems(name, args)
            if problems:
                raise ToolArgumentError(
                    f"Invalid arguments for '{name}': {'; '.join(problems)}",
                    tool=name,
                    problems=problems,
                ) from None
        return args

    def _problems(self, name: str, arguments: dict[str, Any]) -> list[str]:
        """Every problem jsonschema finds, in a stable order (imported here, on errors only)."""
        explainer = self._explainers.get(name)
        if explainer is None:
            from jsonschema import Draft202012Validator, FormatChecker

            explainer = Draft202012Validator(
                self._tools[name].input_schema, format_checker=FormatChecker()
            )
            self._explainers[name] = explainer
        errors = sorted(
            explainer.iter_errors(arguments), key=lambda e: (list(e.absolute_path), e.message)
        )
        return [_problem(e) for e in errors]

    def call(
        self,
        name: str,
        arguments: Mapping[str, Any],
        warehouse: Warehouse,
        *,
        persona: Persona | str | None = None,
    ) -> ToolResult:
        """Validate and run a tool; with ``persona``, refuse tools over tables it may not read."""
        spec = self.get(name)
        args = self.validate(name, arguments)
        if persona is not None and not spec.allowed_for(persona):
            who = Persona.parse(persona)
            raise PermissionDeniedError(
                f"The {who.label} persona cannot use '{name}': it reads {', '.join(sorted(spec.tables - PERSONA_TABLES[who]))}.",
                tool=name,
                persona=who.value,
            )
        return spec.fn(warehouse, **args)

    def converse_tool_config(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """``{"tools": [{"toolSpec": ...}, ...]}`` for Bedrock Converse ``toolConfig``."""
        chosen = list(self._tools) if names is None else list(names)
        return {"tools": [self.get(n).to_converse() for n in chosen]}

    def tools_for_persona(self, persona: Persona | str, agent: str | None = None) -> list[str]:
        return [s.name for s in self.specs(agent) if s.allowed_for(persona)]


_DEFAULT = ToolRegistry()
_LOAD_LOCK = threading.Lock()


def default_registry() -> ToolRegistry:
    """The registry holding the built-in catalog (loaded on first use)."""
    if not len(_DEFAULT):
        with _LOAD_LOCK:
            if not len(_DEFAULT):
                from workbench.tools import catalog

                for spec in catalog.CATALOG:
                    _DEFAULT.register(spec)
    return _DEFAULT


def get(name: str) -> ToolSpec:
    return default_registry().get(name)


def validate(name: str, arguments: Any) -> dict[str, Any]:
    return default_registry().validate(name, arguments)


def call(
    name: str,
    arguments: Mapping[str, Any],
    warehouse: Warehouse,
    *,
    persona: Persona | str | None = None,
) -> ToolResult:
    return default_registry().call(name, arguments, warehouse, persona=persona)


def converse_tool_config(names: Iterable[str] | None = None) -> dict[str, Any]:
    return default_registry().converse_tool_config(names)


def names(agent: str | None = None) -> list[str]:
    return default_registry().names(agent)


def specs(agent: str | None = None) -> list[ToolSpec]:
    return default_registry().specs(agent)


def tools_for_persona(persona: Persona | str, agent: str | None = None) -> list[str]:
    return default_registry().tools_for_persona(persona, agent)
