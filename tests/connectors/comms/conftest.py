"""Comms fixtures: the sandbox's SMTP server on its own port, storing into the sandbox's SQLite."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.comms.smtp import start_smtp_server, tls_certificate_path
from sandbox.context import SystemContext
from tests.support.servers import free_port


@dataclass
class SmtpServer:
    host: str
    port: int
    ctx: SystemContext  # logins are checked against ctx.credentials (rotate them here)
    tls_context: ssl.SSLContext  # trusts the server's self-signed certificate


@pytest.fixture(scope="session")
def comms_credentials(sandbox_url: str) -> dict[str, str]:
    response = httpx.get(f"{sandbox_url}/_control/credentials/comms")
    response.raise_for_status()
    return dict(response.json())


@pytest.fixture(scope="session")
def smtp_server(sandbox_dir: Path, comms_credentials: dict[str, str]) -> Iterator[SmtpServer]:
    ctx = SystemContext(name="comms", data_dir=sandbox_dir, seed=42)
    ctx.credentials.update(comms_credentials)
    controller = start_smtp_server(ctx, "127.0.0.1", free_port())
    trust = ssl.create_default_context(cafile=str(tls_certificate_path(ctx)))
    try:
        yield SmtpServer("127.0.0.1", controller.port, ctx, trust)
    finally:
        controller.stop()


@pytest.fixture
async def control(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/comms/_control") as http:
        yield http


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The sandbox relay allows AUTH without TLS on purpose; aiosmtpd warns on every connection.
    for item in items:
        if "connectors/comms" in str(item.path):
            item.add_marker(
                pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
            )
