"""What the trigger, schedule and dry-run tests share: designed processes made through the API
(created, published, removed afterwards) and waiting for a condition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from atrium.db import session_scope
from atrium.models.process_definition import ProcessDefinitionRow, ProcessVersion

BASE = "/api/v1/process-definitions"

# input n -> doubled; the end reports the version that ran and who started it.
ECHO = {
    "start": "compute",
    "inputs": {"n": {"type": "integer", "required": False}},
    "steps": [
        {"id": "compute", "type": "transform", "set": {"doubled": "input.n"}, "next": "finish"},
        {
            "id": "finish",
            "type": "end",
            "output": {"version": "run.version", "n": "doubled", "by": "run.started_by"},
        },
    ],
}


async def ok(answer: Awaitable[httpx.Response], expected: int = 200) -> Any:
    response = await answer
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def eventually(check: Callable[[], Awaitable[Any]], seconds: float = 30) -> Any:
    for _ in range(int(seconds / 0.2)):
        if found := await check():
            return found
        await asyncio.sleep(0.2)
    raise AssertionError("never happened")


@pytest.fixture
def designed(engine: Engine) -> Iterator[Callable[..., Awaitable[str]]]:
    """``await designed(api, definition, versions=1)``: a designed process with that many
    published versions; its rows are removed afterwards."""
    made: list[str] = []

    async def make(api: httpx.AsyncClient, definition: dict[str, Any], versions: int = 1) -> str:
        name = f"trig-{uuid.uuid4().hex[:8]}"
        made.append(name)
        await ok(api.post(BASE, json={"name": name, "draft": definition}), 201)
        for _ in range(versions):
            await ok(api.post(f"{BASE}/{name}/publish"), 201)
        return name

    yield make
    with session_scope(engine) as session:
        session.exec(delete(ProcessVersion).where(col(ProcessVersion.name).in_(made)))  # type: ignore[call-overload]
        session.exec(delete(ProcessDefinitionRow).where(col(ProcessDefinitionRow.name).in_(made)))  # type: ignore[call-overload]
        session.commit()
