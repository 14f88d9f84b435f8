"""Subject-access export activities: who the person is in each system, one system's section
gathered and sealed, and the zip assembled and sealed (workflows/subject_access.py).

What a system holds about the person never travels through the workflow's history: each section
is sealed (atrium/privacy/sealing.py) into ``privacy_export_part`` by the activity that read it,
and the assembling activity opens them, builds the zip, seals it and drops the parts.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.privacy_readers import READERS, Section, call
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models.integration import utcnow
from atrium.models.privacy import PrivacyExport, PrivacyExportPart
from atrium.privacy import own_data
from atrium.privacy.report import build_zip
from atrium.privacy.sealing import Sealer, export_label, part_label
from atrium.privacy.store import set_export
from atrium.privacy.subjects import Person

ATRIUM = "atrium"


class IdentifyInput(BaseModel):
    person: Person
    sis: str | None = Field(None, max_length=63)


class CollectInput(BaseModel):
    export_id: int
    connection: str = Field(max_length=63, description="a connection, or 'atrium' for its own")
    person: Person


class Collected(BaseModel):
    section: str
    system: str
    records: dict[str, int]
    emails: list[str] = Field(default_factory=list)  # found there: Atrium's own section uses them


class AssembleInput(BaseModel):
    export_id: int


class Assembled(BaseModel):
    size: int
    sha256: str
    summary: dict[str, int]


class ExportFailedInput(BaseModel):
    export_id: int
    error: str = Field(max_length=1000)


def emails_in(section: Section) -> list[str]:
    found = set()
    for rows in section.values():
        for row in rows:
            for key in ("email", "login_id", "primary_email"):
                value = row.get(key) if isinstance(row, dict) else None
                if isinstance(value, str) and "@" in value:
                    found.add(value.lower())
    return sorted(found)


class PrivacyActivities:
    def __init__(self, engine: Engine, credentials: Credentials, runtime: Runtime) -> None:
        self.engine = engine
        self.runtime = runtime
        self.sealer = Sealer(credentials)

    @activity.defn(name="privacy_identify")
    async def identify(self, input: IdentifyInput) -> Person:
        """The person with their school person number and email from the SIS, when not given."""
        person = input.person
        if input.sis is None:
            return person
        row = await self.runtime.aconnection(input.sis, "oneroster")
        user = await call(
            self.runtime, row, "oneroster.get_record", name="users", sourced_id=person.sourced_id
        )
        if user is None:
            return person
        emails = sorted({*person.emails, *([user["email"].lower()] if user.get("email") else [])})
        return person.model_copy(
            update={"student_id": person.student_id or user.get("identifier"), "emails": emails}
        )

    @activity.defn(name="privacy_collect")
    async def collect(self, input: CollectInput) -> Collected:
        """One system's section (or Atrium's own), sealed into the export's parts."""
        if input.connection == ATRIUM:
            system = ATRIUM
            section = await asyncio.to_thread(own_data.read, self.engine, input.person)
        else:
            row = await self.runtime.aconnection(input.connection)
            reader = READERS.get(row.system)
            if reader is None:
                raise ApplicationError(
                    f"connection {row.name!r}: a {row.system} connection holds no personal"
                    " records Atrium can read",
                    type="InvalidRequest",
                    non_retryable=True,
                )
            system, section = row.system, await reader(self.runtime, row, input.person)
        plain = json.dumps(section, sort_keys=True, default=str).encode()
        wrapped, blob = await self.sealer.seal(plain, part_label(input.export_id, input.connection))
        await asyncio.to_thread(self._keep_part, input.export_id, input.connection, wrapped, blob)
        return Collected(
            section=input.connection,
            system=system,
            records={t: len(rows) for t, rows in section.items()},
            emails=emails_in(section),
        )

    def _keep_part(self, export_id: int, section: str, wrapped: str, blob: bytes) -> None:
        with session_scope(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                delete(PrivacyExportPart).where(
                    col(PrivacyExportPart.export_id) == export_id,
                    col(PrivacyExportPart.section) == section,
                )
            )
            session.add(
                PrivacyExportPart(
                    export_id=export_id, section=section, wrapped_key=wrapped, blob=blob
                )
            )
            session.commit()

    @activity.defn(name="privacy_assemble")
    async def assemble(self, input: AssembleInput) -> Assembled:
        """Open the parts, build the zip (manifest, JSON and CSV per system), seal and keep it."""
        with session_scope(self.engine) as session:
            export = session.get(PrivacyExport, input.export_id)
            parts = list(
                session.exec(
                    select(PrivacyExportPart).where(PrivacyExportPart.export_id == input.export_id)
                )
            )
        if export is None:
            raise ApplicationError("export not found", type="NotFound", non_retryable=True)
        sections: dict[str, tuple[str, Section]] = {}
        for part in parts:
            plain = await self.sealer.open(
                part.wrapped_key, part.blob, part_label(input.export_id, part.section)
            )
            row = self.runtime.lookup(part.section)
            sections[part.section] = (row.system if row else ATRIUM, json.loads(plain))
        archive = build_zip(input.export_id, export.requested_by, sections)
        wrapped, blob = await self.sealer.seal(archive, export_label(input.export_id))
        summary = {
            f"{name}.{t}": len(rows)
            for name, (_, sec) in sections.items()
            for t, rows in sec.items()
        }
        digest = hashlib.sha256(archive).hexdigest()
        await asyncio.to_thread(
            self._finish, input.export_id, wrapped, blob, len(archive), digest, summary
        )
        return Assembled(size=len(archive), sha256=digest, summary=summary)

    def _finish(
        self,
        export_id: int,
        wrapped: str,
        blob: bytes,
        size: int,
        digest: str,
        summary: dict[str, int],
    ) -> None:
        set_export(
            self.engine,
            export_id,
            status="ready",
            wrapped_key=wrapped,
            blob=blob,
            size=size,
            sha256=digest,
            summary=summary,
            finished_at=utcnow(),
        )
        with session_scope(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                delete(PrivacyExportPart).where(col(PrivacyExportPart.export_id) == export_id)
            )
            session.commit()

    @activity.defn(name="privacy_export_failed")
    async def failed(self, input: ExportFailedInput) -> None:
        def fail() -> None:
            set_export(
                self.engine,
                input.export_id,
                status="failed",
                error=input.error,
                finished_at=utcnow(),
            )
            with session_scope(self.engine) as session:
                session.exec(  # type: ignore[call-overload]
                    delete(PrivacyExportPart).where(
                        col(PrivacyExportPart.export_id) == input.export_id
                    )
                )
                session.commit()

        await asyncio.to_thread(fail)
