"""Finance (bursar) activities: student accounts over REST, and the nightly holds batch over SFTP
(list, fetch, quarantine bad lines, acknowledge). Writes carry the workflow's idempotency key."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity

from activities.clients import batch_client
from activities.privacy_tombstones import refuse_erased
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import QuarantinedRecord
from connectors.errors import Conflict, NotFound
from connectors.finance.batch import BursarBatchClient
from connectors.finance.client import BursarClient
from connectors.finance.models import AccountCreate, Acknowledgement, HoldsBatch


class StudentRef(BaseModel):
    finance: str
    student_id: str


class StudentAccount(BaseModel):
    student_id: str
    name: str | None = None
    email: str | None = None
    exists: bool


class AccountInput(BaseModel):
    finance: str
    student_id: str
    name: str
    email: str | None = None
    idempotency_key: str


class AccountResult(BaseModel):
    student_id: str
    created: bool


class BatchRef(BaseModel):
    finance: str
    file: str


class QuarantineInput(BaseModel):
    finance: str
    batch: HoldsBatch
    run_id: str = Field(max_length=255)


class FinanceActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, *, runtime: Runtime | None = None
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine

    async def _api(self, name: str) -> BursarClient:
        return self.runtime.client(await self.runtime.aconnection(name, "finance"), BursarClient)

    async def _sftp(self, name: str) -> BursarBatchClient:
        """The bursar's SFTP server (settings: activities/clients.py)."""
        return await batch_client(self.runtime, await self.runtime.aconnection(name, "finance"))

    @activity.defn(name="finance_account")
    async def account(self, input: StudentRef) -> StudentAccount:
        api = await self._api(input.finance)
        with self.runtime.translate(input.finance):
            try:
                found = await api.get_account(input.student_id)
            except NotFound:
                return StudentAccount(student_id=input.student_id, exists=False)
        return StudentAccount(
            student_id=found.student_id, name=found.name, email=found.email, exists=True
        )

    @activity.defn(name="create_finance_account")
    async def create_account(self, input: AccountInput) -> AccountResult:
        await refuse_erased(
            self.engine, "bursar account", sourced_id=input.student_id, number=input.student_id
        )
        api = await self._api(input.finance)
        with self.runtime.translate(input.finance):
            try:
                await api.get_account(input.student_id)
                return AccountResult(student_id=input.student_id, created=False)
            except NotFound:
                pass
            try:
                await api.create_account(
                    AccountCreate(student_id=input.student_id, name=input.name, email=input.email),
                    idempotency_key=input.idempotency_key,
                )
            except Conflict:  # someone else opened it between our look and our write
                return AccountResult(student_id=input.student_id, created=False)
        return AccountResult(student_id=input.student_id, created=True)

    @activity.defn(name="list_hold_batches")
    async def list_batches(self, finance: str) -> list[str]:
        batches = await self._sftp(finance)
        with self.runtime.translate(finance):
            return [f.name for f in await batches.list_batches()]

    @activity.defn(name="fetch_hold_batch")
    async def fetch_batch(self, input: BatchRef) -> HoldsBatch:
        batches = await self._sftp(input.finance)
        with self.runtime.translate(input.finance):
            return await batches.fetch(input.file)

    @activity.defn(name="acknowledge_hold_batch")
    async def acknowledge(self, input: QuarantineInput) -> Acknowledgement:
        """Uploads the ack (once) and moves the file to processed/ (once): safe to retry."""
        batches = await self._sftp(input.finance)
        with self.runtime.translate(input.finance):
            return await batches.acknowledge(input.batch)

    @activity.defn(name="quarantine_hold_lines")
    async def quarantine(self, input: QuarantineInput) -> int:
        """Keep each rejected line with its reason; the same line is kept once per batch run."""
        return await asyncio.to_thread(self._quarantine, input)

    def _quarantine(self, input: QuarantineInput) -> int:
        added = 0
        with session_scope(self.engine) as session:
            for error in input.batch.errors:
                source_id = f"{error.file}:{error.line}"
                known = session.exec(
                    select(QuarantinedRecord.id).where(
                        QuarantinedRecord.run_id == input.run_id,
                        QuarantinedRecord.source_id == source_id,
                    )
                ).first()
                if known is not None:
                    continue
                session.add(
                    QuarantinedRecord(
                        integration=input.finance,
                        record_type="hold-line",
                        source_id=source_id,
                        stage="validation",
                        reason=str(error)[:2000],
                        run_id=input.run_id,
                        payload=error.model_dump(),
                    )
                )
                added += 1
            session.commit()
        return added
