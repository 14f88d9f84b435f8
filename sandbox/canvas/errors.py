"""Canvas' error bodies, raised as one exception type and rendered by one handler."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class CanvasApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> CanvasApiError:
    return CanvasApiError(404, {"errors": [{"message": "The specified resource does not exist."}]})


def bad_request(message: str) -> CanvasApiError:
    return CanvasApiError(400, {"errors": [{"message": message}]})


def field_errors(status: int, fields: dict[str, list[tuple[str, str]]], scope: str = "") -> Any:
    """Validation errors as ActiveRecord renders them: attribute -> [{attribute, type, message}]."""
    rendered = {
        name: [{"attribute": name, "type": kind, "message": msg} for kind, msg in items]
        for name, items in fields.items()
    }
    return CanvasApiError(status, {"errors": {scope: rendered} if scope else rendered})


def unauthorized(message: str = "Invalid access token.") -> CanvasApiError:
    return CanvasApiError(
        401,
        {"errors": [{"message": message}]},
        headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
    )


async def handle_canvas_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CanvasApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
