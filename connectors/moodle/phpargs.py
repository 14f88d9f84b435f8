"""Moodle's REST server reads PHP arrays: ``users[0][username]=x``. This writes them.

Nested mappings become ``name[key]``, sequences ``name[index]``, booleans ``1``/``0`` (what
PARAM_BOOL accepts), and ``None`` is left out (Moodle has no way to send a null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _flatten(f"{prefix}[{key}]", sub, out)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for index, sub in enumerate(value):
            _flatten(f"{prefix}[{index}]", sub, out)
    elif isinstance(value, bool):
        out.append((prefix, "1" if value else "0"))
    else:
        out.append((prefix, str(value)))


def encode(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Form fields for ``params``, in order: ``{"values": [3]}`` -> ``[("values[0]", "3")]``."""
    out: list[tuple[str, str]] = []
    for name, value in params.items():
        _flatten(name, value, out)
    return out
