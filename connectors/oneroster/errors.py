"""OneRoster answers -> Atrium's typed errors, with the ``imsx_StatusInfo`` reason kept.

A 1.2 error body carries ``imsx_description`` and a code minor (``invalid_filter_field``,
``unknownobject``, ``forbidden`` ...); both go into the message so a 400 says which field was
wrong. 401 and 403 are ``AuthError`` (the client refreshes its token once on a 401 first).
"""

from __future__ import annotations

from typing import Any

import httpx

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
)
from connectors.http import parse_retry_after

SYSTEM = "oneroster"


def imsx_reason(response: httpx.Response) -> tuple[str, str]:
    """(code minor, description) from an imsx_StatusInfo body, or ('', raw text)."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text[:300]
    if isinstance(body, dict) and "imsx_StatusInfo" in body:
        body = body["imsx_StatusInfo"]  # some providers wrap it
    if not isinstance(body, dict):
        return "", response.text[:300]
    minor = ""
    fields = (body.get("imsx_CodeMinor") or {}).get("imsx_codeMinorField") or []
    if fields and isinstance(fields[0], dict):
        minor = str(fields[0].get("imsx_codeMinorFieldValue", ""))
    description = body.get("imsx_description") or body.get("error_description") or body.get("error")
    return minor, str(description or response.text[:300])


def error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    minor, description = imsx_reason(response)
    where = f"{response.request.method} {response.request.url.path}"
    message = f"{SYSTEM}: {where} -> {status} {minor}: {description}".replace(" : ", ": ")
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(message, retry_after=retry_after, status=status, system=SYSTEM)
    if status in (401, 403):
        return AuthError(message, status=status, system=SYSTEM)
    if status == 404:
        return NotFound(message, status=status, system=SYSTEM)
    if status >= 500:
        return ServerError(message, status=status, system=SYSTEM)
    if status >= 400:
        return InvalidRequest(message, status=status, system=SYSTEM)
    return ConnectorError(message, status=status, system=SYSTEM)
