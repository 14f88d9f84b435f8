"""Roster sync activities: plan the pages, sync one page, deactivate, move the cursors.

A page activity fetches one page from the SIS, maps and validates it (bad records are
quarantined), compares it with the sync-state store, writes only what changed to the LMS (one
SIS Import for the page, or REST calls for small deltas) and records the new versions. Every write
carries an idempotency key derived from (run, record, version): a retried page rewrites nothing
it already wrote, and the store only moves after the target confirmed the write.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import activity

from activities.sync.context import SyncContext, heartbeat
from activities.sync.contracts import (
    CursorInput,
    DeletionCount,
    DeletionCountInput,
    DeletionPageInput,
    DeletionPageResult,
    PageInput,
    PageResult,
    PlanInput,
    PlanResult,
)
from activities.sync.erased import split_erased
from activities.sync.fit import split_unfit
from activities.sync.package_pages import PackagePages
from activities.sync.synced_events import SyncedRecord, announce_synced
from activities.sync.writes import WriteItem
from atrium.metrics import sync as metrics
from atrium.sync.changes import Change, Mapped, Rejected, classify_page, map_page
from atrium.sync.mapping import CompiledMapping
from atrium.sync.quarantine import quarantine, resolve
from atrium.sync.snapshots import restore, snapshot
from atrium.sync.store import Saved
from atrium.sync.versions import idempotency_key, version_of
from connectors.oneroster.pages import page_records


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class RosterActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    @activity.defn(name="roster_plan")
    async def plan(self, input: PlanInput) -> PlanResult:
        totals: dict[str, int] = {}
        filters: dict[str, str | None] = {}
        package: int | None = None
        async with self.ctx.borrow_roster(input.source, input.package) as source:
            for record_type in input.record_types:
                cursor = (
                    self.ctx.store.cursor(input.target, record_type) if input.incremental else None
                )
                filters[record_type] = f"dateLastModified>='{iso(cursor)}'" if cursor else None
                with self.ctx.runtime.translate(input.source):
                    _, totals[record_type] = await source.raw_page(
                        record_type, offset=0, limit=1, filter=filters[record_type]
                    )
            if isinstance(source, PackagePages):
                package = source.package  # pinned: a package arriving meanwhile waits its turn
        return PlanResult(totals=totals, filters=filters, package=package)

    @activity.defn(name="roster_sync_page")
    async def sync_page(self, input: PageInput) -> PageResult:
        ctx, kind = self.ctx, input.record_type
        result = PageResult(record_type=kind)
        async with ctx.borrow_roster(input.source, input.package) as source:
            with ctx.runtime.translate(input.source):
                body, _ = await source.raw_page(
                    kind, offset=input.offset, limit=input.limit, filter=input.filter
                )
        heartbeat(f"{kind}@{input.offset}: fetched")
        mapping = ctx.mapping(kind, input.mappings.get(kind))
        # Decoding, mapping and comparing 10,000 records is CPU work: off the event loop, so the
        # worker keeps answering workflow tasks and heartbeats meanwhile.
        changes, rejected, fetched, newest = await asyncio.to_thread(
            self._prepare, input, mapping, body
        )
        result.fetched, result.max_modified = fetched, newest
        heartbeat(f"{kind}@{input.offset}: mapped")
        writes = changes[Change.create] + changes[Change.update]
        result.created, result.updated = len(changes[Change.create]), len(changes[Change.update])
        result.unchanged = len(changes[Change.unchanged])
        written: list[tuple[str, str | None]] = []
        if writes:
            failed, written = await self._write(input, writes, "create", mapping.label)
            rejected += failed
            created = {m.source_id for m in changes[Change.create]}
            versions = {m.source_id: m.version for m in writes}
            await self._announce(
                input,
                input.record_type,
                [
                    SyncedRecord(
                        sid, tid, "created" if sid in created else "updated", versions[sid]
                    )
                    for sid, tid in written
                ],
            )
        pending = changes[Change.deactivate]  # applied after the mass-deletion guard
        result.to_deactivate = len(pending)
        ctx.store.set_status(input.target, kind, [m.source_id for m in pending], "tobedeleted")
        if input.full:
            seen = [m.source_id for m in changes[Change.unchanged] + pending]
            ctx.store.mark_seen(input.target, kind, input.run, seen)
        result.quarantined = quarantine(ctx.engine, input.target, kind, input.run, rejected)
        metrics.records(
            input.target, kind, written=len(written), unchanged=result.unchanged, rejected=rejected
        )
        return result

    def _prepare(
        self, input: PageInput, mapping: CompiledMapping, body: bytes
    ) -> tuple[dict[Change, list[Mapped]], list[Rejected], int, str | None]:
        raws = page_records(input.record_type, body)
        modified = [str(r.get("dateLastModified")) for r in raws if r.get("dateLastModified")]
        mapped, rejected = map_page(mapping, raws)
        # spec-valid but unusable by this LMS (no username, "n/a" email, ext: role): quarantined
        mapped, unfit = split_unfit(self.ctx.integration(input.target).system, mapped, raws)
        rejected += unfit
        mapped, erased = split_erased(self.ctx.engine, input.record_type, mapped)  # tombstones
        rejected += erased
        known = self.ctx.store.known(input.target, input.record_type, [m.source_id for m in mapped])
        return (
            classify_page(mapped, known),
            rejected,
            len(raws),
            max(modified) if modified else None,
        )

    async def _announce(
        self, input: PageInput | DeletionPageInput, kind: str, records: list[SyncedRecord]
    ) -> None:
        await announce_synced(self.ctx, input.run, input.source, input.target, kind, records)

    async def _write(
        self, input: PageInput, items: list[Mapped], action: str, mapping: str
    ) -> tuple[list[Rejected], list[tuple[str, str | None]]]:
        """Write what changed; returns what the target refused and what it now holds (source
        id, target id), including what an earlier attempt of this page already wrote."""
        ctx, kind = self.ctx, input.record_type
        batch = [
            WriteItem(
                m.source_id,
                m.record,
                action,
                idempotency_key(input.run, f"{kind}/{m.source_id}", m.version),
            )
            for m in items
        ]
        done = ctx.store.done([w.key for w in batch]) if not input.bulk else set()
        todo = [w for w in batch if w.key not in done]
        batch_key = idempotency_key(
            input.run, f"{kind}@{input.offset}", version_of({"v": [m.version for m in items]})
        )
        writer = ctx.writer(input.target)
        try:
            with ctx.runtime.translate(input.target):
                outcome = await writer.write(kind, todo, bulk=input.bulk, batch_key=batch_key)
        finally:
            await writer.aclose()
        if not input.bulk:
            ctx.store.record(
                [
                    (w.key, str(outcome.target_ids.get(w.source_id)))
                    for w in todo
                    if w.source_id in outcome.target_ids
                ]
            )
        by_id = {m.source_id: m for m in items}
        written = list(outcome.target_ids.items()) + [
            (w.source_id, None) for w in batch if w.key in done
        ]
        saved = await asyncio.to_thread(saved_rows, by_id, written, mapping)
        await asyncio.to_thread(ctx.store.save, input.target, kind, input.run, saved)
        resolve(ctx.engine, input.target, kind, [sid for sid, _ in written])  # fixed at the source
        if outcome.failed and input.full:  # still in the export: not a deletion candidate
            ctx.store.mark_seen(input.target, kind, input.run, list(outcome.failed))
        failed = [
            Rejected(sid, "target", reason, by_id[sid].record.model_dump(mode="json"))
            for sid, reason in outcome.failed.items()
        ]
        return failed, written

    @activity.defn(name="roster_count_deletions")
    async def count_deletions(self, input: DeletionCountInput) -> DeletionCount:
        store, target = self.ctx.store, input.target
        pending = {
            t: store.count_deletions(target, t, input.run, full=input.full)
            for t in input.record_types
        }
        if not any(pending.values()):  # the common case; counting a million rows is not free
            return DeletionCount(pending=pending, known={})
        return DeletionCount(
            pending=pending, known={t: store.count(target, t) for t in input.record_types}
        )

    @activity.defn(name="roster_deactivate_page")
    async def deactivate_page(self, input: DeletionPageInput) -> DeletionPageResult:
        """Conclude/suspend one page of records the SIS deleted; never a hard delete."""
        ctx, kind = self.ctx, input.record_type
        rows = ctx.store.deletion_candidates(
            input.target, kind, input.run, full=input.full, after=input.after, limit=input.limit
        )
        if not rows:
            return DeletionPageResult(deactivated=0, quarantined=0, next_after=None)
        items, rejected = [], []
        for sid, snap, _target in rows:
            if snap is None:
                rejected.append(
                    Rejected(sid, "target", "nothing known of this record to deactivate it", {})
                )
                continue
            record = restore(kind, sid, snap)
            items.append(
                WriteItem(
                    sid,
                    record,
                    "deactivate",
                    idempotency_key(input.run, f"{kind}/{sid}", "deactivate"),
                )
            )
        writer = ctx.writer(input.target)
        try:
            with ctx.runtime.translate(input.target):
                outcome = await writer.write(
                    kind,
                    items,
                    bulk=input.bulk,
                    batch_key=idempotency_key(
                        input.run, f"{kind}-deactivate@{input.after}", str(len(items))
                    ),
                )
        finally:
            await writer.aclose()
        ctx.store.set_status(input.target, kind, list(outcome.target_ids), "deactivated")
        await self._announce(
            input,
            kind,
            [
                SyncedRecord(sid, tid, "deactivated", "deactivate")
                for sid, tid in outcome.target_ids.items()
            ],
        )
        rejected += [Rejected(sid, "target", reason, {}) for sid, reason in outcome.failed.items()]
        ctx.store.set_status(input.target, kind, [r.source_id for r in rejected], "failed")
        heartbeat(f"{kind}:{rows[-1][0]}")
        quarantined = quarantine(ctx.engine, input.target, kind, input.run, rejected)
        metrics.records(input.target, kind, written=len(outcome.target_ids), rejected=rejected)
        return DeletionPageResult(
            deactivated=len(outcome.target_ids), quarantined=quarantined, next_after=rows[-1][0]
        )

    @activity.defn(name="roster_advance_cursors")
    async def advance_cursors(self, input: CursorInput) -> None:
        for record_type, value in input.moved.items():
            self.ctx.store.advance_cursor(
                input.target, record_type, datetime.fromisoformat(value.replace("Z", "+00:00"))
            )


def saved_rows(
    by_id: dict[str, Mapped], written: list[tuple[str, str | None]], mapping: str | None = None
) -> list[Saved]:
    return [
        Saved(
            sid,
            by_id[sid].version,
            "active",
            target,
            by_id[sid].record.date_last_modified,
            snapshot(by_id[sid].record),
            mapping,
        )
        for sid, target in written
    ]
