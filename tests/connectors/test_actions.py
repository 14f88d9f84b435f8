"""The action catalog: every declared action is well formed, and a connector write outside any
action is refused while the tests run (how the gate proves every write is in the catalog)."""

from __future__ import annotations

import httpx
import pytest

from connectors.actions import UnlistedWrite, action, actions_of, current_action, require_actions
from connectors.catalog import CLIENTS, catalog
from connectors.http import HttpConnector


class _Echo(HttpConnector):
    system = "echo"

    @action("echo.save", effect="write", key="item")
    async def save(self, item: str, count: int = 1) -> dict[str, str]:
        """Save one item."""
        response = await self._request("POST", "/items", json={"item": item, "count": count})
        return dict(response.json())

    async def save_unlisted(self, item: str) -> None:
        await self._request("POST", "/items", json={"item": item})

    async def read_unlisted(self) -> int:
        return (await self._request("GET", "/items")).status_code


def _echo() -> _Echo:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {current_action()}")
        return httpx.Response(200, json={"item": "x", "during": str(current_action())})

    client = _Echo("http://echo.test", transport=httpx.MockTransport(answer))
    client.seen = seen  # type: ignore[attr-defined]
    return client


async def test_a_write_inside_an_action_passes_and_names_it() -> None:
    client = _echo()
    answer = await client.save("x")
    assert answer["during"] == "echo.save"
    assert current_action() is None  # reset after the call


async def test_a_write_outside_every_action_is_refused_in_strict_mode() -> None:
    client = _echo()
    with pytest.raises(UnlistedWrite, match="echo: POST /items"):
        await client.save_unlisted("x")
    assert client.seen == []  # type: ignore[attr-defined]  # nothing left the process
    assert await client.read_unlisted() == 200  # reads need no action


async def test_outside_strict_mode_an_unlisted_write_is_only_logged() -> None:
    client = _echo()
    require_actions(False)
    try:
        await client.save_unlisted("x")
    finally:
        require_actions(True)
    assert client.seen == ["POST None"]  # type: ignore[attr-defined]


async def test_an_action_input_is_typed_from_the_signature() -> None:
    (entry,) = actions_of(_Echo, "echo")
    schema = entry.describe()
    assert schema["input_schema"]["required"] == ["item"]
    assert schema["input_schema"]["properties"]["count"]["default"] == 1
    assert schema["idempotent"] is True and schema["idempotency_key"] == "item"
    assert schema["summary"] == "Save one item."
    args = entry.input_model.model_validate({"item": "y", "count": 2})
    assert (await entry.call(_echo(), args))["during"] == "echo.save"
    with pytest.raises(ValueError, match="count"):
        entry.input_model.model_validate({"item": "y", "count": "many"})


def test_an_action_must_be_named_for_its_system() -> None:
    with pytest.raises(ValueError, match="not canvas's"):
        actions_of(_Echo, "canvas")


def test_every_catalog_action_is_well_formed() -> None:
    entries = catalog()
    assert {e.system for e in entries.values()} <= set(CLIENTS)
    for name, entry in entries.items():
        assert name == entry.name and name.startswith(f"{entry.system}.")
        described = entry.describe()
        assert described["input_schema"]["type"] == "object", name
        assert entry.spec.summary != name, f"{name} has no docstring to describe it"
        if entry.spec.effect == "read":
            assert entry.spec.idempotent, name
