"""Expressions of designed processes: JMESPath, as in the sync engine's mappings, evaluated over
the run's variables. Pure and deterministic (no clock, no randomness), so the interpreter
workflow evaluates them itself.

``references`` reads an expression's syntax tree for the variables it reads at the top level
(``vars.user.id`` reads ``vars``; the ``name`` in ``items[*].name`` is read from each item, not
from the variables), which is how validation finds an undefined variable without running it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, cast

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

# Node types whose children after the first are evaluated against the first's result.
_RELATIVE_AFTER_FIRST = frozenset(
    {"subexpression", "index_expression", "projection", "value_projection", "filter_projection",
     "pipe", "flatten"}
)  # fmt: skip


class ExpressionError(ValueError):
    """An expression failed at run time (a function given the wrong type)."""


@lru_cache(maxsize=1024)
def compiled(expression: str) -> ParsedResult:
    return jmespath.compile(expression)


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    try:
        return compiled(expression).search(dict(variables))
    except JMESPathError as exc:
        raise ExpressionError(f"{expression!r}: {exc}") from None


def truthy(value: Any) -> bool:
    """JMESPath's truth: false, null, and empty strings, lists and objects are false."""
    return not (value is None or value is False or value in ("", [], {}))


def references(expression: str) -> set[tuple[str, str | None]]:
    """(variable, its first field or None) for every variable the expression reads."""
    found: set[tuple[str, str | None]] = set()
    for node in _roots(cast(dict[str, Any], compiled(expression).parsed)):
        if node["type"] == "field":
            found.add((node["value"], None))
        else:  # a subexpression or index expression starting at a variable
            head, second = node["children"][0], node["children"][1]
            field = second["value"] if second["type"] == "field" else None
            found.add((head["value"], field))
    return found


def _roots(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = node["type"]
    if kind == "field":
        yield node
    elif kind == "expref":  # &expr: evaluated against each element by a function
        return
    elif kind in _RELATIVE_AFTER_FIRST:
        first = node["children"][0]
        if kind == "subexpression" and first["type"] == "field":
            yield node  # var.field...: reported with its first field
        else:
            yield from _roots(first)
    else:
        for child in node.get("children", []):
            yield from _roots(child)


def bind(
    literal: Mapping[str, Any], bindings: Mapping[str, str], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """``literal`` with each dotted field of ``bindings`` set to its expression's value."""
    out = copy.deepcopy(dict(literal))
    for path, expression in bindings.items():
        put(out, path, evaluate(expression, variables))
    return out


def put(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.c`` in nested dicts, creating the ones missing."""
    *parents, last = path.split(".")
    for key in parents:
        child = target.get(key)
        if not isinstance(child, dict):
            child = target[key] = {}
        target = child
    target[last] = value
