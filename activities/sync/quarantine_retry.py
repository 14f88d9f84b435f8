"""Retry one quarantined record: map it again (the mapping may have been fixed) and write it."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.sync.context import SyncContext
from activities.sync.erased import REASON as ERASED_REASON
from activities.sync.fit import unfit_reason
from activities.sync.writes import WriteItem
from atrium.db import session_scope
from atrium.models.integration import utcnow
from atrium.models.quarantine import QuarantinedRecord
from atrium.privacy.store import is_erased
from atrium.sync.changes import map_page
from atrium.sync.mapping import RECORD_TYPES, describe
from atrium.sync.snapshots import snapshot
from atrium.sync.store import Saved
from atrium.sync.versions import idempotency_key, version_of


class RetryInput(BaseModel):
    quarantine_id: int
    mapping: str | None = None  # a stored mapping to use instead of the built-in one


class RetryResult(BaseModel):
    quarantine_id: int
    resolved: bool
    reason: str = ""


class QuarantineActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def _row(self, quarantine_id: int) -> QuarantinedRecord:
        with session_scope(self.ctx.engine) as session:
            row = session.exec(
                select(QuarantinedRecord).where(QuarantinedRecord.id == quarantine_id)
            ).first()
        if row is None:
            raise ApplicationError(f"no quarantined record {quarantine_id}", non_retryable=True)
        return row

    def _finish(self, quarantine_id: int, resolved: bool, reason: str) -> RetryResult:
        with session_scope(self.ctx.engine) as session:
            row = session.get(QuarantinedRecord, quarantine_id)
            assert row is not None
            row.status = "resolved" if resolved else "open"
            row.attempts += 0 if resolved else 1
            row.reason = reason[:2000] if reason else row.reason
            row.updated_at = utcnow()
            session.add(row)
            session.commit()
        return RetryResult(quarantine_id=quarantine_id, resolved=resolved, reason=reason)

    @activity.defn(name="quarantine_retry")
    async def retry(self, input: RetryInput) -> RetryResult:
        row = self._row(input.quarantine_id)
        if row.status == "resolved":
            return RetryResult(quarantine_id=input.quarantine_id, resolved=True)
        kind = row.record_type
        mapping: str | None = None  # a record quarantined at the target is not mapped again
        if row.stage in ("mapping", "validation"):
            compiled = self.ctx.mapping(kind, input.mapping)
            mapped, rejected = map_page(compiled, [row.payload])
            if rejected:
                return self._finish(input.quarantine_id, False, rejected[0].reason)
            record, version, mapping = mapped[0].record, mapped[0].version, compiled.label
        else:
            try:
                record = RECORD_TYPES[kind].model_validate(row.payload)
            except ValidationError as exc:
                return self._finish(input.quarantine_id, False, describe(exc))
            version = version_of(record.model_dump(mode="json"))
        person = str(getattr(record, "person_id", None) or record.source_id)
        if kind in ("users", "enrollments", "results") and is_erased(
            self.ctx.engine, [(person, None)]
        ):
            return self._finish(input.quarantine_id, False, ERASED_REASON)  # a tombstone
        if reason := unfit_reason(self.ctx.integration(row.integration).system, record):
            return self._finish(input.quarantine_id, False, reason)  # still unusable there
        key = idempotency_key(f"quarantine-{row.id}", f"{kind}/{record.source_id}", version)
        item = WriteItem(record.source_id, record, "create", key)
        writer = self.ctx.writer(row.integration)
        try:
            with self.ctx.runtime.translate(row.integration):
                outcome = await writer.write(kind, [item], bulk=False, batch_key=key)
        finally:
            await writer.aclose()
        if outcome.failed:
            return self._finish(input.quarantine_id, False, outcome.failed[record.source_id])
        self.ctx.store.save(
            row.integration,
            kind,
            key,
            [
                Saved(
                    record.source_id,
                    version,
                    "active",
                    outcome.target_ids.get(record.source_id),
                    record.date_last_modified,
                    snapshot(record),
                    mapping,
                )
            ],
        )
        return self._finish(input.quarantine_id, True, "")
