"""Records workflow histories for the replay test (tests/workflows/test_replay.py).

A pytest plugin, loaded only on purpose:

    ATRIUM_RECORD_HISTORIES=tests/workflows/histories pytest -p tests.support.histories tests

When the session ends it reads, from the session's Temporal server, every run on the session's
task queues and keeps per workflow type the completed run with the most events and the failed run
with the most events, as JSON (Temporal's own history format) named ``<Type>.<status>.json``.
Histories over ``MAX_BYTES`` are left out: the gate replays them all, and must stay quick.
Payloads are written decoded (the session's payload keys die with its OpenBao): the replay test
reads them without a codec, which sees plain payloads as they were before sealing.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.converter import PayloadCodec

from atrium.settings import Settings

MAX_BYTES = 1_500_000
KEPT = {WorkflowExecutionStatus.COMPLETED: "completed", WorkflowExecutionStatus.FAILED: "failed"}


async def decoded(message: Message, codec: PayloadCodec) -> None:
    """Decode, in place, every Payload anywhere in ``message`` (a history event)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = (
                list(value.values())
                if field.message_type.fields_by_name["value"].message_type
                else []
            )
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if isinstance(item, Payload):
                [opened] = await codec.decode([item])
                item.CopyFrom(opened)
            elif isinstance(item, Message):
                await decoded(item, codec)


async def record(client: Client, queues: list[str], folder: Path) -> dict[str, int]:
    """Writes the chosen histories into ``folder``; returns {file name: events}."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    query = " OR ".join(f"TaskQueue = '{q}'" for q in queues)
    async for run in client.list_workflows(query):
        status = KEPT.get(run.status) if run.status else None
        if status is None:
            continue
        history = await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history()
        codec = client.data_converter.payload_codec
        if codec is not None:
            for event in history.events:
                await decoded(event, codec)
        text = history.to_json()
        key = (run.workflow_type, status)
        if len(text) <= MAX_BYTES and len(history.events) > best.get(key, (0, ""))[0]:
            best[key] = (len(history.events), text)
    files = {f"{kind}.{status}.json": found for (kind, status), found in sorted(best.items())}
    await asyncio.to_thread(write, folder, {name: text for name, (_, text) in files.items()})
    return {name: events for name, (events, _) in files.items()}


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


@pytest.fixture(scope="session", autouse=True)
async def record_histories(temporal_client: Client, settings: Settings) -> AsyncIterator[None]:
    folder = os.environ.get("ATRIUM_RECORD_HISTORIES")
    yield
    if folder:
        queues = [settings.temporal.task_queue, settings.temporal.events_task_queue]
        written = await record(temporal_client, queues, Path(folder))
        print(f"\nrecorded {len(written)} histories into {folder}: {written}")
