"""The conflicts queue of two-way syncs: list, read, and resolve (which signals the waiting run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlmodel import col, select
from temporalio.service import RPCError

from api.deps import SessionDep, TemporalDep
from api.security import Principal, require
from atrium.bounds import Limit, Line, RowId
from atrium.models.conflict import ConflictPublic, ConflictResolve, SyncConflict
from atrium.models.integration import utcnow
from atrium.sync.conflicts import Side, apply_resolution
from workflows.profile_sync import ConflictResolution

router = APIRouter(prefix="/conflicts", tags=["conflicts"])
Id = RowId


@router.get("", response_model=list[ConflictPublic], dependencies=[require("conflicts:read")])
def list_conflicts(
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = "open",
    integration: Annotated[Line | None, Query(max_length=63)] = None,
    limit: Limit = 100,
) -> list[SyncConflict]:
    query = select(SyncConflict)
    if status:
        query = query.where(SyncConflict.status == status)
    if integration:
        query = query.where(SyncConflict.integration == integration)
    return list(session.exec(query.order_by(col(SyncConflict.id)).limit(limit)).all())


@router.get(
    "/{conflict_id}", response_model=ConflictPublic, dependencies=[require("conflicts:read")]
)
def get_conflict(conflict_id: Id, session: SessionDep) -> SyncConflict:
    row = session.get(SyncConflict, conflict_id)
    if row is None:
        raise HTTPException(404, f"no conflict {conflict_id}")
    return row


@router.post("/{conflict_id}/resolve", response_model=ConflictPublic)
async def resolve_conflict(
    conflict_id: Id,
    body: ConflictResolve,
    session: SessionDep,
    client: TemporalDep,
    principal: Principal = require("conflicts:resolve"),
) -> SyncConflict:
    row = get_conflict(conflict_id, session)
    if row.status != "open":
        raise HTTPException(409, f"conflict {conflict_id} is already resolved")
    if (body.choose is None) == (body.value is None):
        raise HTTPException(422, "choose: give either choose (a system) or value, not both")
    systems = [name for name in row.values if name != "base"]
    a, b = (Side(name, row.values[name]) for name in systems)
    try:
        decision = apply_resolution(row.field, a, b, choose=body.choose, value=body.value)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    signal = ConflictResolution(
        conflict_id=conflict_id,
        person_id=row.source_id,
        field=row.field,
        value=str(decision.value),
        write_to=list(decision.write_to),
    )
    try:
        await client.get_workflow_handle(row.workflow_id).signal("resolve-conflict", signal)
    except RPCError as exc:
        raise HTTPException(
            409, f"the run waiting for conflict {conflict_id} is gone: {exc.message}"
        ) from None
    row.status, row.resolution = "resolved", body.choose or "value"
    row.resolved_value, row.resolved_by, row.resolved_at = (
        str(decision.value),
        principal.subject,
        utcnow(),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
