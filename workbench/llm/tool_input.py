"""Tool input from a model, made to match the tool's declared JSON schema or refused in words.

Models often send an array or object argument as a JSON *string* (``"metrics":
"[\\"revenue\\"]"``). :func:`coerce_tool_input` decodes such strings wherever the declared
schema asks for an array or an object (nested too), then validates the whole input with
jsonschema (Draft 2020-12) and returns every problem at once, so the model can correct
them in one round and a person reading the log sees them all. Nothing else is changed:
a string that does not decode to the declared type stays as it is and is reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["ToolInputProblems", "coerce_tool_input"]

_JSON_TYPES: dict[str, type | tuple[type, ...]] = {"array": list, "object": dict}


class ToolInputProblems(ValueError):
    """The input does not match the schema; ``problems`` lists each one (``path: message``)."""

    def __init__(self, tool: str, problems: list[str]) -> None:
        super().__init__(f"{tool}: " + "; ".join(problems))
        self.tool = tool
        self.problems = problems


def _declared_types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return set()


def _decode(value: Any, schema: Mapping[str, Any]) -> Any:
    if not isinstance(schema, Mapping):
        return value
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or ():
            decoded = _decode(value, option)
            if decoded is not value:
                return decoded
    types = _declared_types(schema)
    if isinstance(value, str) and types & _JSON_TYPES.keys() and "string" not in types:
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if any(isinstance(parsed, _JSON_TYPES[t]) for t in types & _JSON_TYPES.keys()):
            value = parsed
        else:
            return value
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, Mapping) else None)
            out[key] = _decode(item, sub) if sub is not None else item
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_decode(item, schema["items"]) for item in value]
    return value


def coerce_tool_input(
    tool: str, value: Any, schema: Mapping[str, Any], *, validate: bool = True
) -> dict[str, Any]:
    """``value`` decoded against ``schema`` and (unless ``validate=False``) validated.

    Raises :class:`ToolInputProblems` listing every problem.
    """
    from jsonschema import Draft202012Validator

    if isinstance(value, str):  # the whole input as one JSON string
        try:
            value = json.loads(value)
        except ValueError:
            raise ToolInputProblems(tool, ["input: not a JSON object"]) from None
    if not isinstance(value, dict):
        raise ToolInputProblems(tool, [f"input: expected an object, got {type(value).__name__}"])
    decoded = _decode(value, schema)
    if not validate:
        return dict(decoded)
    validator = Draft202012Validator(schema)
    problems = [
        f"{'.'.join(str(p) for p in error.absolute_path) or 'input'}: {error.message}"
        for error in sorted(validator.iter_errors(decoded), key=lambda e: list(map(str, e.path)))
    ]
    if problems:
        raise ToolInputProblems(tool, problems)
    return dict(decoded)
