"""The batch activity of the webhook intake: apply many intake events in one activity, each at
most once by its intake row (a retried attempt skips what an earlier one finished), coalescing
events that supersede each other (three email changes of one person: one write, the last).

An attempt that died mid-batch (its worker was killed) leaves rows it may have written but not
marked: the batch run named on them says so, and the next attempt reads the target first and
writes only what it does not hold yet, so no event's change is written twice."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from activities.profile import ProfileActivities, ProfileFields, UpdateProfileInput
from atrium.intake.store import IntakeStore
from connectors.canvas import CanvasClient, sis

# Subjects written at once (the connection's outbound budget still applies); one subject's
# writes are never concurrent.
CONCURRENCY = 32
THROTTLED_TRIES = 5  # a rate-limited write is tried this often within one attempt


class BatchInput(BaseModel):
    process: str
    intake_ids: list[int]


class BatchResult(BaseModel):
    applied: int  # events now done (coalesced ones included)
    writes: int  # writes made to the target system
    skipped: int  # already done by an earlier attempt
    failed: int


def _merge(inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Later events' fields win; a field a later event leaves out keeps the earlier value."""
    fields: dict[str, Any] = {}
    for item in inputs:
        fields.update({k: v for k, v in item.get("fields", {}).items() if v is not None})
    return {**inputs[-1], "fields": fields}


def _throttled(exc: BaseException) -> bool:
    return isinstance(exc, ApplicationError) and exc.type == "RateLimited"


def _as_told(state: RetryCallState) -> float:
    """The wait the refusal asked for (Retry-After, or the client's pause), 0.1-5 s."""
    exc = state.outcome.exception() if state.outcome else None
    told = getattr(exc, "next_retry_delay", None)
    return min(max(told.total_seconds() if told else 1.0, 0.1), 5.0)


class IntakeActivities:
    def __init__(self, engine: Engine, profile: ProfileActivities) -> None:
        self.store = IntakeStore(engine)
        self.profile = profile

    @activity.defn(name="apply_intake_batch")
    async def apply_batch(self, batch: BatchInput) -> BatchResult:
        if batch.process != "profile-update":
            raise ApplicationError(
                f"process {batch.process!r} has no batch form",
                type="NotBatchable",
                non_retryable=True,
            )
        rows = await asyncio.to_thread(self.store.load, batch.intake_ids)
        todo = [r for r in rows if r.status != "done" and r.status != "failed"]
        batch_id = activity.info().workflow_id or f"intake-batch:{batch.process}"
        # Rows an earlier attempt (this batch's or another's) began may be written already.
        uncertain = {r.id for r in todo if r.batch_id is not None}
        if todo:
            await asyncio.to_thread(self.store.assign, [r.id for r in todo], batch_id)
        by_subject: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in todo:  # rows come in intake order
            by_subject[(row.input.get("integration", "canvas"), row.input["person_id"])].append(row)
        gate = asyncio.Semaphore(CONCURRENCY)
        done: list[int] = []
        coalesced: dict[int, int] = {}  # superseded event -> the later event whose write carried it
        failed: list[tuple[int, str]] = []
        writes: list[str] = []

        async def apply(rows_of_subject: list[Any]) -> None:
            ids = [r.id for r in rows_of_subject]
            try:
                merged = _merge([r.input for r in rows_of_subject])
                update = UpdateProfileInput(
                    integration=merged.get("integration", "canvas"),
                    person_id=merged["person_id"],
                    fields=ProfileFields.model_validate(merged["fields"]),
                )
            except (ValidationError, KeyError) as exc:
                failed.extend((i, f"invalid input: {exc}") for i in ids)
                return
            async with gate:
                try:
                    if not (uncertain & set(ids) and await self._holds(update)):
                        await self._write(update)
                        writes.append(update.person_id)
                except ApplicationError as exc:
                    if not exc.non_retryable:
                        raise
                    failed.extend((i, str(exc)) for i in ids)
                    return
            done.append(ids[-1])
            coalesced.update((i, ids[-1]) for i in ids[:-1])

        try:
            results = await asyncio.gather(
                *(apply(group) for group in by_subject.values()), return_exceptions=True
            )
        finally:  # what was applied is recorded even when another subject's write failed
            if done:
                await asyncio.to_thread(self.store.finish, done, mode="batch", batch_id=batch_id)
            if coalesced:
                await asyncio.to_thread(self.store.finish_coalesced, coalesced, batch_id)
            for id_, reason in failed:
                await asyncio.to_thread(
                    self.store.finish,
                    [id_],
                    status="failed",
                    mode="batch",
                    batch_id=batch_id,
                    reason=reason,
                )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:  # retried: the next attempt skips the subjects done above
            raise errors[0]
        return BatchResult(
            applied=len(done) + len(coalesced),
            writes=len(writes),
            skipped=len(rows) - len(todo),
            failed=len(failed),
        )

    async def _write(self, update: UpdateProfileInput) -> None:
        """One subject's write; refused by the system's rate limit (Canvas's throttle answers
        403 when too many calls are in flight), it waits as told and tries again here, so one
        throttled write does not fail the batch's attempt and delay every other event in it."""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_throttled),
            wait=_as_told,
            stop=stop_after_attempt(THROTTLED_TRIES),
            reraise=True,
        ):
            with attempt:
                await self.profile.update_profile(update)

    async def _holds(self, update: UpdateProfileInput) -> bool:
        """Whether Canvas already holds the update (an attempt that died wrote it unmarked)."""
        runtime = self.profile.runtime
        row = await runtime.aconnection(update.integration, "canvas")
        client = runtime.client(row, CanvasClient)
        with runtime.translate(update.integration):
            user = await client.get_user(sis("user", update.person_id))
        fields = update.fields
        return (fields.email is None or user.email == fields.email) and (
            fields.preferred_first_name is None or user.short_name == fields.preferred_first_name
        )
