"""Canvas as a sync target: big batches through SIS Import, small deltas through the REST API.

REST writes are idempotent by construction: a user is looked up by ``sis_user_id`` before it is
created (and a "SIS ID already in use" answer turns into an update), an enrollment POST is an
upsert on (user, section, type), and concluding an already concluded enrollment changes nothing.
Record types with no cheap REST path (schools, terms, classes, suspending a user) always go
through a (small) SIS Import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from activities.sync.canvas_sis import CanvasBulk
from activities.sync.writes import Heartbeat, WriteItem, WriteOutcome
from atrium.sync.store import SyncStore
from connectors.canonical.models import Enrollment, Person
from connectors.canvas import CanvasClient, sis
from connectors.canvas.mapping import ROLE_TO_CANVAS
from connectors.canvas.models import NewEnrollment, NewUser, UserUpdate
from connectors.errors import Conflict, ConnectorError, NotFound

ENROLLMENT_TYPES = {
    "student": "StudentEnrollment",
    "teacher": "TeacherEnrollment",
    "ta": "TaEnrollment",
    "observer": "ObserverEnrollment",
}
REST_CONCURRENCY = 8


class CanvasWriter:
    def __init__(self, client: CanvasClient, store: SyncStore, heartbeat: Heartbeat) -> None:
        self.client = client
        self.bulk = CanvasBulk(client, store, heartbeat)

    async def aclose(self) -> None:
        """Nothing to do: the client belongs to the worker's sync context and is reused."""

    async def write(
        self, record_type: str, items: Sequence[WriteItem], *, bulk: bool, batch_key: str
    ) -> WriteOutcome:
        rest = [] if bulk else [i for i in items if self._rest_capable(record_type, i)]
        rest_ids = {i.source_id for i in rest}
        rest_outcome = WriteOutcome()
        if rest:
            rest_outcome = await self._rest(record_type, rest)
        others = [i for i in items if i.source_id not in rest_ids]
        if not others:
            return rest_outcome
        outcome = await self.bulk.write(record_type, others, batch_key)
        outcome.target_ids.update(rest_outcome.target_ids)
        outcome.failed.update(rest_outcome.failed)
        return outcome

    @staticmethod
    def _rest_capable(record_type: str, item: WriteItem) -> bool:
        if record_type == "enrollments":
            return True
        return record_type == "users" and item.action != "deactivate"

    async def _rest(self, record_type: str, items: Sequence[WriteItem]) -> WriteOutcome:
        outcome = WriteOutcome()
        gate = asyncio.Semaphore(REST_CONCURRENCY)

        async def one(item: WriteItem) -> None:
            async with gate:
                try:
                    target: str | None
                    if record_type == "users":
                        target = await self._user(item.record)  # type: ignore[arg-type]
                    else:
                        target = await self._enrollment(item)
                    outcome.target_ids[item.source_id] = target
                except ConnectorError as exc:
                    if exc.retryable:
                        raise  # Temporal retries the activity; finished items are keyed
                    outcome.failed[item.source_id] = exc.message[:2000]

        await asyncio.gather(*(one(i) for i in items))
        return outcome

    async def _user(self, person: Person) -> str:
        name = f"{person.given_name} {person.family_name}"
        short = (
            f"{person.preferred_first_name} {person.family_name}"
            if person.preferred_first_name
            else name
        )
        email = str(person.email) if person.email else None
        try:
            user = await self.client.update_user(
                sis("user", person.source_id), UserUpdate(name=name, short_name=short, email=email)
            )
        except NotFound:
            try:
                user = await self.client.create_user(
                    NewUser(
                        name=name,
                        short_name=short,
                        unique_id=person.username,
                        sis_user_id=person.source_id,
                        integration_id=person.identifier,
                        email=email,
                    )
                )
            except Conflict:  # created by an earlier attempt that crashed before recording it
                user = await self.client.get_user_by_sis_id(person.source_id)
        return str(user.id)

    async def _enrollment(self, item: WriteItem) -> str | None:
        record = item.record
        assert isinstance(record, Enrollment)
        section = sis("section", record.class_id)
        if item.action == "deactivate":
            async for found in self.client.list_section_enrollments(
                section, states=["active", "invited"]
            ):
                if found.sis_user_id == record.person_id or (
                    found.user and found.user.sis_user_id == record.person_id
                ):
                    await self.client.conclude_enrollment(found.course_id, found.id)
                    return str(found.id)
            return None  # nothing active to conclude: already done
        kind = ENROLLMENT_TYPES[ROLE_TO_CANVAS[record.role]]
        created = await self.client.enroll_in_section(
            section,
            NewEnrollment(
                user_id=sis("user", record.person_id), type=kind, enrollment_state="active"
            ),  # type: ignore[arg-type]
        )
        return str(created.id)
