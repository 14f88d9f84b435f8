"""Fault benchmark: ``python -m bench.faults --records 1000000``.

One full roster sync OneRoster -> Canvas of the given size on an embedded stack (Temporal's dev
server on a database file, OpenBao, the sandbox in its own process with fault injection, Atrium
workers as ``atrium worker`` subprocesses), with every fault of issue 17 striking during it:
- the sandbox answers 10 % 5xx, 2 % hung requests and rate limits for the whole run;
- OpenBao sealed for ``--seal-seconds`` as the run starts (before any worker read a secret);
- a worker SIGKILLed ``--kills`` times (a replacement started each time);
- the Temporal server restarted once, mid-run, on the same database file.
Then faults off, Atrium's reconciliation process, and Canvas's tables checked for duplicates.
Prints figures; the last line is machine-readable. The short variants run in the gate
(tests/resilience/test_faults.py). Also ``python -m bench.faults sandbox DIR SIZE PORT`` serves
the faulty sandbox (used by the benchmark itself).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.payload_codec import payload_codec
from atrium.settings import (
    DatabaseSettings,
    EgressSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect
from bench.sync import reset_canvas, size_for
from bench.sync_stack import SandboxProcess, WorkerProcess, free_port, register
from sandbox.context import Faults
from workflows.reconciliation import Reconciliation, ReconciliationInput
from workflows.roster_sync import RosterSync, RosterSyncInput

QUEUE = "bench-faults"
FAULTS = {
    "error_rate": 0.1,
    "timeout_rate": 0.02,
    "timeout_seconds": 5,
    "rate_limit_per_second": 50,
}


def faulty_app(data_dir: Path, size: str) -> FastAPI:
    """The benchmark's OneRoster + Canvas with the sandbox's fault middleware and controls."""
    from bench.sync_sandbox import build
    from sandbox.faults import FaultMiddleware

    app = build(data_dir, size)
    systems = {name: getattr(app.state, name) for name in ("oneroster", "canvas")}
    app.add_middleware(FaultMiddleware, systems=systems)

    @app.put("/_control/faults/{name}")
    async def set_faults(name: str, faults: Faults) -> Faults:
        systems[name].faults = faults
        return faults

    @app.delete("/_control/faults/{name}")
    async def clear_faults(name: str) -> Faults:
        systems[name].faults = Faults()
        return systems[name].faults

    return app


class FaultySandbox(SandboxProcess):
    def start(self, timeout: float = 1800) -> None:
        with self.log.open("ab") as out:
            argv = [sys.executable, "-m", "bench.faults", "sandbox", str(self.data_dir)]
            self.process = subprocess.Popen(
                [*argv, self.size, str(self.port)], stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_bench/credentials/canvas", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited; see {self.log}")
            time.sleep(0.5)
        raise RuntimeError("sandbox did not start")

    def faults(self, on: bool) -> None:
        for system in ("oneroster", "canvas"):
            url = f"{self.url}/_control/faults/{system}"
            answer = httpx.put(url, json=FAULTS) if on else httpx.delete(url)
            answer.raise_for_status()


def vault_call(bao: OpenBaoServer, action: str) -> None:
    if action == "seal":
        token = bao.token_file.read_text().strip()
        httpx.put(f"{bao.address}/v1/sys/seal", headers={"X-Vault-Token": token}).raise_for_status()
    else:
        key = bao.key_file.read_text().strip()
        httpx.put(f"{bao.address}/v1/sys/unseal", json={"key": key}).raise_for_status()


async def progress(handle: WorkflowHandle) -> tuple[int, int]:
    try:
        status = await handle.query(RosterSync.status)
        return status.pages_done, status.pages_total
    except RPCError:  # the server restarting, or the run not started
        return 0, 0


async def at_share(handle: WorkflowHandle, share: float) -> None:
    while True:
        done, total = await progress(handle)
        if total and done >= share * total:
            return
        await asyncio.sleep(0.5)


async def polling(client: Client, count: int, seconds: float = 120) -> None:
    """Until ``count`` workers poll the queue for activities."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=QUEUE),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        if len(found.pollers) >= count:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{count} workers not polling after {seconds:.0f}s")


async def retried_pages(handle: WorkflowHandle) -> int:
    count = 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            count += event.activity_task_started_event_attributes.attempt > 1
    return count


def canvas_duplicates(data_dir: Path) -> tuple[int, int]:
    """(enrollments in Canvas sections, how many of them are a second copy)."""
    with sqlite3.connect(data_dir / "canvas.db") as lms:
        total, distinct = lms.execute(
            "SELECT COUNT(*), COUNT(DISTINCT e.user_id || '/' || e.course_section_id)"
            " FROM enrollments e"
        ).fetchone()
    return int(total), int(total) - int(distinct)


async def run(args: argparse.Namespace) -> str:
    size = size_for(args.records)
    work = Path(tempfile.mkdtemp(prefix="atrium-bench-faults-"))
    data = Path(args.sandbox_dir or f".atrium/bench-sync/{size}").resolve()  # noqa: ASYNC240
    data.mkdir(parents=True, exist_ok=True)
    reset_canvas(data)
    temporal = TemporalDevServer(
        port=free_port(), ui_port=free_port(), db_file=work / "temporal.db"
    )
    bao = OpenBaoServer(work / "bao", port=free_port())
    sandbox = FaultySandbox(data, size, work / "sandbox.log")
    workers: list[WorkerProcess] = []
    temporal.start()
    bao.start()
    try:
        print(f"size={size}: starting the sandbox (first run of a size seeds it) ...", flush=True)
        sandbox.start()
        settings = Settings(
            state_dir=work / "atrium",
            temporal=TemporalSettings(address=temporal.address, task_queue=QUEUE),
            vault=VaultSettings(address=bao.address, token=bao.token_file.read_text().strip()),
            database=DatabaseSettings(url=f"sqlite:///{work / 'atrium.db'}"),
            egress=EgressSettings(allowed_hosts=["127.0.0.1"]),  # the local sandbox
        )
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        credentials = Credentials(settings.vault)
        for name, system in (("sis", "oneroster"), ("lms", "canvas")):
            url = f"{sandbox.url}/{system}"
            await register(engine, credentials, name, system, url, sandbox.credentials(system))
        client = await connect(
            settings.temporal, codec=payload_codec(credentials, settings.temporal.payload_key)
        )
        for n in range(args.workers):
            workers.append(WorkerProcess(settings, work / f"worker-{n}.log"))
            workers[-1].start()
        # Sealed once the workers run: what is measured is a run riding out the outage (a worker
        # started against a sealed Vault waits for it: tests/resilience/test_vault_sealed_at_start).
        await polling(client, args.workers)
        with sqlite3.connect(data / "canvas.db") as lms:
            own = {
                r[0] for r in lms.execute("SELECT sis_user_id FROM logins WHERE sis_user_id != ''")
            }
        sandbox.faults(on=True)
        started = time.perf_counter()
        handle = await client.start_workflow(
            RosterSync.run,
            RosterSyncInput(
                integration="lms",
                source="sis",
                page_size=args.page_size,
                concurrency=args.concurrency,
                heartbeat_seconds=args.heartbeat,
            ),  # fmt: skip
            id="roster-sync-lms-faults",
            task_queue=QUEUE,
        )
        vault_call(bao, "seal")
        await asyncio.sleep(args.seal_seconds)
        vault_call(bao, "unseal")
        print(f"vault sealed {args.seal_seconds}s at the start, unsealed", flush=True)
        shares = [0.1 + 0.7 * i / max(1, args.kills - 1) for i in range(args.kills)]
        restart_at = 0.5
        for share in sorted([*shares, restart_at]):
            await at_share(handle, share)
            if share == restart_at:
                temporal.stop()
                temporal.start()
                print(f"temporal restarted at {share:.0%} of pages", flush=True)
                continue
            victim = next(w for w in workers if w.process and w.process.poll() is None)
            victim.kill()
            workers.append(WorkerProcess(settings, work / f"worker-{len(workers)}.log"))
            workers[-1].start()
            print(f"worker SIGKILLed at {share:.0%} of pages, replacement started", flush=True)
        result = await handle.result()
        sync_s = time.perf_counter() - started
        sandbox.faults(on=False)
        retried = await retried_pages(handle)
        enrollments = result.totals["enrollments"]
        print(
            f"sync under faults: {enrollments.fetched} enrollments in {sync_s:.0f}s,"
            f" {retried} activity calls retried",
            flush=True,
        )
        started = time.perf_counter()
        report = await client.execute_workflow(
            Reconciliation.run,
            ReconciliationInput(integration="lms", source="sis"),
            id="reconcile-lms-faults",
            task_queue=QUEUE,
        )
        drift = {d.record_type: d for d in report.drift}
        with sqlite3.connect(data / "oneroster.db") as sis_db:
            sis = {
                r[0] for r in sis_db.execute("SELECT sourcedId FROM users WHERE status='active'")
            }
        lost = sum(d.missing_count for d in drift.values())
        different = sum(d.different_count for d in drift.values())
        extra = drift["enrollments"].extra_count + drift["users"].extra_count - len(own - sis)
        in_canvas, twice = canvas_duplicates(data)
        print(
            f"reconciliation in {time.perf_counter() - started:.0f}s: lost={lost}"
            f" different={different} extra={extra}; Canvas enrollments={in_canvas} twice={twice}",
            flush=True,
        )
        return (
            f"faults records={enrollments.fetched} seconds={sync_s:.0f} kills={args.kills}"
            f" temporal_restarts=1 vault_sealed_s={args.seal_seconds} retried={retried}"
            f" lost={lost} different={different} extra={extra} duplicated={twice}"
        )
    finally:
        for worker in workers:
            worker.stop()
        sandbox.stop()
        bao.stop()
        temporal.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    if sys.argv[1:2] == ["sandbox"]:
        import uvicorn

        data_dir, size, port = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        app = faulty_app(data_dir, size)
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="enrollment-level records")
    parser.add_argument("--page-size", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=3, help="pages in flight")
    parser.add_argument("--workers", type=int, default=2, help="worker processes at a time")
    parser.add_argument("--kills", type=int, default=5, help="workers SIGKILLed during the run")
    parser.add_argument("--seal-seconds", type=float, default=30.0)
    parser.add_argument("--heartbeat", type=int, default=10, help="pages' heartbeat timeout (s)")
    parser.add_argument("--sandbox-dir", help="where the seeded sandbox is kept between runs")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
