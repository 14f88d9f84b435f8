"""Input mappings: process input field -> JMESPath expression over the event body.

A nested object in the mapping builds a nested input (``{"fields": {"email": "data.email"}}``).
An expression that finds nothing leaves the field out, so the process input model either applies
its default or names the field as missing.
"""

from __future__ import annotations

from typing import Any

import jmespath
import jmespath.exceptions
from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter

# ParsedResult.search builds a TreeInterpreter (and its function table) for every call: a third
# of the ingest path's own CPU at 50 webhooks/s. The interpreter keeps no state between visits.
_INTERPRETER = TreeInterpreter()


def search(expression: ParsedResult, value: Any) -> Any:
    """``expression.search(value)``, without building an interpreter each time."""
    return _INTERPRETER.visit(expression.parsed, value)


class MappingError(ValueError):
    """A mapping is not usable; ``field`` names the mapping key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


CompiledMapping = dict[str, "ParsedResult | CompiledMapping"]


def compile_mapping(mapping: dict[str, Any], prefix: str = "input_mapping") -> CompiledMapping:
    compiled: CompiledMapping = {}
    for key, value in mapping.items():
        where = f"{prefix}.{key}"
        if isinstance(value, dict):
            compiled[key] = compile_mapping(value, where)
        elif isinstance(value, str):
            try:
                compiled[key] = jmespath.compile(value)
            except jmespath.exceptions.JMESPathError as exc:
                raise MappingError(where, f"not a JMESPath expression: {exc}") from None
        else:
            raise MappingError(where, "must be a JMESPath expression string or an object")
    return compiled


def apply_mapping(compiled: CompiledMapping, body: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, expression in compiled.items():
        if isinstance(expression, dict):
            value: Any = apply_mapping(expression, body)
            if not value:
                continue
        else:
            value = search(expression, body)
            if value is None:
                continue
        out[key] = value
    return out
