"""Health probes: one small call per system type that proves a connection works end to end.

The default probe GETs ``base_url + health_path`` with the secret as a bearer token (or an API key);
system packages may register a probe that uses their own client.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx

from connectors.http import mask_url


@dataclass(frozen=True)
class ProbeResult:
    healthy: bool
    status_code: int | None
    latency_ms: float
    detail: str


Probe = Callable[[str, str, Mapping[str, str], float], Awaitable[ProbeResult]]
PROBES: dict[str, Probe] = {}


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
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url, headers=auth_headers(secret))
    except httpx.HTTPError as exc:
        return ProbeResult(
            False, None, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"
        )
    ms = (time.perf_counter() - started) * 1000
    healthy = response.status_code < 400
    detail = f"GET {mask_url(response.request.url)} -> {response.status_code}"
    return ProbeResult(healthy, response.status_code, ms, detail)


def probe_for(system: str) -> Probe:
    """The system's own probe if its connector package registers one, else the HTTP GET probe."""
    if system not in PROBES and system.isidentifier():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"connectors.{system}")  # registers PROBES[system] on import
    return PROBES.get(system, http_probe)
