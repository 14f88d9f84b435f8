"""External function parameter descriptions and ``external_api::validate_parameters``.

A small copy of Moodle's ``external_value`` / ``external_single_structure`` /
``external_multiple_structure`` and their validation, so bad input gets the very debuginfo Moodle
builds: ``users => Invalid parameter value detected: Missing required key in single structure: x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sandbox.moodle.errors import InvalidParameter


class Need(Enum):
    REQUIRED = 1  # VALUE_REQUIRED
    OPTIONAL = 2  # VALUE_OPTIONAL
    DEFAULT = 0  # VALUE_DEFAULT


REQUIRED, OPTIONAL, DEFAULT = Need.REQUIRED, Need.OPTIONAL, Need.DEFAULT
_PREFIX = InvalidParameter.MESSAGE


@dataclass
class Value:
    type: str  # PARAM_* name as Moodle prints it: int, bool, float, raw, text, username, ...
    required: Need = REQUIRED
    default: Any = None


@dataclass
class Single:
    keys: dict[str, Value | Single | Multiple]
    required: Need = REQUIRED
    default: Any = None


@dataclass
class Multiple:
    content: Value | Single | Multiple
    required: Need = REQUIRED
    default: Any = field(default_factory=list)


Description = Value | Single | Multiple

_TAGS = re.compile(r"<[^>]*>")
_CLEANERS: dict[str, re.Pattern[str]] = {
    "alpha": re.compile(r"[^a-zA-Z]"),
    "alphanumext": re.compile(r"[^a-zA-Z0-9_-]"),
    "safedir": re.compile(r"[^a-zA-Z0-9_-]"),
    "sequence": re.compile(r"[^0-9,]"),
    "username": re.compile(r"[^-.@_a-z0-9]"),
}
_EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$")
_PLUGIN = re.compile(r"^[a-z](?:[a-z0-9_](?!__))*[a-z0-9]+$")
_FLOAT = re.compile(r"^[+-]?[0-9]*\.?[0-9]*(e[-+]?[0-9]+)?$", re.IGNORECASE)


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def _php_int(value: str) -> int:
    """PHP's ``(int)"12abc"`` == 12: leading integer part, else 0."""
    match = re.match(r"^\s*([+-]?[0-9]+)", value)
    return int(match.group(1)) if match else 0


def clean(value: Any, ptype: str) -> Any:
    """``clean_param()`` for the PARAM types the emulated functions use."""
    text = str(value)
    if ptype == "int":
        return value if isinstance(value, int) else _php_int(text)
    if ptype == "float":
        return float(value) if _FLOAT.match(text) and text not in ("", ".") else 0.0
    if ptype in ("raw", "timezone", "lang"):
        return text
    if ptype in ("text", "notags"):
        return _TAGS.sub("", text)
    if ptype == "username":
        return _CLEANERS["username"].sub("", text.strip().lower())
    if ptype == "email":
        return text if valid_email(text) else ""
    if ptype in ("plugin", "auth", "theme"):
        return text if _PLUGIN.match(text) else ""
    if ptype in _CLEANERS:
        return _CLEANERS[ptype].sub("", text)
    raise ValueError(f"unknown PARAM type {ptype}")


def _validate_value(desc: Value, param: Any) -> Any:
    if isinstance(param, dict):
        raise InvalidParameter("Scalar type expected, array or object received.")
    if desc.type == "bool" and (isinstance(param, bool) or param in (0, 1, "0", "1")):
        return bool(int(param))
    debuginfo = (
        f'Invalid external api parameter: the value is "{param}", '
        f'the server was expecting "{desc.type}" type'
    )
    if param is None:
        return None
    if desc.type == "bool":
        raise InvalidParameter(debuginfo)
    cleaned = clean(param, desc.type)
    if desc.type == "float":
        if not isinstance(param, int | float) and not (_FLOAT.match(str(param)) and str(param)):
            raise InvalidParameter(debuginfo)
        return cleaned
    if str(param) != str(cleaned):
        raise InvalidParameter(debuginfo)
    return cleaned


def validate(desc: Description, params: Any) -> Any:
    """``external_api::validate_parameters``: cleaned params with defaults, or InvalidParameter."""
    if isinstance(desc, Value):
        return _validate_value(desc, params)
    if not isinstance(params, dict):
        raise InvalidParameter(f"Only arrays accepted. The bad value is: '{params}'")
    if isinstance(desc, Multiple):
        return [validate(desc.content, item) for item in params.values()]
    result: dict[str, Any] = {}
    remaining = dict(params)
    for key, sub in desc.keys.items():
        if key not in remaining:
            if sub.required is REQUIRED:
                raise InvalidParameter(f"Missing required key in single structure: {key}")
            if sub.required is DEFAULT:
                result[key] = _nested(key, sub, sub.default)
            continue
        result[key] = _nested(key, sub, remaining.pop(key))
    if remaining:
        names = ", ".join(str(k) for k in remaining)
        raise InvalidParameter(f"Unexpected keys ({names}) detected in parameter array.")
    return result


def _nested(key: str, sub: Description, value: Any) -> Any:
    if isinstance(sub, Multiple) and isinstance(value, list):
        value = dict(enumerate(value))  # defaults are given as Python lists
    try:
        return validate(sub, value)
    except InvalidParameter as exc:
        raise InvalidParameter(f"{key} => {_PREFIX}: {exc.debuginfo}") from None
