"""A rolling restart under a steady event load: signed webhooks (person.updated ->
profile-update, which writes Canvas) keep arriving through a readiness-aware gateway while each
API replica and then each worker is stopped with SIGTERM and started again, one at a time. No
webhook is refused or lost (every one answered 202 with its run) and every run completes."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
from temporalio.client import Client, WorkflowExecutionStatus

from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import DatabaseSettings, Settings, TemporalSettings
from bench.sync_stack import WorkerProcess
from tests.api.webhook_support import add_canvas, make_source, person_event, signed
from tests.resilience.cluster import database
from tests.resilience.replicas import ApiReplica, ComposeGateway
from tests.support.auth import login, make_user

RATE = 10  # webhooks per second
DRAIN = 3.0  # longer than the gateway's probe period (1 s): it sees "draining" before the stop


async def test_rolling_restart_loses_no_event_and_fails_no_run(
    settings: Settings, temporal_client: Client, sandbox_url: str, tmp_path: Path
) -> None:
    queue = f"rolling-{uuid.uuid4().hex[:6]}"
    with database() as db_url:
        upgrade(db_url)
        own = settings.model_copy(
            update={
                "state_dir": tmp_path,
                "database": DatabaseSettings(url=db_url),
                "temporal": TemporalSettings(
                    address=settings.temporal.address,
                    task_queue=queue,
                    events_task_queue=f"{queue}-events",
                ),
            }
        )
        engine = make_engine(db_url)
        canvas = await add_canvas(engine, Credentials(own.vault), sandbox_url)
        admin = make_user(engine, "administrator")
        engine.dispose()
        apis = [ApiReplica(own, tmp_path / f"api-{n}.log", DRAIN) for n in (1, 2)]
        workers = [WorkerProcess(own, tmp_path / f"worker-{n}.log") for n in (1, 2)]
        for api in apis:
            api.start()
        for worker in workers:
            worker.start()
        try:
            await asyncio.gather(*(api.ready() for api in apis))
            token = login(apis[0].url, admin)
            async with httpx.AsyncClient(
                base_url=apis[0].url, headers={"Authorization": f"Bearer {token}"}
            ) as admin_api:
                source, secret = await make_source(admin_api, integration=canvas)
            answers: list[httpx.Response] = []
            failed: list[str] = []
            async with ComposeGateway(apis, tmp_path / "gateway.log") as gateway:
                stop = asyncio.Event()

                async def load() -> None:
                    while not stop.is_set():
                        body, headers = signed(
                            secret, person_event(f"U{2 + len(answers) % 40:05d}")
                        )
                        send = gateway.post(
                            f"/api/v1/webhooks/{source}", content=body, headers=headers
                        )
                        try:
                            answers.append(await send)
                        except httpx.HTTPError as exc:  # refused by a replica that stopped
                            failed.append(repr(exc))
                        await asyncio.sleep(1 / RATE)

                sender = asyncio.create_task(load())
                await asyncio.sleep(2)
                for n, api in enumerate(apis):
                    assert await api.stop() in (0, -15)
                    # The container comes back at the same address, as compose restarts it.
                    replacement = ApiReplica(own, tmp_path / f"api-{n}-b.log", DRAIN, api.port)
                    apis[n] = replacement
                    replacement.start()
                    await replacement.ready()
                    await gateway.until_up(n + 1)
                for n, worker in enumerate(workers):
                    worker.stop()  # SIGTERM: graceful, the others take over
                    workers[n] = WorkerProcess(own, tmp_path / f"worker-{n}-b.log")
                    workers[n].start()
                    await asyncio.sleep(3)
                stop.set()
                await sender
                served = await gateway.served()
        finally:
            for api in apis:
                if api.process and api.process.poll() is None:
                    await api.stop()
            for worker in workers:
                worker.stop()

    refused = [(a.status_code, a.text[:200]) for a in answers if a.status_code != 202]
    assert not refused and not failed, (refused, failed)
    assert len(answers) >= 20 and len(served) == 2 and min(served.values()) > 0, served
    runs = [a.json()["workflow_id"] for a in answers]
    assert len(set(runs)) == len(runs) and all(a.json()["status"] == "started" for a in answers)
    for workflow_id in runs:
        handle = temporal_client.get_workflow_handle(workflow_id)
        await asyncio.wait_for(handle.result(), 60)
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
