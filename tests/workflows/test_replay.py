"""Safe upgrades: recorded histories of every process replay against the current workflow code,
so a change that would break runs in flight (a command added, removed or reordered without
``workflow.patched``) fails the gate. Record anew, after a deliberate and patched change, with the
command in tests/support/histories.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from atrium.correlation import CorrelationInterceptor
from worker import EVENTS_WORKFLOWS, WORKFLOWS
from workflows.announce import AnnounceRuns

HISTORIES = Path(__file__).parent / "histories"
RECORDED = sorted(HISTORIES.glob("*.json"))


def replayer() -> Replayer:
    workflows = list(dict.fromkeys([*WORKFLOWS, *EVENTS_WORKFLOWS()]))
    return Replayer(
        workflows=workflows,
        interceptors=[CorrelationInterceptor(), AnnounceRuns()],
        data_converter=pydantic_data_converter,  # recorded decoded: no payload keys needed
    )


def test_every_workflow_has_a_recorded_history() -> None:
    recorded = {path.name.split(".")[0] for path in RECORDED}
    every = {*WORKFLOWS, *EVENTS_WORKFLOWS()}
    names = {getattr(w, "__temporal_workflow_definition").name for w in every}
    missing = sorted(names - recorded)
    assert not missing, (
        f"no recorded history for {missing}: record them (tests/support/histories.py)"
    )


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_history_replays_on_current_code(path: Path) -> None:
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(path.name.split(".")[0], text)
    await replayer().replay_workflow(history)
