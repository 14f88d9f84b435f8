"""The REST binding's query parameters turned into SQL: filter, sort/orderBy, fields, limit/offset.

Filter grammar (OneRoster 1.2 REST binding, section on filtering): ``field op 'value'`` predicates
joined by `` AND `` / `` OR ``, ops ``= != > >= < <= ~`` (``~`` = contains). AND binds tighter
than OR. Any error names the offending field so the 400 tells the caller what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.oneroster.errors import ImsxError, bad_filter
from sandbox.oneroster.schema import Table

PREDICATE = re.compile(
    r"\s*(?P<field>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)\s*"
    r"(?P<op>!=|>=|<=|=|>|<|~)\s*'(?P<value>[^']*)'\s*"
)
LOGICAL = re.compile(r"(AND|OR)\s", re.IGNORECASE)
SQL_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
DATETIME_FIELDS = {"dateLastModified"}
NUMERIC_FIELDS = {"score", "resultValueMin", "resultValueMax"}
MAX_LIMIT = 10_000
INT32_MAX = 2**31 - 1  # limit and offset are int32 in the binding


@dataclass
class Where:
    sql: str = ""
    params: list[Any] = field(default_factory=list)


def normalize_datetime(value: str, field_name: str) -> str:
    """'2026-01-01', '...T00:00:00Z', '...+00:00' -> the stored '...T00:00:00.000Z' form."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_filter(
            f"filter field {field_name!r}: {value!r} is not an ISO 8601 date"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def field_sql(table: Table, field_name: str, code_minor: str, what: str) -> str:
    column = table.column_for(field_name)
    if column is not None:
        return column
    top = field_name.split(".", 1)[0]
    if table.stored_as_json and top in table.fields:
        return f"json_extract(json, '$.{field_name}')"
    raise ImsxError(400, code_minor, f"{what} field {field_name!r} is not a field of {table.name}")


def _value(table: Table, field_name: str, raw: str) -> Any:
    if field_name in DATETIME_FIELDS:
        return normalize_datetime(raw, field_name)
    if field_name in NUMERIC_FIELDS:
        try:
            return float(raw)
        except ValueError:
            raise bad_filter(f"filter field {field_name!r}: {raw!r} is not a number") from None
    return raw  # booleans are the strings 'true' / 'false' in 1.2, stored and compared as such


def parse_filter(table: Table, text: str) -> Where:
    groups: list[list[str]] = [[]]
    params: list[Any] = []
    pos = 0
    while True:
        match = PREDICATE.match(text, pos)
        if not match:
            raise bad_filter(f"filter {text!r}: expected field op 'value' at character {pos}")
        name, op, raw = match["field"], match["op"], match["value"]
        expr = field_sql(table, name, "invalid_filter_field", "filter")
        value = _value(table, name, raw)
        if op == "~":
            groups[-1].append(f"{expr} LIKE ? ESCAPE '\\'")
            escaped = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        else:
            groups[-1].append(f"{expr} {SQL_OPS[op]} ?")
            params.append(value)
        pos = match.end()
        if pos >= len(text):
            break
        logical = LOGICAL.match(text, pos)
        if not logical:
            raise bad_filter(f"filter {text!r}: expected AND or OR at character {pos}")
        if logical[1].upper() == "OR":
            groups.append([])
        pos = logical.end()
    sql = " OR ".join("(" + " AND ".join(g) + ")" for g in groups)
    return Where(f"({sql})", params)


@dataclass
class ListParams:
    limit: int = 100
    offset: int = 0
    sort_sql: str = "sourcedId"
    descending: bool = False
    where: Where = field(default_factory=Where)
    fields: list[str] | None = None


def parse_list_params(table: Table, query: Mapping[str, str], fields: list[str]) -> ListParams:
    """``fields`` is every ``fields`` value given: ``fields=a,b`` (the binding's examples) and
    ``fields=a&fields=b`` (the OpenAPI's ``style: form`` array) both select a and b."""
    params = ListParams()
    try:
        params.limit = int(query.get("limit", "100"))
        params.offset = int(query.get("offset", "0"))
    except ValueError:
        raise ImsxError(400, "invaliddata", "limit and offset must be integers") from None
    if not (1 <= params.limit <= INT32_MAX and 0 <= params.offset <= INT32_MAX):
        raise ImsxError(400, "invaliddata", "limit must be in 1..2^31-1 and offset in 0..2^31-1")
    params.limit = min(params.limit, MAX_LIMIT)
    if sort := query.get("sort"):
        params.sort_sql = field_sql(table, sort.strip(), "invaliddata", "sort")
    order = query.get("orderBy", "asc").lower()
    if order not in ("asc", "desc"):
        raise ImsxError(400, "invaliddata", f"orderBy must be asc or desc, not {order!r}")
    params.descending = order == "desc"
    if text := query.get("filter"):
        params.where = parse_filter(table, text)
    selected = [f.strip() for value in fields for f in value.split(",") if f.strip()]
    if selected:
        params.fields = selected
        for name in params.fields:
            if name not in table.fields:
                raise ImsxError(
                    400,
                    "invalid_selection_field",
                    f"fields: {name!r} is not a field of {table.name}",
                )
    return params
