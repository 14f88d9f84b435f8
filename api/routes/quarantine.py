"""Quarantined records: listed with the reason, and retried (a run maps and writes them again)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from api.auth import threats
from api.auth.principal import Principal
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.security import require
from api.starter import start_process
from atrium.bounds import Limit, Line, Offset, RowId
from atrium.models.quarantine import QUARANTINE_STATES, QuarantinedRecord, QuarantinePublic
from atrium.temporal import TaskQueues
from workflows.registry import PROCESSES

router = APIRouter(prefix="/quarantine", tags=["quarantine"])
Id = RowId


class RetryBody(BaseModel):
    mapping: str | None = Field(None, max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")


class RetryStarted(BaseModel):
    quarantine_id: int
    workflow_id: str
    joined: bool


def _one(session: Session, quarantine_id: int) -> QuarantinedRecord:
    row = session.get(QuarantinedRecord, quarantine_id)
    if row is None:
        raise HTTPException(404, f"no quarantined record {quarantine_id}")
    return row


@router.get("", response_model=list[QuarantinePublic])
async def list_quarantine(
    request: Request,
    session: SessionDep,
    integration: Annotated[Line | None, Query(max_length=63)] = None,
    record_type: Annotated[Line | None, Query(max_length=32)] = None,
    status_: Annotated[Line | None, Query(alias="status", max_length=16)] = "open",
    limit: Limit = 100,
    offset: Offset = 0,
    principal: Principal = require("quarantine:read"),
) -> list[QuarantinedRecord]:
    query = select(QuarantinedRecord)
    if status_:
        if status_ not in QUARANTINE_STATES:
            raise HTTPException(422, f"status: must be one of {', '.join(QUARANTINE_STATES)}")
        query = query.where(QuarantinedRecord.status == status_)
    if integration:
        query = query.where(QuarantinedRecord.integration == integration)
    if record_type:
        query = query.where(QuarantinedRecord.record_type == record_type)
    query = query.order_by(col(QuarantinedRecord.id)).offset(offset).limit(limit)
    rows = list(session.exec(query).all())
    await threats.large_list(request, principal, len(rows), "quarantine lists")  # people's records
    return rows


@router.get(
    "/{quarantine_id}", response_model=QuarantinePublic, dependencies=[require("quarantine:read")]
)
def get_quarantined(quarantine_id: Id, session: SessionDep) -> QuarantinedRecord:
    return _one(session, quarantine_id)


@router.post(
    "/{quarantine_id}/retry",
    response_model=RetryStarted,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require("quarantine:retry")],
)
async def retry(
    quarantine_id: Id,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    body: RetryBody | None = None,
) -> RetryStarted:
    row = _one(session, quarantine_id)
    if row.status == "resolved":
        raise HTTPException(409, f"quarantined record {quarantine_id} is already resolved")
    process = PROCESSES["quarantine-retry"]
    arg = process.input_model.model_validate(
        {"quarantine_id": quarantine_id, "mapping": body.mapping if body else None}
    )
    handle, started = await start_process(
        client, TaskQueues.from_settings(settings.temporal), process, arg
    )
    return RetryStarted(quarantine_id=quarantine_id, workflow_id=handle.id, joined=not started)
