"""Rails-style request parameters, as Canvas reads them.

Canvas merges the query string and the body, and accepts both form-encoded bracket keys
(``user[name]=Ann``, ``student_ids[]=all``) and JSON bodies (``{"user": {"name": "Ann"}}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request

from sandbox.canvas.errors import bad_request

_TOKEN = re.compile(r"\[([^\]]*)\]")


def _split_key(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return [head, *_TOKEN.findall("[" + rest)] if rest else [head]


def nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Turn ``[("user[name]", "Ann"), ("ids[]", "1")]`` into ``{"user": {"name": "Ann"}, ...}``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # "ids[]" appends to a list
                if isinstance(node, list):
                    node.append(value)
                break
            if not isinstance(node, dict):
                break
            if last:
                node[part] = value
            else:
                default: Any = [] if parts[i + 1] == "" else {}
                child = node.get(part)
                if not isinstance(child, dict | list):
                    child = node[part] = default
                node = child
    return out


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


async def read_params(request: Request) -> dict[str, Any]:
    params = nest(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("The request body is not valid JSON.") from None
            if isinstance(data, dict):
                merge(params, data)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        merge(params, nest((k, v) for k, v in form.multi_items() if isinstance(v, str)))
    return params


Params = Annotated[dict[str, Any], Depends(read_params)]


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """``params[name]`` when it is a hash, else an empty one."""
    value = params.get(name)
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text != "" else None


def as_bool(value: Any) -> bool:
    """Rails' value_to_boolean: true/1/on/yes are true."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "t", "on", "yes", "y")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):  # ids[0]=1&ids[1]=2
        return [str(v) for v in value.values()]
    return [str(value)]
