"""The official OneRoster 1.2 component schemas as plain JSON Schema (for hypothesis-jsonschema).

The published files are OpenAPI 3.0: components point at each other with
``#/components/schemas/...`` and carry OpenAPI-only keywords. Turning one component into a
self-contained JSON Schema means:

- inlining every ``$ref`` (none of the rostering components is recursive, checked here);
- dropping ``description``/``example``-style annotations (no effect on validity);
- OpenAPI 3.0's ``nullable: true`` becomes ``type: [T, "null"]`` (none in these files today,
  handled so a republished file does not silently change meaning);
- ``format`` stays: ``date``/``date-time``/``uri`` are generated as such, which is what a
  conforming server sends (JSON Schema treats format as an annotation, OpenAPI tools check it);
- patterns stay unanchored, as published: ``(ext:)[a-zA-Z0-9\\.\\-_]+`` is a *search*, so any
  value that contains ``ext:name`` is spec-valid, and the generator produces such values.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

STANDARDS = Path(__file__).resolve().parents[2] / "standards" / "oneroster-1.2"
ROSTERS = STANDARDS / "onerosterv1p2rostersservice_openapi3_v1p0.json"
ANNOTATIONS = {"description", "example", "examples", "x-ims-type", "readOnly", "writeOnly"}
COMPONENTS = {
    "orgs": "OrgDType",
    "academicSessions": "AcademicSessionDType",
    "courses": "CourseDType",
    "classes": "ClassDType",
    "users": "UserDType",
    "enrollments": "EnrollmentDType",
}


@cache
def _components() -> dict[str, Any]:
    document = json.loads(ROSTERS.read_text())
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _plain(node: Any, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_plain(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise ValueError(f"recursive component {name}: cannot be inlined")
        return _plain(_components()[name], (*seen, name))
    out = {k: _plain(v, seen) for k, v in node.items() if k not in ANNOTATIONS}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def json_schema(record_type: str) -> dict[str, Any]:
    """The component behind ``record_type`` (a collection name) as standalone JSON Schema."""
    name = COMPONENTS[record_type]
    schema: dict[str, Any] = _plain(_components()[name], (name,))
    return schema


class _Many:
    """hypothesis-jsonschema 0.23.1 (the newest release) drives Hypothesis' private
    ``conjecture.utils.many`` with ``while elements.more()``; newer Hypothesis (6.170 here)
    replaced that with ``with many(...) as elements: for _ in elements``. This adapter gives the
    old call shape on top of the new protocol (same choices drawn), so the published generator
    runs unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from hypothesis.internal.conjecture import utils

        self._many = utils.many(*args, **kwargs)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self) -> None:
        self._many.reject()


class _Utils:
    many = _Many

    def __getattr__(self, name: str) -> Any:
        from hypothesis.internal.conjecture import utils

        return getattr(utils, name)


@cache  # canonicalising a schema is the slow part: once per record type per session
def record_strategy(record_type: str) -> Any:
    """A Hypothesis strategy of spec-valid ``record_type`` records (plain JSON dicts)."""
    import hypothesis_jsonschema._from_schema as generator
    from hypothesis.internal.conjecture import utils

    if not hasattr(utils.many, "more"):
        generator.cu = _Utils()  # type: ignore[assignment]
    return generator.from_schema(json_schema(record_type))
