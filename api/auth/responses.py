"""The error answers every protected route may give, documented once for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorAnswer(BaseModel):
    """Every error: ``error`` names the field or the thing at fault (see api/errors.py)."""

    model_config = ConfigDict(extra="allow")
    error: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorAnswer, "description": description}


# Declared on the /api/v1 router (and /metrics): every route there authenticates, is rate limited
# and may find Vault, the database or Temporal down.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("not authenticated: missing, invalid or expired credentials (WWW-Authenticate)"),
    403: _error("authenticated, but the role or API key lacks the permission named"),
    413: _error("body larger than the configured limit"),
    429: _error("rate limit reached (Retry-After and RateLimit-* headers say when to retry)"),
    503: _error("a component (Temporal, Vault, the database) is unavailable"),
}


def document_lookup_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the errors a route has by its shape: 404 where a path names a thing that may not exist,
    409 where a change may conflict with the current state. Routes raise them through one handler
    (api/errors.py), so documenting them by shape keeps the document true for every route."""
    schema_ref = {"$ref": "#/components/schemas/ErrorAnswer"}
    content = {"application/json": {"schema": schema_ref}}
    for path, operations in openapi.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "{" in path:
                responses.setdefault("404", {"description": "no such thing", "content": content})
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault(
                    "409", {"description": "conflicts with the current state", "content": content}
                )
    return openapi
