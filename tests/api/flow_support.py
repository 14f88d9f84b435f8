"""A real roster sync through the API into a private sandbox, for the data-flow and lineage tests:
a OneRoster SIS and LMS connections of their own, users mapped by a stored mapping (two versions,
so the version used is visible), and everything removed afterwards."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import col, delete
from temporalio.client import Client

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import IdempotencyKey, Mapping, QuarantinedRecord, SyncCursor, SyncRecord
from atrium.sync.defaults import ONEROSTER
from tests.workflows.csv_drop_env import remove_integrations
from tests.workflows.sync_env import SyncSandbox, register


@dataclass
class Synced:
    source: str
    mapping: str  # the stored users mapping, at version 2
    targets: dict[str, str] = field(default_factory=dict)  # connection -> its system
    runs: dict[str, tuple[str, str]] = field(default_factory=dict)  # connection -> run


async def add_mapping(api: httpx.AsyncClient) -> str:
    name = f"flow-users-{uuid.uuid4().hex[:6]}"
    spec = ONEROSTER["users"].model_dump(mode="json")
    made = await api.post(
        "/api/v1/mappings", json={"name": name, "record_type": "users", "spec": spec}
    )
    assert made.status_code == 201, made.text
    again = await api.put(f"/api/v1/mappings/{name}", json={"spec": spec, "description": "v2"})
    assert again.status_code == 200 and again.json()["version"] == 2, again.text
    return name


async def sync_through_api(
    api: httpx.AsyncClient, client: Client, synced: Synced, target: str, **extra: Any
) -> dict[str, Any]:
    """Start a roster sync with POST /runs (as the console does) and wait for how it ended."""
    body = {
        "integration": target,
        "source": synced.source,
        "target_system": synced.targets[target],
        "mappings": {"users": synced.mapping},
        **extra,
    }
    started = await api.post("/api/v1/runs", json={"process": "roster-sync", "input": body})
    assert started.status_code == 201, started.text
    run = started.json()
    synced.runs[target] = (run["workflow_id"], run["run_id"])
    handle = client.get_workflow_handle(run["workflow_id"], run_id=run["run_id"])
    with contextlib.suppress(Exception):  # a failing target is what some tests want
        await handle.result()
    description = await handle.describe()
    return {**run, "status": description.status.name if description.status else None}


async def make_synced(
    api: httpx.AsyncClient,
    engine: Engine,
    credentials: Credentials,
    sandbox: SyncSandbox,
    systems: tuple[str, ...],
) -> Synced:
    source = await register(engine, credentials, sandbox, "oneroster")
    synced = Synced(source=source, mapping=await add_mapping(api))
    for system in systems:
        synced.targets[await register(engine, credentials, sandbox, system)] = system
    return synced


async def remove_synced(engine: Engine, credentials: Credentials, synced: Synced) -> None:
    names = [synced.source, *synced.targets]
    with session_scope(engine) as session:
        for model in (SyncRecord, SyncCursor, QuarantinedRecord):
            session.exec(delete(model).where(col(model.integration).in_(names)))  # type: ignore[call-overload]
        for workflow_id, _ in synced.runs.values():
            session.exec(
                delete(IdempotencyKey).where(col(IdempotencyKey.key).startswith(workflow_id))  # type: ignore[call-overload]
            )
        session.exec(delete(Mapping).where(col(Mapping.name) == synced.mapping))  # type: ignore[call-overload]
        session.commit()
    await remove_integrations(engine, credentials, names)
