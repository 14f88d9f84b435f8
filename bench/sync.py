"""Sync benchmark: ``python -m bench.sync --records 1000000 [--changes 100]``.

Runs, on an embedded stack started on free ports (Temporal dev server in memory, OpenBao, the
OneRoster + Canvas sandbox in its own process, an Atrium worker subprocess):
1. Atrium's full roster sync OneRoster -> Canvas (SIS Import path), timed;
2. with ``--changes N``: N enrollments changed in the SIS, then an incremental sync, timed;
3. the baseline: a plain script copying the same records between the same two sandboxes (Canvas
   reset first), timed.
Throughput counts every record moved (schools, terms, classes, users and enrollments). The last
line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

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
from bench.sync_baseline import copy_all
from bench.sync_stack import SandboxProcess, WorkerProcess, free_port, register
from sandbox.generator import SIZES
from workflows.roster_sync import RosterSync, RosterSyncInput, RosterSyncResult


def size_for(records: int) -> str:
    fitting = sorted(
        (spec.enrollments, name) for name, spec in SIZES.items() if spec.enrollments >= records
    )
    if not fitting:
        raise SystemExit(f"--records: at most {max(s.enrollments for s in SIZES.values())}")
    return fitting[0][1]


def reset_canvas(data_dir: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"canvas.db{suffix}").unlink(missing_ok=True)
    shutil.rmtree(data_dir / "canvas_sis_uploads", ignore_errors=True)


def moved(result: RosterSyncResult) -> int:
    return sum(t.created + t.updated + t.unchanged for t in result.totals.values())


async def run(args: argparse.Namespace) -> str:
    size = size_for(args.records)
    work = Path(tempfile.mkdtemp(prefix="atrium-bench-sync-"))
    data = Path(  # noqa: ASYNC240 - set-up, before anything is timed
        args.sandbox_dir or f".atrium/bench-sync/{size}"
    ).resolve()  # the SIS seed is reused
    data.mkdir(parents=True, exist_ok=True)
    reset_canvas(data)
    temporal = TemporalDevServer(port=free_port(), ui_port=free_port())
    bao = OpenBaoServer(work / "bao", port=free_port())
    sandbox = SandboxProcess(data, size, work / "sandbox.log")
    worker: WorkerProcess | None = None
    temporal.start()
    bao.start()
    try:
        print(
            f"size={size}: seeding/starting the sandbox (first run of a size seeds it) ...",
            flush=True,
        )
        sandbox.start()
        settings = Settings(
            state_dir=work / "atrium",
            temporal=TemporalSettings(address=temporal.address, task_queue="bench-sync"),
            vault=VaultSettings(address=bao.address, token=bao.token_file.read_text().strip()),
            database=DatabaseSettings(url=f"sqlite:///{work / 'atrium.db'}"),
            egress=EgressSettings(allowed_hosts=["127.0.0.1"]),  # the local sandbox
        )
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        credentials = Credentials(settings.vault)
        await register(
            engine,
            credentials,
            "sis",
            "oneroster",
            f"{sandbox.url}/oneroster",
            sandbox.credentials("oneroster"),
        )
        await register(
            engine,
            credentials,
            "lms",
            "canvas",
            f"{sandbox.url}/canvas",
            sandbox.credentials("canvas"),
        )
        worker = WorkerProcess(settings, work / "worker.log")
        worker.start()
        client = await connect(
            settings.temporal, codec=payload_codec(credentials, settings.temporal.payload_key)
        )
        options = {"page_size": args.page_size, "concurrency": args.concurrency}

        async def sync(mode: str) -> tuple[RosterSyncResult, float]:
            started = time.perf_counter()
            result = await client.execute_workflow(
                RosterSync.run,
                RosterSyncInput(integration="lms", source="sis", mode=mode, **options),  # type: ignore[arg-type]
                id=f"roster-sync-lms-{mode}",
                task_queue="bench-sync",
            )
            return result, time.perf_counter() - started

        if args.trace:
            print("worker ready after", await wait_for_worker(client), flush=True)
        full, atrium_s = await sync("full")
        if args.trace:
            await trace(client, "roster-sync-lms-full")
        records = moved(full)
        enrollments = full.totals["enrollments"].created
        print(
            f"atrium full sync: {records} records ({enrollments} enrollments) in {atrium_s:.1f}s",
            flush=True,
        )
        peak = worker.peak_rss_mb()
        incremental_line = ""
        if args.changes:
            async with httpx.AsyncClient(base_url=f"{sandbox.url}/oneroster", timeout=60) as http:
                answer = await http.post(
                    "/_control/mutate",
                    json={
                        "collection": "enrollments",
                        "count": args.changes,
                        "set": {"endDate": new_end_date()},
                    },
                )
                answer.raise_for_status()
            inc, inc_s = await sync("incremental")
            applied = inc.totals["enrollments"].updated
            print(
                f"atrium incremental: {applied} of {args.changes} changes applied in {inc_s:.2f}s",
                flush=True,
            )
            incremental_line = (
                f"incremental records={enrollments} changes={applied} seconds={inc_s:.2f}"
            )
        worker.stop()
        sandbox.stop()
        reset_canvas(data)
        sandbox.start()
        started = time.perf_counter()
        copied = await copy_all(
            sandbox.url,
            sandbox.credentials("oneroster"),
            sandbox.credentials("canvas")["token"],
            args.page_size,
        )
        baseline_s = time.perf_counter() - started
        base_records = sum(copied.values())
        print(f"baseline plain copy: {base_records} records in {baseline_s:.1f}s", flush=True)
        atrium_rps, baseline_rps = records / atrium_s, base_records / baseline_s
        sync_line = (
            f"sync records={enrollments} atrium_rps={atrium_rps:.0f}"
            f" baseline_rps={baseline_rps:.0f}"
            f" ratio={atrium_rps / baseline_rps:.2f} peak_rss_mb={peak:.0f}"
        )
        return f"{sync_line}\n{incremental_line}" if incremental_line else sync_line
    finally:
        if worker:
            worker.stop()
        sandbox.stop()
        bao.stop()
        temporal.stop()
        shutil.rmtree(work, ignore_errors=True)


def new_end_date() -> str:
    """A date no recent run used, so every chosen record really changes."""
    return (date(2027, 1, 1) + timedelta(days=int(time.time()) % 3000)).isoformat()


async def wait_for_worker(client: Client) -> float:
    started = time.perf_counter()
    while True:
        found = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace, task_queue=TaskQueue(name="bench-sync")
            )
        )
        if found.pollers:
            return time.perf_counter() - started
        await asyncio.sleep(0.1)


async def trace(client: Client, workflow_id: str) -> None:
    """Per activity type: count, mean schedule-to-start and start-to-close, from the history."""
    scheduled: dict[int, tuple[str, float]] = {}
    started: dict[int, float] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    first = None
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        at = event.event_time.ToDatetime().timestamp()
        first = first or at
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name,
                at,
            )
        elif event.HasField("activity_task_started_event_attributes"):
            started[event.activity_task_started_event_attributes.scheduled_event_id] = at
        elif event.HasField("activity_task_completed_event_attributes"):
            sid = event.activity_task_completed_event_attributes.scheduled_event_id
            name, sched = scheduled[sid]
            spans.setdefault(name, []).append((started[sid] - sched, at - started[sid]))
    for name, items in spans.items():
        wait = sum(w for w, _ in items) / len(items)
        run = sum(r for _, r in items) / len(items)
        print(f"  {name}: {len(items)} x, queue {wait:.2f}s, run {run:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="enrollment-level records")
    parser.add_argument("--changes", type=int, default=0, help="also time an incremental sync")
    parser.add_argument("--page-size", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=3, help="pages in flight")
    parser.add_argument("--sandbox-dir", help="where the seeded sandbox is kept between runs")
    parser.add_argument("--trace", action="store_true", help="print where the time went")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
