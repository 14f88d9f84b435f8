"""Who started a run is the authenticated caller, never what the caller wrote: ``POST /runs``
sets a process's ``started_by`` input from the caller (whatever the body says), and the designed
processes' interpreter, whose starter may not approve its steps, cannot be started there."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import Client

from workflows.process import Process
from workflows.registry import PROCESSES


class ProbeInput(BaseModel):
    note: str
    started_by: str = ""


@workflow.defn(name="starter-probe")
class StarterProbe:  # served by no worker: the test reads the run's input and terminates it
    @workflow.run
    async def run(self, input: ProbeInput) -> None:
        return None


PROBE = Process(
    name="starter-probe",
    workflow=StarterProbe,
    input_model=ProbeInput,
    description="a test's process whose input names its starter",
    workflow_id=lambda i: f"starter-probe-{i.note}",
)


async def test_the_starter_is_the_caller_not_the_body(
    api: httpx.AsyncClient, temporal_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(PROCESSES, PROBE.name, PROBE)  # the API serves from this process
    me = (await api.get("/api/v1/auth/me")).json()["subject"]
    note = uuid.uuid4().hex[:8]
    body = {"process": PROBE.name, "input": {"note": note, "started_by": "someone-else"}}
    answer = await api.post("/api/v1/runs", json=body)
    assert answer.status_code == 201, answer.text
    workflow_id = answer.json()["workflow_id"]
    try:
        run = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
        assert run["input"]["started_by"] == me != "someone-else"
    finally:
        await temporal_client.get_workflow_handle(workflow_id).terminate("test over")


async def test_designed_runs_are_not_started_through_the_generic_route(
    api: httpx.AsyncClient,
) -> None:
    forged = {
        "name": "any",
        "version": 1,
        "content_hash": "0" * 64,
        "started_by": "someone-else",
        "run_key": "k",
    }
    answer = await api.post("/api/v1/runs", json={"process": "designed-process", "input": forged})
    assert answer.status_code == 422 and "process" in answer.json()["error"]
