"""The client factory: Atrium's search attributes are registered at start-up on a cluster that
lacks them, and connecting waits for a server that is still starting."""

from __future__ import annotations

import asyncio
import time

import pytest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from atrium.settings import TemporalSettings
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect, ensure_search_attributes
from tests.support.servers import free_port


async def test_search_attributes_are_registered_once() -> None:
    server = TemporalDevServer(port=free_port(), ui_port=free_port(), with_search_attributes=False)
    server.start()
    try:
        client = await connect(TemporalSettings(address=server.address), codec=None)
        added = await ensure_search_attributes(client)
        assert added == ["AtriumIntegration", "AtriumProcess", "AtriumSubject"]
        assert await ensure_search_attributes(client) == []
        runs = client.list_workflows("AtriumIntegration = 'canvas'")
        assert [r async for r in runs] == []  # the attribute is queryable
    finally:
        server.stop()


async def test_connect_waits_for_a_server_that_is_still_starting() -> None:
    """A worker started next to its cluster (compose, systemd) waits instead of crashing."""
    server = TemporalDevServer(port=free_port(), ui_port=free_port())
    settings = TemporalSettings(address=server.address, connect_wait_seconds=60)
    connecting = asyncio.create_task(connect(settings, codec=None))
    await asyncio.sleep(1.0)
    assert not connecting.done()  # nothing listens yet: still retrying, not failed
    await asyncio.to_thread(server.start)
    try:
        client = await asyncio.wait_for(connecting, 60)
        info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
        assert info.server_version
    finally:
        server.stop()


async def test_connect_gives_up_after_the_configured_wait() -> None:
    settings = TemporalSettings(address=f"127.0.0.1:{free_port()}", connect_wait_seconds=1)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="Failed client connect"):
        await connect(settings, codec=None)
    assert 0.9 < time.monotonic() - started < 10
