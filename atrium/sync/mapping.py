"""Declarative mappings from a system's records to the canonical model.

A spec says, per canonical field, where its value comes from (a JMESPath expression over the
source record), how raw values translate (value maps: role codes, grade scales), and what to use
when nothing is there (defaults). The result is validated with the canonical pydantic model, so a
record either maps to a valid canonical record or fails with a reason naming the field.

Plain paths such as ``sourcedId`` or ``user.sourcedId`` are the common case and are evaluated as
dictionary lookups (parsed by jmespath, then read directly): a million records per sync cannot
afford a tree-walking interpreter per field. Anything else is evaluated by jmespath itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from connectors.canonical import models as canonical

RECORD_TYPES: dict[str, type[canonical.Record]] = {
    "orgs": canonical.Org,
    "academicSessions": canonical.AcademicSession,
    "users": canonical.Person,
    "courses": canonical.Course,
    "classes": canonical.Class,
    "enrollments": canonical.Enrollment,
    "lineItems": canonical.LineItem,
    "results": canonical.Result,
}
MISSING = object()
Getter = Callable[[dict[str, Any]], Any]


class MappingError(ValueError):
    """A record that cannot be mapped; ``stage`` is mapping or validation."""

    def __init__(self, message: str, *, stage: str = "mapping") -> None:
        super().__init__(message)
        self.stage = stage


class MappingSpec(BaseModel):
    """What a stored mapping says. Keys of every dict are canonical field names."""

    fields: dict[str, str] = Field(description="canonical field -> JMESPath over the source")
    defaults: dict[str, Any] = Field(default_factory=dict)
    value_maps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    strict_value_maps: bool = Field(
        True, description="a value missing from a field's value map fails the record"
    )

    @field_validator("fields")
    @classmethod
    def _expressions_parse(cls, fields: dict[str, str]) -> dict[str, str]:
        for name, expression in fields.items():
            try:
                jmespath.compile(expression)
            except JMESPathError as exc:
                raise ValueError(f"{name}: not a JMESPath expression: {exc}") from None
        return fields


def _getter(expression: str) -> Getter:
    parsed = jmespath.compile(expression).parsed
    path = _plain_path(dict(parsed))
    if path is None:
        compiled = jmespath.compile(expression)
        return compiled.search
    if len(path) == 1:
        key = path[0]
        return lambda record: record.get(key)

    def walk(record: dict[str, Any]) -> Any:
        value: Any = record
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return walk


def _plain_path(node: dict[str, Any]) -> list[str] | None:
    if node["type"] == "field":
        return [node["value"]]
    if node["type"] == "subexpression":
        parts = [_plain_path(child) for child in node["children"]]
        if all(p is not None for p in parts):
            return [key for part in parts for key in part or []]
    return None


class CompiledMapping:
    """A spec ready to apply to many records of one record type."""

    def __init__(self, spec: MappingSpec, record_type: str, label: str = "") -> None:
        if record_type not in RECORD_TYPES:
            raise ValueError(f"record_type: unknown {record_type!r}; known: {sorted(RECORD_TYPES)}")
        self.spec = spec
        self.record_type = record_type
        # Which mapping version this is, kept with each record it writes (lineage):
        # ``<name>@<version>`` for a stored one, ``builtin:<record type>`` for the built-in one.
        self.label = label or f"builtin:{record_type}"
        self.model = RECORD_TYPES[record_type]
        self._many: TypeAdapter[list[Any]] = TypeAdapter(list[self.model])  # type: ignore[name-defined]
        self._getters = [(name, _getter(expr)) for name, expr in spec.fields.items()]
        unknown = set(spec.fields) - set(self.model.model_fields)
        if unknown:
            raise ValueError(f"fields: {sorted(unknown)} are not fields of {self.model.__name__}")

    def to_dict(self, record: dict[str, Any]) -> dict[str, Any]:
        """Apply renames/expressions, value maps and defaults (no validation)."""
        out: dict[str, Any] = {}
        for name, get in self._getters:
            try:
                out[name] = get(record)
            except JMESPathError as exc:
                raise MappingError(f"{name}: expression failed: {exc}") from None
        for name, table in self.spec.value_maps.items():
            value = out.get(name)
            if value is None:
                continue
            key = str(value).lower() if isinstance(value, bool) else str(value)
            if key in table:
                out[name] = table[key]
            elif self.spec.strict_value_maps:
                raise MappingError(f"{name}: value {value!r} is not in the value map")
        for name, default in self.spec.defaults.items():
            if out.get(name) is None:
                out[name] = default
        return {k: v for k, v in out.items() if v is not None}

    def validate_many(self, rows: Sequence[dict[str, Any]]) -> list[canonical.Record]:
        """Validate a page at once; raises ValidationError (callers isolate the bad rows)."""
        return self._many.validate_python(rows)

    def validate_one(self, row: dict[str, Any]) -> canonical.Record:
        try:
            return self.model.model_validate(row)
        except ValidationError as exc:
            raise MappingError(describe(exc), stage="validation") from None


def describe(error: ValidationError) -> str:
    parts = []
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)[:2000]
