"""Moodle as a sync target, through its web services (Moodle has no bulk import API).

Writes are idempotent: users and courses are found by ``idnumber`` (the source id) before they
are created, and ``enrol_manual_enrol_users`` re-enrolling someone only updates the enrolment.
Deactivation suspends (users and enrolments); nothing is ever unenrolled or deleted. A batch
Moodle refuses as a whole is retried record by record so that only the bad records fail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from activities.sync.writes import WriteItem, WriteOutcome
from atrium.sync.store import SyncStore
from connectors.canonical.models import Class, Enrollment, Person
from connectors.errors import ConnectorError
from connectors.moodle import MoodleClient
from connectors.moodle import mapping as moodle


class MoodleWriter:
    def __init__(self, client: MoodleClient, store: SyncStore, integration: str) -> None:
        self.client = client
        self.store = store
        self.integration = integration

    async def aclose(self) -> None:
        """Nothing to do: the client belongs to the worker's sync context and is reused."""

    async def write(
        self, record_type: str, items: Sequence[WriteItem], *, bulk: bool, batch_key: str
    ) -> WriteOutcome:
        handler: Callable[[Sequence[WriteItem]], Awaitable[dict[str, str | None]]] | None = {
            "users": self._users,
            "classes": self._classes,
            "enrollments": self._enrollments,
        }.get(record_type)
        if handler is None:  # schools and terms have no Moodle counterpart: nothing to write
            return WriteOutcome(target_ids={i.source_id: None for i in items})
        outcome = WriteOutcome()
        try:
            outcome.target_ids.update(await handler(items))
        except ConnectorError as exc:
            if exc.retryable or len(items) == 1:
                if exc.retryable:
                    raise
                outcome.failed[items[0].source_id] = exc.message[:2000]
                return outcome
            for item in items:  # isolate the records Moodle refuses
                one = await self.write(record_type, [item], bulk=bulk, batch_key=batch_key)
                outcome.target_ids.update(one.target_ids)
                outcome.failed.update(one.failed)
        return outcome

    async def _users(self, items: Sequence[WriteItem]) -> dict[str, str | None]:
        people = {i.source_id: i.record for i in items}
        existing = {
            u.idnumber: u.id async for u in self.client.users_by_field("idnumber", list(people))
        }
        updates, creates = [], []
        for sid, person in people.items():
            assert isinstance(person, Person)
            if sid in existing:
                update = moodle.person_to_user_update(person, existing[sid])
                if any(i.action == "deactivate" for i in items if i.source_id == sid):
                    update = moodle.suspension(existing[sid])
                updates.append(update)
            else:
                creates.append(moodle.person_to_new_user(person))
        if updates:
            await self.client.update_users(updates)
        created = await self.client.create_users(creates) if creates else []
        by_name = {c.username: c.id for c in created}
        out: dict[str, str | None] = {
            sid: str(uid) for sid, uid in existing.items() if sid in people
        }
        for sid, person in people.items():
            assert isinstance(person, Person)
            if sid not in out:
                out[sid] = str(by_name.get(moodle.moodle_username(person), "")) or None
        return out

    async def _classes(self, items: Sequence[WriteItem]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for item in items:
            klass = item.record
            assert isinstance(klass, Class)
            found = await self.client.courses_by_field("idnumber", klass.source_id)
            if found:
                out[item.source_id] = str(found[0].id)
                continue
            if item.action == "deactivate":
                out[item.source_id] = None
                continue
            created = await self.client.create_courses([moodle.class_to_new_course(klass)])
            out[item.source_id] = str(created[0].id)
        return out

    async def _enrollments(self, items: Sequence[WriteItem]) -> dict[str, str | None]:
        records = [i.record for i in items]
        people = self._targets("users", [r.person_id for r in records])  # type: ignore[attr-defined]
        courses = self._targets("classes", [r.class_id for r in records])  # type: ignore[attr-defined]
        enrolments = []
        out: dict[str, str | None] = {}
        for item in items:
            record = item.record
            assert isinstance(record, Enrollment)
            user, course = people.get(record.person_id), courses.get(record.class_id)
            if not user or not course:
                raise ConnectorError(
                    f"moodle: user {record.person_id} or course {record.class_id} not synced yet",
                    system="moodle",
                )
            enrolments.append(
                moodle.enrollment_to_enrolment(
                    record,
                    userid=int(user),
                    courseid=int(course),
                    suspend=item.action == "deactivate",
                )
            )
            out[item.source_id] = f"{user}@{course}"
        await self.client.enrol(enrolments)
        return out

    def _targets(self, record_type: str, source_ids: Sequence[str]) -> dict[str, str]:
        known = self.store.known(self.integration, record_type, sorted(set(source_ids)))
        return {sid: k.target_id for sid, k in known.items() if k.target_id}
