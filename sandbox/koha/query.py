"""Koha's ``q=`` JSON queries (SQL::Abstract syntax, as DBIx::Class takes them) turned into SQLite.

Supported, as Koha documents for ``q``: ``{"field": value}`` equality, ``null`` for IS NULL,
a list of values (OR), operator objects ``{"-like": "x%"}``, ``{"-not_like": ..}``, ``{"!=": ..}``,
``{">": ..}`` / ``>=`` / ``<`` / ``<=``, ``{"-in": [..]}``, ``{"-not_in": [..]}``, and the
combinators ``{"-or": [...]}`` / ``{"-and": [...]}``; a top-level list is an OR. Field names are
API attribute names (``surname``, ``cardnumber``, ...), optionally prefixed ``me.``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

COMPARISONS = {
    "=": "=",
    "-=": "=",
    "!=": "!=",
    "-!=": "!=",
    "<>": "!=",
    ">": ">",
    ">=": ">=",
    "<": "<",
    "<=": "<=",
    "-like": "LIKE",
    "like": "LIKE",
    "-not_like": "NOT LIKE",
    "not_like": "NOT LIKE",
}


class QueryError(ValueError):
    """The query cannot be understood; Koha answers 400."""


class QueryCompiler:
    """Compiles one query; ``column`` maps an API field to an SQL expression or raises."""

    def __init__(self, column: Callable[[str], str]) -> None:
        self.column = column
        self.params: list[Any] = []

    def compile(self, query: Any) -> str:
        if isinstance(query, list):
            return self._join("OR", query)
        if not isinstance(query, dict):
            raise QueryError("Query must be a JSON object or array")
        parts: list[str] = []
        for key, value in query.items():
            if key in ("-or", "-and"):
                items = list(value.items()) if isinstance(value, dict) else value
                if isinstance(value, dict):
                    items = [{k: v} for k, v in items]
                if not isinstance(items, list):
                    raise QueryError(f"{key} needs an array or object")
                parts.append(self._join(key[1:].upper(), items))
            elif key.startswith("-"):
                raise QueryError(f"Invalid operator in query: {key}")
            else:
                parts.append(self._condition(self.column(key.removeprefix("me.")), value))
        return "(" + " AND ".join(parts) + ")" if parts else "1=1"

    def _join(self, word: str, items: list[Any]) -> str:
        if not items:
            return "1=1" if word == "AND" else "1=0"
        return "(" + f" {word} ".join(self.compile(item) for item in items) + ")"

    def _condition(self, col: str, value: Any) -> str:
        if value is None:
            return f"{col} IS NULL"
        if isinstance(value, list):
            if not value:
                return "1=0"
            return "(" + " OR ".join(self._condition(col, v) for v in value) + ")"
        if isinstance(value, dict):
            return "(" + " AND ".join(self._operator(col, op, v) for op, v in value.items()) + ")"
        self.params.append(_scalar(value))
        return f"{col} = ?"

    def _operator(self, col: str, op: str, value: Any) -> str:
        lowered = op.lower()
        if lowered in ("-in", "in", "-not_in", "not_in"):
            if not isinstance(value, list):
                raise QueryError(f"{op} needs an array")
            if not value:
                return "1=0" if "not" not in lowered else "1=1"
            self.params.extend(_scalar(v) for v in value)
            marks = ",".join("?" * len(value))
            return f"{col} {'NOT IN' if 'not' in lowered else 'IN'} ({marks})"
        sql_op = COMPARISONS.get(lowered)
        if sql_op is None:
            raise QueryError(f"Invalid operator in query: {op}")
        if value is None:
            return f"{col} IS {'NOT ' if sql_op == '!=' else ''}NULL"
        self.params.append(_scalar(value))
        return f"{col} {sql_op} ?"


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (str, int, float)):
        return value
    raise QueryError(f"Unsupported value in query: {value!r}")
