"""Bounded types for everything a caller sends: numbers, dates, free-form JSON and text.

Every route parameter and every Create/Update model field uses one of these, so an extreme but
well-formed value (an id of 2^63, a date in year 9999 with a -23:59 offset, a 900-level nested
object, a NUL in a name) is refused at the edge with a 422 naming the field, instead of
overflowing a database driver, a ``datetime`` or a serializer's recursion further in.

Plain pydantic/annotated-types metadata (no FastAPI import): the models in ``atrium.models`` use
these too, and FastAPI accepts them in ``Query``/``Path`` parameters
(``offset: Annotated[Offset, Query()] = 0`` or simply ``conflict_id: RowId``).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AfterValidator, Field

# Database ids are INTEGER (32-bit in PostgreSQL): nothing above fits a row.
MAX_ROW_ID = 2**31 - 1
MAX_LIMIT = 500  # rows one page may ask for
MAX_OFFSET = 2**31 - 1

RowId = Annotated[int, Interval(ge=1, le=MAX_ROW_ID)]
Offset = Annotated[int, Interval(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Interval(ge=1, le=MAX_LIMIT)]

# --- dates -------------------------------------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1970, 2100


def _bounded_datetime(value: datetime) -> datetime:
    """Within years 1970..2100 (checked before any conversion: converting 9999-12-31T23:59-23:59
    to UTC overflows), time-zone aware, in UTC. A naive time is taken as UTC."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be between years {MIN_YEAR} and {MAX_YEAR}")
    aware = value.replace(tzinfo=UTC) if value.utcoffset() is None else value
    return aware.astimezone(UTC)


BoundedDatetime = Annotated[datetime, AfterValidator(_bounded_datetime)]

# --- free-form JSON ----------------------------------------------------------------------------

MAX_JSON_DEPTH = 16  # a mapping or a process input nests a few levels; 900 is an attack
MAX_JSON_NODES = 10_000  # keys, values and items together
MAX_JSON_INT = 2**53 - 1  # the integers every JSON reader agrees on (RFC 7493)


def check_json(value: Any, max_depth: int = MAX_JSON_DEPTH, max_nodes: int = MAX_JSON_NODES) -> Any:
    """Refuse JSON nested deeper than ``max_depth`` or larger than ``max_nodes``, and text with
    control characters (keys as single-line names, string values as multi-line text), naming
    where. Walks with an explicit stack: the check must not recurse as deep as the attack."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    nodes = 0
    while stack:
        item, depth, path = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise ValueError(f"holds more than {max_nodes} values")
        if isinstance(item, dict | list) and depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth} levels (at {path[:100]})")
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _LINE_FORBIDDEN.search(key):
                    raise ValueError(f"key {_shown(key)} holds a control character")
                stack.append((child, depth + 1, f"{path}.{key}" if path else str(key)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{path}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, str) and _TEXT_FORBIDDEN.search(item):
            raise ValueError(f"{path[:100] or 'value'}: holds a control character")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_JSON_INT:
            raise ValueError(f"{path[:100] or 'value'}: integer beyond +-2^53")
        elif isinstance(item, float) and not math.isfinite(item):
            # Python's JSON parser accepts NaN and Infinity; no JSON answer can carry them back.
            raise ValueError(f"{path[:100] or 'value'}: must be a finite number")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(check_json)]
JsonList = Annotated[list[dict[str, Any]], AfterValidator(check_json)]

# --- text --------------------------------------------------------------------------------------

# C0 controls, DEL, C1 controls, and lone surrogates (a str from JSON may hold "\ud800"; no
# database or Temporal id can encode it).
_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Multi-line text (descriptions): tab and newline are text there.
_TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# For the OpenAPI document (and so schemathesis generates valid text): the same sets, without
# surrogates, which JSON Schema regexes cannot name.
_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
_TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"


def _shown(value: str) -> str:
    return ascii(value[:40])  # never echo a control character back raw


def check_line(value: str) -> str:
    if _LINE_FORBIDDEN.search(value):
        raise ValueError("must not contain control characters (none below 0x20, nor 0x7f-0x9f)")
    return value


def is_line(value: str) -> bool:
    return not _LINE_FORBIDDEN.search(value)


def check_text(value: str) -> str:
    if _TEXT_FORBIDDEN.search(value):
        raise ValueError("must not contain control characters other than tab and newline")
    return value


# A name, an id, a URL, a key: one line of printable text.
Line = Annotated[
    str, AfterValidator(check_line), Field(json_schema_extra={"pattern": _LINE_PATTERN})
]
# Free text that may span lines (descriptions, a value typed by a person).
Text = Annotated[
    str, AfterValidator(check_text), Field(json_schema_extra={"pattern": _TEXT_PATTERN})
]
