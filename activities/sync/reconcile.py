"""Reconciliation: compare the SIS with Canvas record by record and report drift, writing
nothing to either system (``forget_synced`` only lets a later sync rewrite the drifted records)."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from pydantic import BaseModel, Field
from temporalio import activity

from activities.sync.context import SyncContext, heartbeat
from atrium.sync.changes import map_page
from connectors.canonical.models import Enrollment, Person
from connectors.canvas import CanvasClient, sis
from connectors.canvas.mapping import ROLE_TO_CANVAS, csv_role
from connectors.oneroster.pages import page_records

PAGE = 2000
SAMPLE = 100  # ids listed per kind of drift; the counts are exact
# Sections listed at once (one Canvas listing each; the connection's outbound budget still applies).
SECTIONS_AT_ONCE = 16
HEARTBEAT_EVERY = 1000  # Canvas users listed between heartbeats


class ReconcileInput(BaseModel):
    source: str
    target: str
    record_type: str  # users | enrollments


class Difference(BaseModel):
    source_id: str
    fields: dict[str, list[str | None]]  # field -> [sis value, lms value]


class Drift(BaseModel):
    record_type: str
    compared: int = 0
    missing: list[str] = Field(default_factory=list)  # in the SIS, not in the LMS
    extra: list[str] = Field(default_factory=list)  # in the LMS, not in the SIS
    different: list[Difference] = Field(default_factory=list)
    missing_count: int = 0
    extra_count: int = 0
    different_count: int = 0


class Checkpoint(BaseModel):
    """The enrollments' heartbeat: where a retried attempt resumes (the last class whose section
    was compared, and the drift found up to it), and the progress for people reading the run."""

    progress: str
    last_class: str
    drift: Drift


class ForgetInput(BaseModel):
    target: str
    record_type: str
    source_ids: list[str]


def _note(drift: Drift, kind: str, item: str | Difference) -> None:
    setattr(drift, f"{kind}_count", getattr(drift, f"{kind}_count") + 1)
    listed = getattr(drift, kind)
    if len(listed) < SAMPLE:
        listed.append(item)


def _resumed() -> Checkpoint | None:
    """The checkpoint the previous attempt heartbeated, if this is a retry."""
    details = activity.info().heartbeat_details if activity.in_activity() else ()
    if not details or not isinstance(details[0], dict):
        return None
    return Checkpoint.model_validate(details[0])


class ReconcileActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    async def _source(self, name: str, kind: str) -> dict[str, object]:
        """Every active record of ``kind`` in the SIS, mapped to canonical, by source id."""
        records: dict[str, object] = {}
        mapping = self.ctx.mapping(kind, None)
        async with self.ctx.borrow_roster(name) as source:
            offset = 0
            while True:
                with self.ctx.runtime.translate(name):
                    body, total = await source.raw_page(
                        kind, offset=offset, limit=PAGE, filter="status='active'"
                    )
                raws = await asyncio.to_thread(page_records, kind, body)
                mapped, _ = await asyncio.to_thread(map_page, mapping, raws)
                records.update((m.source_id, m.record) for m in mapped)
                offset += PAGE
                heartbeat(f"{kind}: {offset}/{total}")
                if offset >= total:
                    return records

    @activity.defn(name="reconcile_type")
    async def reconcile(self, input: ReconcileInput) -> Drift:
        source = await self._source(input.source, input.record_type)
        lms = self.ctx.canvas(input.target)  # kept by the sync context: not closed here
        drift = Drift(record_type=input.record_type, compared=len(source))
        with self.ctx.runtime.translate(input.target):
            if input.record_type == "users":
                await self._users(lms, source, drift)
            else:
                await self._enrollments(lms, source, drift)
        return drift

    async def _users(self, lms: CanvasClient, source: dict[str, object], drift: Drift) -> None:
        seen = set()
        listed = 0
        async for user in lms.list_users():
            listed += 1
            if listed % HEARTBEAT_EVERY == 0:  # 192,000 users at 1M: minutes of pages
                heartbeat(f"canvas users: {listed}")
            if not user.sis_user_id:
                continue  # not managed by any SIS
            person = source.get(user.sis_user_id)
            if not isinstance(person, Person):
                _note(drift, "extra", user.sis_user_id)
                continue
            seen.add(user.sis_user_id)
            want = {
                "name": f"{person.given_name} {person.family_name}",
                "login_id": person.username,
            }
            have = {"name": user.name, "login_id": user.login_id}
            fields = {
                k: [want[k], have[k]] for k in want if have[k] is not None and want[k] != have[k]
            }
            if fields:
                _note(drift, "different", Difference(source_id=person.source_id, fields=fields))
        for sid in sorted(set(source) - seen):
            _note(drift, "missing", sid)

    async def _enrollments(
        self, lms: CanvasClient, source: dict[str, object], drift: Drift
    ) -> None:
        by_class: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
        for sid, record in source.items():
            kind = ROLE_TO_CANVAS.get(record.role) if isinstance(record, Enrollment) else None
            if isinstance(record, Enrollment) and kind:  # an ext: role was never written
                by_class[record.class_id][(record.person_id, kind)] = sid
        classes = sorted(by_class.items())
        total = len(classes)
        if resumed := _resumed():  # a retry: the sections before its last class were compared
            classes = [c for c in classes if c[0] > resumed.last_class]
            for kind in ("missing", "extra", "different"):
                setattr(drift, kind, getattr(resumed.drift, kind))
                setattr(drift, f"{kind}_count", getattr(resumed.drift, f"{kind}_count"))
        for start in range(0, len(classes), SECTIONS_AT_ONCE):
            window = classes[start : start + SECTIONS_AT_ONCE]
            listed = await asyncio.gather(*(self._section(lms, class_id) for class_id, _ in window))
            for (class_id, wanted), present in zip(window, listed, strict=True):
                for user, role in sorted(present - set(wanted)):  # noted in class order
                    _note(drift, "extra", f"{class_id}/{user}/{role}")
                for key, sid in wanted.items():
                    if key not in present:
                        _note(drift, "missing", sid)
            done = total - len(classes) + start + len(window)
            heartbeat(
                Checkpoint(
                    progress=f"sections: {done}/{total}", last_class=window[-1][0], drift=drift
                ).model_dump()
            )

    @staticmethod
    async def _section(lms: CanvasClient, class_id: str) -> set[tuple[str, str]]:
        present: set[tuple[str, str]] = set()
        async for e in lms.list_section_enrollments(sis("section", class_id)):
            user = e.sis_user_id or (e.user.sis_user_id if e.user else None)
            present.add((user or "", csv_role(e.type)))
        return present

    @activity.defn(name="reconcile_forget")
    async def forget(self, input: ForgetInput) -> int:
        """Make the next sync rewrite these records (the repair path); writes no system."""
        self.ctx.store.forget(input.target, input.record_type, input.source_ids)
        return len(input.source_ids)
