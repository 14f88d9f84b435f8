"""Health probe for Koha: an OAuth2 token, then one patron search."""

from __future__ import annotations

import time
from collections.abc import Mapping

from connectors.credentials import static_credentials
from connectors.errors import ConnectorError
from connectors.koha.client import KohaClient
from connectors.probe import PROBES, ProbeResult, failed


async def koha_probe(
    base_url: str,
    health_path: str,
    secret: Mapping[str, str],
    timeout: float,  # noqa: ASYNC109 - the Probe signature; it is the HTTP client's timeout
) -> ProbeResult:
    """``health_path`` is ignored: a token plus a patron search proves auth and the API."""
    started = time.perf_counter()
    async with KohaClient(base_url, static_credentials(secret), timeout=timeout) as client:
        try:
            await client.find_patron_by_cardnumber("atrium-health-probe")
        except ConnectorError as exc:
            return failed(exc, started)
    ms = (time.perf_counter() - started) * 1000
    return ProbeResult(True, 200, ms, "Koha patrons API answers")


PROBES["koha"] = koha_probe
