"""Security events (atrium/security_events.py, atrium/security_signals/): password spraying,
bursts of bad webhook signatures, keys used from new networks, unusual volumes of personal data
read, connections moved to another origin; each with its severity and the response applied,
newest first, paged. Acknowledging one says a person has seen it (its alerts then resolve)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from sqlmodel import col, select

from api.deps import SessionDep
from api.security import Principal, require
from atrium.models.integration import utcnow
from atrium.models.security_event import EVENT_KINDS, SEVERITIES, SecurityEvent, SecurityEventPublic

router = APIRouter(prefix="/security", tags=["security"])
EventId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "/events", response_model=list[SecurityEventPublic], dependencies=[require("security:read")]
)
async def security_events(
    session: SessionDep,
    kind: Annotated[str | None, Query(pattern="^(" + "|".join(EVENT_KINDS) + ")$")] = None,
    severity: Annotated[str | None, Query(pattern="^(" + "|".join(SEVERITIES) + ")$")] = None,
    subject: Annotated[str | None, Query(max_length=255)] = None,
    acknowledged: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[SecurityEvent]:
    query = select(SecurityEvent).order_by(col(SecurityEvent.id).desc())
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if severity:
        query = query.where(SecurityEvent.severity == severity)
    if subject:
        query = query.where(SecurityEvent.subject == subject)
    if acknowledged is not None:
        seen = col(SecurityEvent.acknowledged_at)
        query = query.where(seen.is_not(None) if acknowledged else seen.is_(None))
    return list(session.exec(query.offset(offset).limit(limit)).all())


@router.post("/events/{event_id}/acknowledge", response_model=SecurityEventPublic)
async def acknowledge(
    event_id: EventId, session: SessionDep, principal: Principal = require("security:manage")
) -> SecurityEvent:
    """A person has seen the event: the alerts of ``security_event`` rules for it resolve at
    their next evaluation. The response it applied stays (resume a key, enable an account)."""
    event = session.get(SecurityEvent, event_id)
    if event is None:
        raise HTTPException(404, f"no security event {event_id}")
    if event.acknowledged_at is not None:
        raise HTTPException(409, f"security event {event_id} is already acknowledged")
    event.acknowledged_at, event.acknowledged_by = utcnow(), principal.subject[:255]
    session.add(event)
    session.commit()
    session.refresh(event)
    return event
