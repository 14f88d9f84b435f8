"""PHP's reading of a query string or form body: ``users[0][username]=x`` into nested arrays.

Moodle's REST server hands ``array_merge($_GET, $_POST)`` to the external function, so the
emulator must build the same nested structure PHP would. A PHP array is an ordered map; we use a
``dict`` for every array (integer-looking keys become ``int``, ``[]`` appends at max int key + 1),
because Moodle itself iterates multiple structures by value and looks single structures up by key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PhpArray = dict[str | int, Any]

_SEGMENT = re.compile(r"\[([^\]]*)\]")
_INT_KEY = re.compile(r"^(0|-?[1-9][0-9]*)$")


def _key(raw: str) -> str | int:
    # PHP turns decimal integer strings into integer keys ("07" stays a string).
    return int(raw) if _INT_KEY.match(raw) else raw


def _next_index(array: PhpArray) -> int:
    ints = [k for k in array if isinstance(k, int)]
    return max(ints) + 1 if ints else 0


def _split_name(name: str) -> tuple[str, list[str]] | None:
    """``users[0][name]`` -> ("users", ["0", "name"]); None when PHP would drop the pair."""
    bracket = name.find("[")
    if bracket <= 0:
        base, rest = name, ""
    else:
        base, rest = name[:bracket], name[bracket:]
    # PHP mangles spaces and dots in the top-level name into underscores.
    base = base.replace(" ", "_").replace(".", "_")
    if not base:
        return None
    segments: list[str] = []
    pos = 0
    while pos < len(rest):
        match = _SEGMENT.match(rest, pos)
        if match is None:
            break  # PHP ignores anything after the last well-formed [..]
        segments.append(match.group(1))
        pos = match.end()
    return base, segments


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> PhpArray:
    """Build PHP's ``$_GET``/``$_POST`` array from decoded name/value pairs, in order."""
    result: PhpArray = {}
    for name, value in pairs:
        split = _split_name(name)
        if split is None:
            continue
        base, segments = split
        if not segments:
            result[base] = value
            continue
        node = result.get(base)
        if not isinstance(node, dict):
            node = {}
            result[base] = node
        for i, segment in enumerate(segments):
            key: str | int = _next_index(node) if segment == "" else _key(segment)
            if i == len(segments) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = {}
                    node[key] = child
                node = child
    return result


def merge_get_post(query: PhpArray, form: PhpArray) -> PhpArray:
    """``array_merge($_GET, $_POST)``: top-level keys of the body win over the query string."""
    return {**query, **form}
