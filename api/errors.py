"""Every error the API answers has a status below 500 unless a dependency is down (503), and a
message that names the field or the thing at fault. No traceback ever reaches a client."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError, RPCStatusCode

from atrium.credentials import CredentialError, SecretNotFound

log = structlog.get_logger("api")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_detail(errors: list[Any]) -> list[dict[str, str]]:
    out = []
    for err in errors:
        msg = err.get("msg", "invalid")
        if err.get("type") == "json_invalid":
            msg = "malformed JSON: " + str(err.get("ctx", {}).get("error", "cannot parse body"))
        out.append({"field": _field(tuple(err.get("loc", ()))), "message": msg})
    return out


def problem(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = validation_detail(list(exc.errors()))
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return problem(422, f"invalid request: {summary}", fields=fields)

    @app.exception_handler(ValidationError)
    async def _invalid_model(_: Request, exc: ValidationError) -> JSONResponse:
        # A model validated inside a route (e.g. a merged update) failed: still the caller's input.
        fields = validation_detail(list(exc.errors()))
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return problem(422, f"invalid request: {summary}", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(SecretNotFound)
    async def _no_secret(_: Request, exc: SecretNotFound) -> JSONResponse:
        return problem(404, "no secret stored for this integration")

    @app.exception_handler(CredentialError)
    async def _vault(_: Request, exc: CredentialError) -> JSONResponse:
        return problem(503, f"vault: {exc}", component="vault")

    @app.exception_handler(RPCError)
    async def _temporal(_: Request, exc: RPCError) -> JSONResponse:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return problem(404, f"temporal: {exc.message}")
        if exc.status == RPCStatusCode.INVALID_ARGUMENT:
            return problem(400, f"temporal: {exc.message}")
        return problem(503, f"temporal unavailable: {exc.status.name}", component="temporal")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug: log it with the correlation id, answer without a traceback.
        log.error("unhandled", path=request.url.path, error=type(exc).__name__, exc_info=exc)
        cid = structlog.contextvars.get_contextvars().get("correlation_id", "")
        return problem(500, "internal error", reference=cid)
