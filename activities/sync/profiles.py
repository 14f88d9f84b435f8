"""Two-way profile sync activities: compare both systems with the last synced values, write
what the policies decide, park manual conflicts in the conflicts queue."""

from __future__ import annotations

import json

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from activities.sync.context import SyncContext
from activities.sync.profile_endpoints import FIELDS, CanvasProfiles, MoodleProfiles, Profile
from activities.sync.synced_events import SyncedRecord, announce_synced
from atrium.db import session_scope
from atrium.metrics import sync as metrics
from atrium.models.conflict import SyncConflict
from atrium.sync.conflicts import FieldPolicy, Policy, Side, decide
from atrium.sync.store import Saved
from atrium.sync.versions import version_of

Endpoint = CanvasProfiles | MoodleProfiles


class FieldWrite(BaseModel):
    person_id: str
    system: str  # the integration written to
    field: str
    value: str


class CompareInput(BaseModel):
    pair: str
    a: str
    b: str
    person_ids: list[str] = Field(max_length=1000)
    policies: dict[str, FieldPolicy] = Field(default_factory=dict)
    default: FieldPolicy = FieldPolicy(policy=Policy.manual)
    workflow_id: str


class CompareResult(BaseModel):
    writes: list[FieldWrite]
    bases: dict[str, dict[str, str]]  # person -> agreed values to remember
    conflicts: list[int]


class ApplyInput(BaseModel):
    pair: str
    writes: list[FieldWrite]
    bases: dict[str, dict[str, str]]


class ProfileActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def _endpoint(self, name: str) -> Endpoint:
        """Connection ``name``'s profiles, through the sync context's kept client."""
        if self.ctx.integration(name, "canvas", "moodle").system == "canvas":
            return CanvasProfiles(self.ctx.canvas(name))
        return MoodleProfiles(self.ctx.moodle(name))

    @activity.defn(name="profile_compare")
    async def compare(self, input: CompareInput) -> CompareResult:
        a, b = self._endpoint(input.a), self._endpoint(input.b)
        with self.ctx.runtime.translate(input.a):
            side_a = await a.read(input.person_ids)
        with self.ctx.runtime.translate(input.b):
            side_b = await b.read(input.person_ids)
        known = self.ctx.store.snapshots(input.pair, "profiles", input.person_ids)
        result = CompareResult(writes=[], bases={}, conflicts=[])
        for pid in input.person_ids:
            if pid not in side_a or pid not in side_b:
                continue
            base = json.loads(known[pid]) if pid in known else {}
            agreed = dict(base)
            for field in FIELDS:
                pa, pb = side_a[pid], side_b[pid]
                rule = input.policies.get(field, input.default)
                decision = decide(
                    field,
                    base.get(field),
                    _side(input.a, pa, field),
                    _side(input.b, pb, field),
                    rule,
                )
                if decision is None:
                    continue
                if decision.conflict:
                    values = {
                        "base": base.get(field),
                        input.a: pa.values[field],
                        input.b: pb.values[field],
                    }
                    result.conflicts.append(self._park(input, pid, field, values))
                    continue
                agreed[field] = decision.value
                result.writes += [
                    FieldWrite(person_id=pid, system=s, field=field, value=decision.value)
                    for s in decision.write_to
                ]
            if agreed != base:
                result.bases[pid] = agreed
        return result

    def _park(
        self, input: CompareInput, pid: str, field: str, values: dict[str, str | None]
    ) -> int:
        key = f"{input.workflow_id}|{pid}|{field}|{version_of(values)}"  # one row per detection
        with session_scope(self.ctx.engine) as session:
            session.add(
                SyncConflict(
                    integration=input.pair,
                    record_type="profiles",
                    source_id=pid,
                    field=field,
                    workflow_id=input.workflow_id,
                    key=key,
                    values=values,
                )
            )
            try:
                session.commit()
                metrics.conflict(input.pair, "profiles")  # new: a retry finds it parked already
            except IntegrityError:
                session.rollback()
            row = session.exec(select(SyncConflict).where(SyncConflict.key == key)).one()
            assert row.id is not None
            return row.id

    @activity.defn(name="profile_apply")
    async def apply(self, input: ApplyInput) -> int:
        """Set each field (setting a value twice is harmless), then remember the agreed values."""
        by_target: dict[tuple[str, str], dict[str, str]] = {}
        for w in input.writes:
            by_target.setdefault((w.system, w.person_id), {})[w.field] = w.value
        for (system, pid), values in by_target.items():
            with self.ctx.runtime.translate(system):
                await self._endpoint(system).write(pid, values)
        known = self.ctx.store.snapshots(input.pair, "profiles", list(input.bases))
        rows = []
        for pid, values in input.bases.items():
            merged = {**json.loads(known.get(pid, "{}")), **values}
            rows.append(Saved(pid, version_of(merged), snapshot=json.dumps(merged, sort_keys=True)))
        self.ctx.store.save(input.pair, "profiles", "profile-sync", rows)
        info = activity.info()
        run = f"{info.workflow_id}:{info.workflow_run_id}"
        written: dict[str, list[SyncedRecord]] = {}
        for (system, pid), values in by_target.items():
            written.setdefault(system, []).append(
                SyncedRecord(pid, None, "updated", version_of(values))
            )
        for system, records in written.items():
            await announce_synced(self.ctx, run, input.pair, system, "profiles", records)
        return len(by_target)


def _side(system: str, profile: Profile, field: str) -> Side:
    return Side(system, profile.values.get(field), profile.modified)
