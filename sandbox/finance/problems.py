"""RFC 9457 problem details, the error body of every bursar API answer."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_BASE = "https://bursar.example.edu/problems/"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


def problem(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extra,
    }
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def invalid(errors: list[dict[str, str]], instance: str) -> JSONResponse:
    """422 with one ``{"pointer", "detail"}`` per bad member (RFC 9457 section 3 example)."""
    return problem(
        422, "validation", "The request body is not valid.", instance=instance, errors=errors
    )
