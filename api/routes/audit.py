"""The audit log: list it (filtered, paginated) and verify its hash chain."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlmodel import col, func, select

from api.deps import EngineDep, SessionDep
from api.security import require
from atrium import audit
from atrium.bounds import BoundedDatetime, Limit, Line, Offset
from atrium.models import AuditEvent
from atrium.models.audit import AuditEventPublic

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[require("audit:read")])


class AuditPage(BaseModel):
    items: list[AuditEventPublic]
    total: int


class ChainVerification(BaseModel):
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str | None


@router.get("", response_model=AuditPage)
async def list_audit(
    session: SessionDep,
    actor: Annotated[Line | None, Query(max_length=100)] = None,
    action: Annotated[
        Line | None, Query(max_length=200, description="prefix, e.g. 'POST /api/v1/runs'")
    ] = None,
    outcome: Annotated[str | None, Query(pattern="^(success|denied|failed)$")] = None,
    since: BoundedDatetime | None = None,
    until: BoundedDatetime | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> AuditPage:
    """Newest first."""
    query, count = select(AuditEvent), select(func.count()).select_from(AuditEvent)
    clauses: list[ColumnElement[bool]] = []
    if actor:
        clauses.append(col(AuditEvent.actor) == actor)
    if action:
        clauses.append(col(AuditEvent.action).startswith(action, autoescape=True))
    if outcome:
        clauses.append(col(AuditEvent.outcome) == outcome)
    if since:
        clauses.append(col(AuditEvent.at) >= since)
    if until:
        clauses.append(col(AuditEvent.at) < until)
    for clause in clauses:
        query, count = query.where(clause), count.where(clause)
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)).all()
    return AuditPage(
        items=[AuditEventPublic.model_validate(r.model_dump()) for r in rows],
        total=session.exec(count).one(),
    )


@router.get("/verify", response_model=ChainVerification)
async def verify_audit(engine: EngineDep) -> ChainVerification:
    """Recompute every row's hash and link; name the first row that does not hold."""
    result = await asyncio.to_thread(audit.verify, engine)
    return ChainVerification(
        ok=result.ok,
        checked=result.checked,
        first_broken_id=result.first_broken_id,
        reason=result.reason,
    )
