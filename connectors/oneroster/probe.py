"""Health probe for a OneRoster SIS: an OAuth2 token, then one page of orgs."""

from __future__ import annotations

import time
from collections.abc import Mapping

from connectors.credentials import static_credentials
from connectors.errors import ConnectorError
from connectors.oneroster.client import OneRosterClient
from connectors.probe import PROBES, ProbeResult, failed


async def oneroster_probe(
    base_url: str,
    health_path: str,
    secret: Mapping[str, str],
    timeout: float,  # noqa: ASYNC109 - the Probe signature; it is the HTTP client's timeout
) -> ProbeResult:
    """``health_path`` is ignored: a token and ``orgs?limit=1`` prove auth and the service."""
    started = time.perf_counter()
    async with OneRosterClient(base_url, static_credentials(secret), timeout=timeout) as client:
        try:
            page = await client.page("orgs", limit=1)
        except ConnectorError as exc:
            return failed(exc, started)
    ms = (time.perf_counter() - started) * 1000
    return ProbeResult(True, 200, ms, f"OneRoster rostering answers; {page.total} orgs")


PROBES["oneroster"] = oneroster_probe
