"""Atrium's search attributes are registered at start-up on a cluster that lacks them."""

from __future__ import annotations

from atrium.settings import TemporalSettings
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect, ensure_search_attributes
from tests.support.servers import free_port


async def test_search_attributes_are_registered_once() -> None:
    server = TemporalDevServer(port=free_port(), ui_port=free_port(), with_search_attributes=False)
    server.start()
    try:
        client = await connect(TemporalSettings(address=server.address))
        added = await ensure_search_attributes(client)
        assert added == ["AtriumIntegration", "AtriumProcess", "AtriumSubject"]
        assert await ensure_search_attributes(client) == []
        runs = client.list_workflows("AtriumIntegration = 'canvas'")
        assert [r async for r in runs] == []  # the attribute is queryable
    finally:
        server.stop()
