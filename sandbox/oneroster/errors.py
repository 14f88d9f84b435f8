"""OneRoster 1.2 error answers: an ``imsx_StatusInfo`` body with the matching HTTP status.

The REST binding returns the status info object itself as the body of a 4xx/5xx. Every value
comes from the enumerations of the published schema (``imsx_StatusInfoDType``): codeMajor
``failure`` (``unsupported`` for a method the binding does not define), severity ``error`` and a
codeMinor of ``invalid_filter_field``, ``invalid_selection_field``, ``invaliddata``,
``unauthorisedrequest``, ``forbidden``, ``server_busy``, ``unknownobject`` or
``internal_server_error``. (1.1 had ``invalid_sort_field``; 1.2's enumeration dropped it, so a bad
``sort`` is ``invaliddata``.) Routing misses, FastAPI's own validation errors and crashes are
answered the same way, never as ``{"detail": ...}``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("sandbox.oneroster")
CODE_MINORS = frozenset(
    (
        "fullsuccess",
        "invalid_filter_field",
        "invalid_selection_field",
        "invaliddata",
        "unauthorisedrequest",
        "forbidden",
        "server_busy",
        "unknownobject",
        "internal_server_error",
    )
)
BY_STATUS = {401: "unauthorisedrequest", 403: "forbidden", 404: "unknownobject", 429: "server_busy"}


class ImsxError(Exception):
    def __init__(
        self,
        status: int,
        code_minor: str,
        description: str,
        headers: dict[str, str] | None = None,
        code_major: str = "failure",
    ) -> None:
        assert code_minor in CODE_MINORS, code_minor  # a typo here would break every client
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description
        self.headers = headers or {}
        self.code_major = code_major


def status_info(
    code_minor: str, description: str, code_major: str = "failure"
) -> dict[str, object]:
    return {
        "imsx_codeMajor": code_major,
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


def _answer(exc: ImsxError) -> JSONResponse:
    body = status_info(exc.code_minor, exc.description, exc.code_major)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def imsx_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ImsxError)
    return _answer(exc)


async def http_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own 404 (no such route) and 405 (method not in the binding)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        described = f"{request.method} is not an operation of {request.url.path}"
        return _answer(ImsxError(405, "invaliddata", described, code_major="unsupported"))
    minor = BY_STATUS.get(exc.status_code, "invaliddata")
    if exc.status_code == 404:
        return _answer(ImsxError(404, minor, f"no such endpoint: {request.url.path}"))
    return _answer(ImsxError(exc.status_code, minor, str(exc.detail)))


async def validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
    )
    return _answer(ImsxError(400, "invaliddata", problems or "invalid request"))


async def crash_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("oneroster: unhandled error on %s %s", request.method, request.url.path)
    return _answer(ImsxError(500, "internal_server_error", "internal server error"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ImsxError, imsx_handler)
    app.add_exception_handler(HTTPException, http_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(Exception, crash_handler)


def bad_filter(description: str) -> ImsxError:
    return ImsxError(400, "invalid_filter_field", description)


def unknown_object(kind: str, sourced_id: str) -> ImsxError:
    return ImsxError(404, "unknownobject", f"{kind} {sourced_id!r} does not exist")


def invalid_data(description: str) -> ImsxError:
    return ImsxError(422, "invaliddata", description)
