"""Finance (bursar) activities: student accounts over REST, and the nightly holds batch over SFTP
(list, fetch, quarantine bad lines, acknowledge). Writes carry the workflow's idempotency key."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.connections import host_of, integration, limited, secret, setting, translate
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import QuarantinedRecord
from connectors.credentials import static_credentials
from connectors.errors import Conflict, ConnectorError, NotFound
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
    def __init__(self, engine: Engine, credentials: Credentials) -> None:
        self.engine = engine
        self.credentials = credentials

    async def _api(self, name: str) -> BursarClient:
        row = await integration(self.engine, name, "finance")
        return limited(BursarClient(row.base_url, self.credentials.source(name)), name)

    async def _sftp(self, name: str) -> BursarBatchClient:
        """The login is in the secret (``sftp_username``, ``sftp_password`` or
        ``sftp_private_key``); ``sftp_host_key`` (required: the host is pinned), ``sftp_host``
        (default: the connection's host) and ``sftp_port`` (22) in the connection's options,
        or in the secret."""
        row = await integration(self.engine, name, "finance")
        fields = await secret(self.credentials, name)
        host_key = setting(row, fields, "sftp_host_key")
        if not host_key:
            raise ApplicationError(
                f"{name}: the secret has no sftp_host_key to pin the server",
                type="AuthError",
                non_retryable=True,
            )
        login = {"username": fields.get("sftp_username", "")}
        if fields.get("sftp_private_key"):
            login["private_key"] = fields["sftp_private_key"]
        else:
            login["password"] = fields.get("sftp_password", "")
        return BursarBatchClient(
            setting(row, fields, "sftp_host", host_of(row.base_url)),
            int(setting(row, fields, "sftp_port", "22")),
            static_credentials(login),
            host_key=host_key,
            timeout=20.0,
        )

    @activity.defn(name="finance_account")
    async def account(self, input: StudentRef) -> StudentAccount:
        try:
            async with await self._api(input.finance) as api:
                found = await api.get_account(input.student_id)
        except NotFound:
            return StudentAccount(student_id=input.student_id, exists=False)
        except ConnectorError as exc:
            raise translate(exc) from None
        return StudentAccount(
            student_id=found.student_id, name=found.name, email=found.email, exists=True
        )

    @activity.defn(name="create_finance_account")
    async def create_account(self, input: AccountInput) -> AccountResult:
        try:
            async with await self._api(input.finance) as api:
                try:
                    await api.get_account(input.student_id)
                    return AccountResult(student_id=input.student_id, created=False)
                except NotFound:
                    pass
                try:
                    await api.create_account(
                        AccountCreate(
                            student_id=input.student_id, name=input.name, email=input.email
                        ),
                        idempotency_key=input.idempotency_key,
                    )
                except Conflict:  # someone else opened it between our look and our write
                    return AccountResult(student_id=input.student_id, created=False)
        except ConnectorError as exc:
            raise translate(exc) from None
        return AccountResult(student_id=input.student_id, created=True)

    @activity.defn(name="list_hold_batches")
    async def list_batches(self, finance: str) -> list[str]:
        try:
            return [f.name for f in await (await self._sftp(finance)).list_batches()]
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="fetch_hold_batch")
    async def fetch_batch(self, input: BatchRef) -> HoldsBatch:
        try:
            return await (await self._sftp(input.finance)).fetch(input.file)
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="acknowledge_hold_batch")
    async def acknowledge(self, input: QuarantineInput) -> Acknowledgement:
        """Uploads the ack (once) and moves the file to processed/ (once): safe to retry."""
        try:
            return await (await self._sftp(input.finance)).acknowledge(input.batch)
        except ConnectorError as exc:
            raise translate(exc) from None

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
