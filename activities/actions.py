"""``run_action``: the one activity that performs any catalog action on a connection.

The workflow names the action, the connection and an idempotency key (from its business key
and step, stable across retries). Reads and writes the system itself makes harmless to repeat
run on every attempt; any other write runs once per key: the key is recorded in the sync
store's idempotency ledger after the write, and an attempt finding it answers ``repeated``
without writing again (the ledger keeps no output: it would be personal data at rest).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clients import build_client
from activities.privacy_tombstones import refuse_erased_action
from activities.runtime import Runtime
from atrium.bounds import JsonObject
from atrium.sync.store import SyncStore
from connectors.actions import Action
from connectors.catalog import catalog


class ActionInput(BaseModel):
    action: str = Field(max_length=100, description="a catalog action, e.g. canvas.create_user")
    integration: str = Field(max_length=63, description="the connection it acts on")
    input: JsonObject = Field(default_factory=dict)
    idempotency_key: str = Field(min_length=1, max_length=300)
    item_limit: int = Field(1000, ge=1, le=10_000, description="for paginating reads")


class ActionOutput(BaseModel):
    action: str
    output: Any = None
    repeated: bool = False  # the key was already done: nothing was written this time


def find(name: str) -> Action:
    entry = catalog().get(name)
    if entry is None:
        raise ApplicationError(
            f"unknown action {name!r}", type="InvalidRequest", non_retryable=True
        )
    return entry


def arguments(entry: Action, given: dict[str, Any]) -> BaseModel:
    try:
        return entry.input_model.model_validate(given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ApplicationError(
            f"{entry.name}: input does not fit: {problems}",
            type="InvalidRequest",
            non_retryable=True,
        ) from None


class ActionActivities:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.ledger = SyncStore(runtime.engine)

    @activity.defn(name="run_action")
    async def run_action(self, input: ActionInput) -> ActionOutput:
        entry = find(input.action)
        args = arguments(entry, input.input)
        await refuse_erased_action(self.runtime.engine, entry.name, args)  # privacy tombstones
        row = await self.runtime.aconnection(input.integration, entry.system)
        once = entry.spec.effect != "read" and not entry.spec.idempotent
        key = f"action:{entry.name}:{input.integration}:{input.idempotency_key}"
        if once and await asyncio.to_thread(self.ledger.outcome, key) is not None:
            return ActionOutput(action=entry.name, repeated=True)
        client = await build_client(self.runtime, row, entry.client)
        with self.runtime.translate(row.name):
            result = await entry.call(client, args, limit=input.item_limit)
        output = entry.output.dump_python(result, mode="json") if entry.output else None
        if once:
            digest = hashlib.sha256(json.dumps(output, sort_keys=True).encode()).hexdigest()
            await asyncio.to_thread(self.ledger.record, [(key, f"sha256:{digest}")])
        return ActionOutput(action=entry.name, output=output)
