"""Canvas as a sync target: big batches through SIS Import, small deltas through the REST API.

REST writes are idempotent by construction: ``canvas.ensure_user`` finds a user by SIS id
before creating one, an enrollment POST is an upsert on (user, section, type), and concluding an
already concluded enrollment changes nothing. Record types with no cheap REST path (schools,
terms, classes, suspending a user) always go through a (small) SIS Import, whose id is kept in
the store under the batch key so that a retried activity polls the import it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from activities.sync.writes import Heartbeat, WriteItem, WriteOutcome
from atrium.sync.store import SyncStore
from connectors.canonical.models import Enrollment, Person
from connectors.canvas import CanvasClient, sis
from connectors.canvas.mapping import enrollment_type
from connectors.canvas.models import NewEnrollment, NewUser, SisImport
from connectors.canvas.sis_bulk import SisRow, failures, importable
from connectors.errors import ConnectorError

REST_CONCURRENCY = 8
POLL_SECONDS = 0.1


class CanvasWriter:
    def __init__(self, client: CanvasClient, store: SyncStore, heartbeat: Heartbeat) -> None:
        self.client = client
        self.store = store
        self.heartbeat = heartbeat

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
        outcome = await self._bulk(record_type, others, batch_key)
        outcome.target_ids.update(rest_outcome.target_ids)
        outcome.failed.update(rest_outcome.failed)
        return outcome

    @staticmethod
    def _rest_capable(record_type: str, item: WriteItem) -> bool:
        if record_type == "enrollments":
            return True
        return record_type == "users" and item.action != "deactivate"

    # -- SIS Import --------------------------------------------------------------------------

    async def _bulk(
        self, record_type: str, items: Sequence[WriteItem], batch_key: str
    ) -> WriteOutcome:
        if not importable(record_type):
            return WriteOutcome(
                failed={i.source_id: f"canvas has no place for {record_type}" for i in items}
            )
        batch = [SisRow(record=i.record, deactivate=i.action == "deactivate") for i in items]  # type: ignore[arg-type]
        done = self.store.outcome(batch_key)
        if done and done.startswith("sis_import:"):
            import_id = int(done.split(":", 1)[1])
        else:
            started = await self.client.import_records(record_type, batch)  # type: ignore[arg-type]
            import_id = started.id
            self.store.record([(batch_key, f"sis_import:{import_id}")])
        result = await self._wait(import_id)
        by_record = {i.record.source_id: i.source_id for i in items}
        failed = {
            by_record.get(sid, sid): reason
            for sid, reason in failures(record_type, batch, result).items()
        }
        written: dict[str, str | None] = {
            i.source_id: None for i in items if i.source_id not in failed
        }
        return WriteOutcome(target_ids=written, failed=failed)

    async def _wait(self, import_id: int) -> SisImport:
        while True:
            found = await self.client.get_sis_import(import_id)
            if found.finished:
                return found
            self.heartbeat(f"sis_import:{import_id}:{found.workflow_state}:{found.progress}")
            await asyncio.sleep(POLL_SECONDS)

    # -- REST --------------------------------------------------------------------------------

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
        new = NewUser(
            name=name,
            short_name=short,
            unique_id=person.username or "",  # never empty: unfit records are quarantined first
            sis_user_id=person.source_id,
            integration_id=person.identifier,
            email=str(person.email) if person.email else None,
        )
        return str((await self.client.ensure_user(new, refresh=True)).user.id)

    async def _enrollment(self, item: WriteItem) -> str | None:
        record = item.record
        assert isinstance(record, Enrollment)
        if item.action == "deactivate":
            ended = await self.client.conclude_section_enrollment(record.class_id, record.person_id)
            return str(ended.id) if ended else None  # None: nothing active left to conclude
        created = await self.client.enroll_in_section(
            sis("section", record.class_id),
            NewEnrollment(
                user_id=sis("user", record.person_id),
                type=enrollment_type(record.role),
                enrollment_state="active",
            ),
        )
        return str(created.id)
