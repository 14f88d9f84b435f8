"""Health probe for Moodle: core_webservice_get_site_info with the token (not a bearer header)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from connectors.credentials import static_credentials
from connectors.errors import ConnectorError
from connectors.moodle.client import MoodleClient
from connectors.probe import PROBES, ProbeResult, failed


async def moodle_probe(
    base_url: str,
    health_path: str,
    secret: Mapping[str, str],
    timeout: float,  # noqa: ASYNC109 - the Probe signature; it is the HTTP client's timeout
) -> ProbeResult:
    """``health_path`` is ignored: Moodle has one endpoint and site_info is its health check."""
    started = time.perf_counter()
    async with MoodleClient(base_url, static_credentials(secret), timeout=timeout) as client:
        try:
            info = await client.site_info()
        except ConnectorError as exc:
            return failed(exc, started)
    ms = (time.perf_counter() - started) * 1000
    return ProbeResult(True, 200, ms, f"{info.sitename} ({info.release}) as {info.username}")


PROBES["moodle"] = moodle_probe
