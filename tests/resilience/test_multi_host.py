"""Atrium over five hosts (network namespaces on this machine): the API on two, workers on three,
one Temporal, one OpenBao and one PostgreSQL database. During a roster sync one worker host loses
its link; its activities time out on their heartbeats and are retried on the other workers, the
sync completes, and reconciliation finds nothing missing, extra or different, and Canvas holds
no enrollment twice. Requests go round robin over both API hosts and both serve some."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType, PendingActivityState
from temporalio.client import Client
from temporalio.service import RPCError

from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import Settings
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from tests.resilience.cluster import (
    Deployment,
    api_url,
    database,
    identity,
    postgres_port,
    wait_pollers,
    wait_ready,
)
from tests.resilience.gateway import RoundRobin
from tests.resilience.network import Host, network
from tests.resilience.reconcile import (
    canvas_sis_users,
    check_drift,
    check_no_duplicates,
    sis_users,
)
from tests.support.auth import PASSWORD, make_user
from tests.workflows.sync_env import SyncSandbox, start_sandbox
from workflows.roster_sync import RosterSync

SYNC_PAGE = "roster_sync_page"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("hosts-sandbox"))


async def register(api: RoundRobin, sandbox: SyncSandbox, gateway: str, system: str) -> str:
    name = f"{system}-{uuid.uuid4().hex[:6]}"
    port = sandbox.url.rsplit(":", 1)[1]
    made = await api.request(
        "POST",
        "/api/v1/integrations",
        json={"name": name, "system": system, "base_url": f"http://{gateway}:{port}/{system}"},
    )
    assert made.status_code == 201, made.text
    secret = await api.request(
        "PUT",
        f"/api/v1/integrations/{name}/secret",
        json={"values": dict(sandbox.contexts[system].credentials)},
    )
    assert secret.status_code == 200, secret.text
    return name


async def run_to_end(api: RoundRobin, process: str, body: dict[str, Any], seconds: float) -> Any:
    started = await api.request("POST", "/api/v1/runs", json={"process": process, "input": body})
    assert started.status_code == 201, started.text
    workflow_id = started.json()["workflow_id"]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = (await api.request("GET", f"/api/v1/runs/{workflow_id}")).json()
        if run.get("status") not in (None, "Running"):
            assert run["status"] == "Completed", run
            return workflow_id, run["result"]
        await asyncio.sleep(0.5)
    raise AssertionError(f"{process} did not finish in {seconds} s")


async def busy_worker(client: Client, workflow_id: str, workers: dict[str, Host]) -> Host:
    """A worker host running a sync page of the enrollments phase right now."""
    handle = client.get_workflow_handle(workflow_id)
    for _ in range(1200):
        try:
            status = await handle.query(RosterSync.status)
        except RPCError:  # not started yet
            status = None
        if status and status.phase == "enrollments":
            for pending in (await handle.describe()).raw_description.pending_activities:
                if (
                    pending.activity_type.name == SYNC_PAGE
                    and pending.last_worker_identity in workers
                    and pending.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                ):
                    return workers[pending.last_worker_identity]
        await asyncio.sleep(0.05)
    raise AssertionError("no worker was seen running an enrollments page")


async def test_sync_completes_when_a_worker_host_loses_its_link(
    sandbox: SyncSandbox,
    temporal_server: TemporalDevServer,
    openbao: OpenBaoServer,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
) -> None:
    queue = f"hosts-{uuid.uuid4().hex[:6]}"
    ports = [temporal_server.port, openbao.port, postgres_port(), int(sandbox.url.rsplit(":")[2])]
    assert settings.vault.token is not None
    with database() as db_url, network(5, ports, tmp_path) as net:
        upgrade(db_url)  # once, before five processes start on an empty database
        engine = make_engine(db_url)
        admin = make_user(engine, "administrator")
        engine.dispose()
        deployment = Deployment(
            gateway=net.gateway,
            temporal_port=temporal_server.port,
            vault_port=openbao.port,
            vault_token=settings.vault.token.get_secret_value(),
            database_url=db_url,
            task_queue=queue,
            events_task_queue=f"{queue}-events",
            state=tmp_path,
        )
        api_hosts, worker_hosts = net.hosts[:2], net.hosts[2:]
        for host in api_hosts:
            deployment.start(host, "api")
        workers = {identity(deployment.start(h, "worker")): h for h in worker_hosts}
        await asyncio.gather(*(wait_ready(api_url(h)) for h in api_hosts))
        await wait_pollers(temporal_client, queue, set(workers))

        api = RoundRobin([api_url(h) for h in api_hosts])
        try:
            login = await api.request(
                "POST", "/api/v1/auth/token", data={"username": admin, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            api.authenticate(login.json()["access_token"])
            source = await register(api, sandbox, net.gateway, "oneroster")
            target = await register(api, sandbox, net.gateway, "canvas")
            canvas_own = canvas_sis_users(sandbox)  # the LMS's own users, not from this SIS
            sync = {"integration": target, "source": source, "page_size": 100}
            sync |= {"concurrency": 3, "heartbeat_seconds": 3}
            running = asyncio.create_task(run_to_end(api, "roster-sync", sync, 150))
            cut = await busy_worker(temporal_client, f"roster-sync-{target}", workers)
            cut.cut()
            workflow_id, result = await running
            reconcile = {"integration": target, "source": source}
            _, report = await run_to_end(api, "reconciliation", reconcile, 60)
        finally:
            await api.aclose()

    assert result["totals"]["enrollments"]["fetched"] >= 1560
    check_drift({d["record_type"]: d for d in report["drift"]}, canvas_own, sis_users(sandbox))
    check_no_duplicates(sandbox)
    # The pages the cut host held were retried elsewhere: a later attempt, by another worker.
    cut_identity = next(i for i, h in workers.items() if h is cut)
    retried = []
    async for event in temporal_client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            if started.attempt > 1:
                retried.append(started.identity)
    assert retried and cut_identity not in retried and set(retried) <= set(workers)
    assert all(api.served[api_url(h)] > 0 for h in api_hosts), api.served
