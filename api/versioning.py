"""Marking a route deprecated: ``Deprecation`` and ``Sunset`` headers (RFC 9745, RFC 8594).

    @router.get("/old", deprecated=True, dependencies=[
        require("runs:read"),
        deprecated(since=date(2027, 3, 1), sunset=date(2027, 9, 1), successor="/api/v2/new"),
    ])

See docs/api-versioning.md for the policy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from fastapi import Depends, Response


def deprecated(since: date, sunset: date, successor: str | None = None) -> Any:
    """A dependency adding the headers to every answer of the route it is declared on."""
    since_at = datetime.combine(since, datetime.min.time(), UTC)
    sunset_at = datetime.combine(sunset, datetime.min.time(), UTC)

    async def mark(response: Response) -> None:
        # RFC 9745: Deprecation is a structured date, "@" + unix seconds.
        response.headers["Deprecation"] = f"@{int(since_at.timestamp())}"
        response.headers["Sunset"] = format_datetime(sunset_at, usegmt=True)
        if successor:
            response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return Depends(mark)
