"""Finance fixtures: the bursar's SFTP server on its own port, sharing the sandbox's data folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from connectors.finance.client import BursarClient
from sandbox.context import SystemContext
from sandbox.finance.sftp import host_public_key, start_sftp_server
from tests.sandbox.control import MutableCredentials, credentials_of


@dataclass
class SftpServer:
    host: str
    port: int
    host_key: str
    ctx: SystemContext  # the server checks logins against ctx.credentials (rotate them here)
    root: Path


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def bursar_sftp(sandbox_url: str, sandbox_dir: Path) -> AsyncIterator[SftpServer]:
    # The sandbox app seeded the outbox in sandbox_dir; this server serves that same folder.
    ctx = SystemContext(name="finance", data_dir=sandbox_dir, seed=42)
    ctx.credentials.update(await credentials_of(sandbox_url, "finance"))
    server = await start_sftp_server(ctx, "127.0.0.1", 0)
    try:
        yield SftpServer(
            "127.0.0.1", server.get_port(), host_public_key(ctx), ctx, sandbox_dir / "finance-sftp"
        )
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def sftp_credentials(bursar_sftp: SftpServer) -> MutableCredentials:
    creds = bursar_sftp.ctx.credentials
    return MutableCredentials(
        {"username": creds["sftp_username"], "password": creds["sftp_password"]}
    )


@pytest.fixture
async def bursar_credentials(sandbox_url: str) -> MutableCredentials:
    return MutableCredentials(await credentials_of(sandbox_url, "finance"))


@pytest.fixture
async def bursar(
    sandbox_url: str, bursar_credentials: MutableCredentials
) -> AsyncIterator[BursarClient]:
    async with BursarClient(f"{sandbox_url}/finance", bursar_credentials, timeout=5.0) as client:
        yield client


async def write_batch(sandbox_url: str, name: str, content: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.put(
            f"{sandbox_url}/finance/_control/batches", json={"name": name, "content": content}
        )
        response.raise_for_status()
