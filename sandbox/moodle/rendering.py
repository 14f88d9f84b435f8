"""How webservice/rest/locallib.php writes answers: JSON (PHP's json_encode) or Moodle's XML."""

from __future__ import annotations

import json
from html import escape
from typing import Any

# send_headers(): the same for answers and errors; always HTTP 200.
HEADERS = {
    "Cache-Control": "private, must-revalidate, pre-check=0, post-check=0, max-age=0",
    "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    "Pragma": "no-cache",
    "Accept-Ranges": "none",
    "Access-Control-Allow-Origin": "*",
}


def php_json(value: Any) -> str:
    """``json_encode()`` with default flags: compact, \\uXXXX for non-ASCII, and ``\\/``."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def _xmlize(value: Any) -> str:
    if isinstance(value, list):
        return "<MULTIPLE>\n" + "".join(_xmlize(v) for v in value) + "</MULTIPLE>\n"
    if isinstance(value, dict):
        keys = "".join(f'<KEY name="{k}">{_xmlize(v)}</KEY>\n' for k, v in value.items())
        return f"<SINGLE>\n{keys}</SINGLE>\n"
    if value is None:
        return '<VALUE null="null"/>\n'
    if isinstance(value, bool):
        value = int(value)  # Moodle writes booleans as 1/0 in XML
    return f"<VALUE>{escape(str(value), quote=False)}</VALUE>\n"


def php_xml(value: Any) -> str:
    body = "" if value is None else _xmlize(value)
    return f'<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n{body}</RESPONSE>\n'
