"""Adaptive dispatch of the durable intake (one per API process).

While this process keeps up, the request that committed an event starts its run itself, at once
(eager start, a run per event, as before the intake). Once starts pile up (more than
``eager_max_inflight`` in flight) or events are already waiting, new events are only committed
and answered 202 ``queued``; this dispatcher claims them from the store in intake order and starts
a batch run per process (``event-batch``: one run applying up to ``batch_max`` events; in this
process while the backlog is small, on the workers' queue once ``batch_in_api_below`` wait) or,
for a few events or a process with no batch form, a run each. Claims are leased: events claimed
by a process that died are taken again after ``lease_seconds``, and a restarted API finds what it
left.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import structlog
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError

from activities.intake import BatchInput
from atrium.group_commit import GroupCommit
from atrium.intake.store import Accepted, Claimed, IntakeStore, NewEvent
from atrium.settings import IntakeSettings
from atrium.temporal import TaskQueues
from workflows.event_batch import WORKFLOW_TYPE as BATCH_WORKFLOW
from workflows.event_batch import batch_workflow_id

log = structlog.get_logger("webhooks.intake")
BATCHABLE = frozenset({"profile-update"})  # processes activities/intake.py can apply in a batch
StartRun = Callable[[Client, Claimed], Awaitable[str | None]]


def subject_chunks(rows: list[Claimed], size: int) -> list[list[Claimed]]:
    """The claimed rows in batches of about ``size`` (more only for one subject's many events),
    each subject's rows all in one batch: the batches of one claim run at once, so a subject
    split over two would be written out of order (seen at 300 events/s: the earlier email last).
    """
    groups: dict[str, list[Claimed]] = defaultdict(list)
    for row in rows:
        groups[row.subject if row.subject is not None else f"#{row.id}"].append(row)
    chunks: list[list[Claimed]] = [[]]
    for group in groups.values():
        if chunks[-1] and len(chunks[-1]) + len(group) > size:
            chunks.append([])
        chunks[-1].extend(group)
    return [sorted(chunk, key=lambda row: row.id) for chunk in chunks if chunk]


class Dispatcher:
    def __init__(
        self,
        store: IntakeStore,
        settings: IntakeSettings,
        queues: TaskQueues,
        client: Callable[[], Client],
        start_run: StartRun,
    ) -> None:
        self.store = store
        self.settings = settings
        self.queues = queues
        self.client = client
        self.start_run = start_run
        self.identity = f"api:{os.getpid()}@{socket.gethostname()}"[:127]
        self._append: GroupCommit[NewEvent, Accepted] = GroupCommit(store.append, name="intake")
        self._started: GroupCommit[tuple[int, str | None], None] = GroupCommit(
            self._finish_runs, name="intake-done"
        )
        self.inflight = 0  # per-event starts in flight in this process
        self.backlog = 0  # events the last claim found waiting (0: none)
        self.depth = 0  # events unfinished in the store (all processes'), refreshed each round
        self.oldest_seconds = 0.0  # how long the oldest of them has waited
        self.batching = False
        self._wake = asyncio.Event()
        self._batch_done = asyncio.Event()
        self._batches = asyncio.Semaphore(settings.max_inflight_batches)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.Task[None] | None = None

    # --- the request's side -----------------------------------------------------------------
    def eager(self) -> bool:
        """Whether a new event should start its own run now rather than wait in the intake."""
        return (
            not self.batching
            and self.backlog == 0
            and self.inflight < self.settings.eager_max_inflight
        )

    async def append(self, event: NewEvent) -> Accepted:
        """Commit the event (with whatever else arrives meanwhile, one transaction)."""
        return await self._append.submit(event)

    def started(self, intake_id: int, run_id: str | None) -> None:
        """The request started the event's own run: mark it done (batched, in the background; if
        this process dies first, the lease runs out and the run is joined, not started again)."""
        self._spawn(self._started.submit((intake_id, run_id)))

    async def release(self, intake_id: int) -> None:
        await asyncio.to_thread(self.store.release, [intake_id])
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    def full(self) -> bool:
        """Whether the intake holds as many unfinished events as it may (answer 429)."""
        return 0 < self.settings.max_depth <= self.depth

    def queued(self) -> None:
        self.depth += 1  # until the next refresh counts it
        self.wake()

    @property
    def mode(self) -> str:
        return "batch" if self.batching else "eager"

    def _finish_runs(self, started: list[tuple[int, str | None]]) -> list[None]:
        self.store.finish_runs(started)
        return [None] * len(started)

    # --- the dispatcher's loop ----------------------------------------------------------------
    def start(self) -> None:
        self._wake.set()  # at once: events a previous process committed and never dispatched
        self._loop = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with suppress(asyncio.CancelledError):
                await self._loop
        await self._append.drain()
        await self._started.drain()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
        self._append.close()
        self._started.close()

    async def _run(self) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
            self._wake.clear()
            try:
                await self._refresh_depth()
                await self._drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the store or Temporal is down: try again next round
                log.warning("intake dispatch failed", error=f"{type(exc).__name__}: {exc}")
                self.batching, self.backlog = False, 0

    async def _refresh_depth(self) -> None:
        depth = await asyncio.to_thread(self.store.depth)
        self.depth = depth["pending"] + depth["claimed"]
        self.oldest_seconds = depth["age"]

    async def _drain(self) -> None:
        """Claim and dispatch until nothing claimable is left."""
        size = self.settings.batch_max * self.settings.max_inflight_batches
        while True:
            if self.batching and self.settings.batch_wait_ms:
                await asyncio.sleep(self.settings.batch_wait_ms / 1000)  # let a batch fill
            claimed, seen = await asyncio.to_thread(
                self.store.claim, self.identity, size, self.settings.lease_seconds
            )
            if not claimed:
                if not seen:  # nothing waiting: back to a run per event
                    self.batching, self.backlog = False, 0
                    return
                # Everything waiting is behind an earlier event of its subject still in flight.
                self._batch_done.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._batch_done.wait(), self.settings.poll_seconds)
                continue
            # Batching only while claims keep finding enough for a batch: a trickle goes back
            # to a run per event, started by the requests themselves.
            self.backlog = seen - len(claimed)
            self.batching = await self._dispatch(claimed)

    async def _dispatch(self, claimed: list[Claimed]) -> bool:
        """Start runs for what was claimed; whether any batch run was among them."""
        by_process: dict[str, list[Claimed]] = defaultdict(list)
        for row in claimed:
            by_process[row.process].append(row)
        singles: list[Claimed] = []
        batched = False
        in_api = self.backlog + len(claimed) < self.settings.batch_in_api_below
        for process, rows in by_process.items():
            if process not in BATCHABLE or len(rows) < self.settings.batch_min:
                singles.extend(rows)
                continue
            batched = True
            for chunk in subject_chunks(rows, self.settings.batch_max):
                await self._batches.acquire()  # bounded: at most so many batch runs in flight
                self._spawn(self._run_batch(process, chunk, in_api))
        if singles:
            await self._start_each(singles)
        return batched

    async def _start_each(self, rows: list[Claimed]) -> None:
        """A run per event; one subject's events one after another, each run awaited before the
        next starts (and before it is marked done, so a later claim keeps the order too)."""
        client = self.client()
        by_subject: dict[str | None, list[Claimed]] = defaultdict(list)
        for row in rows:
            by_subject[row.subject if row.subject is not None else f"#{row.id}"].append(row)
        started: list[tuple[int, str | None]] = []
        failed: list[tuple[int, str]] = []
        unstarted: list[int] = []

        async def chain(subject_rows: list[Claimed]) -> None:
            for n, row in enumerate(subject_rows):
                try:
                    run_id = await self.start_run(client, row)
                except (RPCError, TimeoutError) as exc:
                    log.warning("intake start failed", event_id=row.event_id, error=repr(exc))
                    unstarted.extend(r.id for r in subject_rows[n:])  # keep their order: later
                    return
                try:
                    await client.get_workflow_handle(row.workflow_id, run_id=run_id).result()
                    started.append((row.id, run_id))
                except WorkflowFailureError as exc:
                    failed.append((row.id, f"run {row.workflow_id} failed: {exc.cause}"))

        await asyncio.gather(*(chain(group) for group in by_subject.values()))
        if started:
            await asyncio.to_thread(self.store.finish_runs, started)
        for id_, reason in failed:
            await asyncio.to_thread(
                self.store.finish, [id_], status="failed", mode="run", reason=reason
            )
        if unstarted:
            await asyncio.to_thread(self.store.release, unstarted)

    async def _run_batch(self, process: str, rows: list[Claimed], in_api: bool) -> None:
        ids = [row.id for row in rows]
        workflow_id = batch_workflow_id(process, ids)
        try:
            handle = await self.client().start_workflow(
                BATCH_WORKFLOW,
                BatchInput(process=process, intake_ids=ids),
                id=workflow_id,
                # A small backlog is applied here at once; a large one on the workers, which
                # leaves this process's core to the intake (settings: batch_in_api_below).
                task_queue=self.queues.events if in_api else self.queues.main,
                # The same batch again (a lease ran out while it ran) joins it; after a failure
                # it may run again, applying only what the failed run did not.
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                request_eager_start=in_api,
            )
            await handle.result()
        except WorkflowFailureError as exc:
            reason = f"batch {workflow_id} failed: {exc.cause}"
            log.error("intake batch failed", workflow_id=workflow_id, error=str(exc.cause))
            await asyncio.to_thread(self._fail_unfinished, ids, workflow_id, reason)
        except Exception as exc:  # Temporal unreachable: the events go back to the intake
            log.warning("intake batch not run", workflow_id=workflow_id, error=type(exc).__name__)
            await asyncio.to_thread(self.store.release, ids)
        finally:
            self._batches.release()
            self._batch_done.set()
            self.wake()

    def _fail_unfinished(self, ids: list[int], batch_id: str, reason: str) -> None:
        unfinished = [r.id for r in self.store.load(ids) if r.status == "claimed"]
        if unfinished:
            self.store.finish(
                unfinished, status="failed", mode="batch", batch_id=batch_id, reason=reason
            )

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
