"""Health probes: one small call per system type that proves a connection works end to end.

The default probe GETs ``base_url + health_path`` with the secret as a bearer token (or an API key);
system packages may register a probe that uses their own client.

A probe's detail says what the answer's status means, never what the answer said: a health
detail that echoed a body would let whoever points a connection somewhere read that place.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ServerError,
)
from connectors.http import default_transport, mask_url


@dataclass(frozen=True)
class ProbeResult:
    healthy: bool
    status_code: int | None
    latency_ms: float
    detail: str


Probe = Callable[[str, str, Mapping[str, str], float], Awaitable[ProbeResult]]
PROBES: dict[str, Probe] = {}


MEANINGS: tuple[tuple[type[ConnectorError], str], ...] = (
    (AuthError, "the system refused the credentials"),
    (NotFound, "nothing at this address: check base_url"),
    (RateLimited, "the system asks to slow down"),
    (MalformedResponse, "the answer is not this system's API: check base_url"),
    (InvalidRequest, "the system refused the request"),
    (ServerError, "the system failed or did not answer"),
)


def status_meaning(status: int) -> str:
    if status < 300:
        return "answers"
    if status < 400:
        return "redirects elsewhere: check base_url"
    if status in (401, 403):
        return "the system refused the credentials"
    if status == 404:
        return "nothing at this address: check base_url or health_path"
    if status == 429:
        return "the system asks to slow down"
    if status < 500:
        return "the system refused the request"
    return "the system failed"


def failed(exc: ConnectorError, started: float) -> ProbeResult:
    """A failed probe's result: the error's kind, status and meaning. The message is kept only
    when no answer came (ours then, from the transport); an answer's body never is."""
    ms = (time.perf_counter() - started) * 1000
    meaning = next((m for kind, m in MEANINGS if isinstance(exc, kind)), "the call failed")
    if exc.status is None and isinstance(exc, ServerError):
        return ProbeResult(False, None, ms, f"{type(exc).__name__}: {exc.message}")
    status = f"HTTP {exc.status}: " if exc.status is not None else ""
    return ProbeResult(False, exc.status, ms, f"{type(exc).__name__}: {status}{meaning}")


def auth_headers(secret: Mapping[str, str]) -> dict[str, str]:
    """A bearer header from ``token`` or ``api_key`` (most REST APIs take either that way)."""
    value = secret.get("token") or secret.get("api_key")
    return {"Authorization": f"Bearer {value}"} if value else {}


async def http_probe(
    base_url: str,
    health_path: str,
    secret: Mapping[str, str],
    timeout: float,  # noqa: ASYNC109 - the Probe signature; it is the HTTP client's timeout
) -> ProbeResult:
    started = time.perf_counter()
    url = base_url.rstrip("/") + health_path
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=default_transport()) as client:
            response = await client.get(url, headers=auth_headers(secret))
    except httpx.HTTPError as exc:
        return ProbeResult(
            False, None, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"
        )
    ms = (time.perf_counter() - started) * 1000
    healthy = response.status_code < 400
    status = response.status_code
    detail = f"GET {mask_url(response.request.url)} -> {status}: {status_meaning(status)}"
    return ProbeResult(healthy, response.status_code, ms, detail)


def probe_for(system: str) -> Probe:
    """The system's own probe if its connector package registers one, else the HTTP GET probe."""
    if system not in PROBES and system.isidentifier():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"connectors.{system}")  # registers PROBES[system] on import
    return PROBES.get(system, http_probe)
