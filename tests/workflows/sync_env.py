"""A private sandbox institution (OneRoster, Canvas, Moodle) for the sync-engine tests, so the
records they mutate never leak into other tests, and helpers to register its integrations."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHandle

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration
from sandbox.context import SystemContext
from tests.support.servers import serve

SYSTEMS = ("oneroster", "canvas", "moodle")


@dataclass
class SyncSandbox:
    url: str
    contexts: dict[str, SystemContext]

    def base(self, system: str) -> str:
        return f"{self.url}/{system}"


@dataclass
class Pair:
    source: str
    target: str
    system: str


def start_sandbox(data_dir: Path, size: str = "demo") -> Iterator[SyncSandbox]:
    import importlib

    app = FastAPI()
    contexts = {}
    for name in SYSTEMS:
        ctx = SystemContext(name=name, data_dir=data_dir, seed=7, size=size)
        app.mount(f"/{name}", importlib.import_module(f"sandbox.{name}").create_app(ctx))
        contexts[name] = ctx
    with serve(app) as url:
        yield SyncSandbox(url, contexts)


async def register(
    engine: Engine,
    credentials: Credentials,
    sandbox: SyncSandbox,
    system: str,
    name: str | None = None,
) -> str:
    name = name or f"{system}-{uuid.uuid4().hex[:6]}"
    secret = dict(sandbox.contexts[system].credentials)
    await credentials.store(name, secret, origin=origin_of(sandbox.base(system)))
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system=system,
                base_url=sandbox.base(system),
                secret_path=f"integrations/{name}",
                health_path="/",
                description="sync engine",
            )
        )
        session.commit()
    return name


async def pair(
    engine: Engine, credentials: Credentials, sandbox: SyncSandbox, system: str = "canvas"
) -> Pair:
    source = await register(engine, credentials, sandbox, "oneroster")
    target = await register(engine, credentials, sandbox, system)
    return Pair(source, target, system)


async def start_sync(client: Client, task_queue: str, p: Pair, **options: Any) -> WorkflowHandle:
    from workflows.roster_sync import RosterSync, RosterSyncInput

    arg = RosterSyncInput(integration=p.target, source=p.source, target_system=p.system, **options)  # type: ignore[arg-type]
    return await client.start_workflow(
        RosterSync.run,
        arg,
        id=f"roster-sync-{p.target}-{uuid.uuid4().hex[:4]}",
        task_queue=task_queue,
    )


async def mutate(sandbox: SyncSandbox, **body: Any) -> list[str]:
    async with httpx.AsyncClient(base_url=sandbox.base("oneroster")) as http:
        answer = await http.post("/_control/mutate", json=body)
        answer.raise_for_status()
        return list(answer.json()["sourcedIds"])


async def canvas(sandbox: SyncSandbox, path: str, **params: Any) -> Any:
    token = sandbox.contexts["canvas"].credentials["token"]
    async with httpx.AsyncClient(
        base_url=sandbox.base("canvas"), headers={"Authorization": f"Bearer {token}"}
    ) as http:
        answer = await http.get(f"/api/v1{path}", params=params)
        answer.raise_for_status()
        return answer.json()


async def eventually(check: Any, seconds: float = 20) -> Any:
    for _ in range(int(seconds / 0.1)):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")
