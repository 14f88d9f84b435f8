"""The codec server the Temporal Web UI calls (its remote codec protocol): administrators read
run payloads there although Temporal stores them encrypted (atrium/payload_codec.py).

``POST /api/v1/codec/decode`` and ``/encode`` take and answer ``{"payloads": [...]}`` in
protobuf's JSON form. Behind Atrium's login and roles like every route: a caller with
``payloads:decode`` reads payloads whole; any other caller with ``runs:read`` gets their shapes
only (keys and types, never a value: an auditor sees that a run carried an email, not which).
Every call is a POST, so the audit log records who decoded and when (api/auth/middleware.py).

The Web UI is another origin (its own port): preflight and answers carry CORS headers for that
origin only, with credentials, so a browser session's cookie reaches this route and nothing else.
Local stack: `atrium up` starts the UI with ``--ui-codec-endpoint`` pointing here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload, Payloads

from api.auth import threats
from api.auth.principal import Principal
from api.security import public, require

router = APIRouter(prefix="/codec", tags=["codec"])
JSON = b"json/plain"
MAX_DEPTH = 64


def _shape(value: Any, depth: int = 0) -> Any:
    """The value with every leaf replaced by its type's name."""
    if depth > MAX_DEPTH:
        return "<nested>"
    if isinstance(value, dict):
        return {str(k): _shape(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v, depth + 1) for v in value]
    if value is None:
        return None
    return f"<{type(value).__name__}>".replace("<str>", "<string>")


def _redacted(payload: Payload) -> Payload:
    if payload.metadata.get("encoding") == JSON:
        try:
            data = json.dumps(_shape(json.loads(payload.data))).encode()
        except ValueError:
            data = b'"<unreadable>"'
        return Payload(metadata={"encoding": JSON}, data=data)
    return Payload(metadata={"encoding": JSON}, data=b'"<binary>"')


async def _payloads(request: Request) -> Payloads:
    body = await request.body()
    try:
        return json_format.Parse(body, Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise HTTPException(422, f"payloads: not Temporal's payload JSON ({exc})"[:300]) from None


def _answer(payloads: list[Payload], request: Request) -> Response:
    body = json_format.MessageToJson(Payloads(payloads=payloads))
    return Response(body, media_type="application/json", headers=_cors(request))


def _cors(request: Request) -> dict[str, str]:
    """CORS headers for the Temporal Web UI's origin, and for no other."""
    origin = request.headers.get("origin", "")
    ui_origin = request.app.state.settings.temporal.ui_url.rstrip("/")
    if origin != ui_origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Namespace",
        "Access-Control-Allow-Methods": "POST",
        "Vary": "Origin",
    }


UNREADABLE: dict[int | str, dict[str, Any]] = {
    422: {"description": "not Temporal's payload JSON, or payloads that do not decrypt"}
}


@router.post("/decode", response_class=Response, responses=UNREADABLE)
async def decode(request: Request, principal: Principal = require("runs:read")) -> Response:
    """Decrypt payloads; whole for ``payloads:decode``, as shapes for everyone else."""
    payloads = list((await _payloads(request)).payloads)
    try:
        opened = await request.app.state.codec.decode(payloads)
    except Exception as exc:  # a foreign key id, damaged data, Vault down: say which, no detail
        raise HTTPException(422, f"payloads: cannot be decrypted ({type(exc).__name__})") from None
    await threats.records_read(request, principal, len(opened), "codec decodes")  # unusual? event
    if not principal.can("payloads:decode"):
        opened = [_redacted(p) for p in opened]
    return _answer(opened, request)


@router.post(
    "/encode",
    response_class=Response,
    responses=UNREADABLE,
    dependencies=[require("payloads:decode")],
)
async def encode(request: Request) -> Response:
    """Encrypt payloads (the Web UI encodes what an administrator sends to a run, e.g. a signal)."""
    payloads = list((await _payloads(request)).payloads)
    return _answer(await request.app.state.codec.encode(payloads), request)


PREFLIGHT = public("CORS preflight of the Temporal Web UI")


# Not part of the API's contract (a browser's question before the POST): left out of OpenAPI.
@router.options("/decode", status_code=204, include_in_schema=False, dependencies=[PREFLIGHT])
@router.options("/encode", status_code=204, include_in_schema=False, dependencies=[PREFLIGHT])
async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers=_cors(request))
