"""What became of each inbound event the webhook intake accepted (atrium/intake/store.py): still
queued, taken into which run, applied, coalesced into which later event, or failed and why.
Read-only; an event's input is never shown (it carries personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from api.deps import EngineDep, TemporalDep
from api.security import require
from atrium.models import IntakeEvent
from atrium.models.intake import PUBLIC_STATUSES, IntakeEventPublic

router = APIRouter(prefix="/intake", tags=["intake"])
read = [require("events:read")]
T = IntakeEvent.__table__  # type: ignore[attr-defined]
MAX_EVENT_IDS = 100

# A public status as a condition on the stored row.
WHERE: dict[str, ColumnElement[bool]] = {
    "queued": T.c.status == "pending",
    "running": T.c.status == "claimed",
    "started": and_(T.c.status == "done", T.c.mode == "run"),
    "applied": and_(T.c.status == "done", T.c.mode == "batch", T.c.coalesced_into.is_(None)),
    "coalesced": and_(T.c.status == "done", T.c.coalesced_into.is_not(None)),
    "failed": T.c.status == "failed",
}


class IntakeEventPage(BaseModel):
    items: list[IntakeEventPublic]
    total: int


def _public_status(row: Any) -> str:
    if row.status == "pending":
        return "queued"
    if row.status == "claimed":
        return "running"
    if row.status == "failed":
        return "failed"
    if row.coalesced_into is not None:
        return "coalesced"
    return "started" if row.mode == "run" else "applied"


def _public(row: Any) -> IntakeEventPublic:
    if row.mode == "batch":
        run = row.batch_id
    elif row.mode == "run" or row.status == "done":
        run = row.workflow_id
    else:  # queued, or claimed by a dispatcher that has not named its run yet
        run = None
    return IntakeEventPublic(
        id=row.id,
        source=row.source,
        event_id=row.event_id,
        event_type=row.event_type,
        process=row.process,
        subject=row.subject,
        status=_public_status(row),
        mode=row.mode,
        run_workflow_id=run,
        run_id=row.run_id if row.mode == "run" else None,
        coalesced_into=row.coalesced_into,
        coalesced_into_event_id=row.carrier_event_id,
        reason=row.reason,
        received_at=row.received_at,
        done_at=row.done_at,
    )


def _query() -> Any:
    carrier = aliased(IntakeEvent.__table__)  # type: ignore[attr-defined]
    columns = [c for c in T.c if c.name != "input"]
    return select(*columns, carrier.c.event_id.label("carrier_event_id")).outerjoin(
        carrier, carrier.c.id == T.c.coalesced_into
    )


@router.get("/events", response_model=IntakeEventPage, dependencies=read)
async def list_intake_events(
    engine: EngineDep,
    source: Annotated[str | None, Query(max_length=127)] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(PUBLIC_STATUSES) + ")$")] = None,
    subject: Annotated[str | None, Query(max_length=255)] = None,
    event_id: Annotated[
        list[str] | None,
        Query(description=f"one or more (at most {MAX_EVENT_IDS}) of the sender's event ids"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IntakeEventPage:
    """Newest first."""
    if event_id is not None and (
        len(event_id) > MAX_EVENT_IDS or any(len(e) > 255 for e in event_id)
    ):
        raise HTTPException(422, f"event_id: at most {MAX_EVENT_IDS}, each at most 255 chars")
    conditions: list[ColumnElement[bool]] = []
    if source:
        conditions.append(T.c.source == source)
    if status:
        conditions.append(WHERE[status])
    if subject:
        conditions.append(T.c.subject == subject)
    if event_id:
        conditions.append(T.c.event_id.in_(event_id))
    page = _query().where(*conditions).order_by(T.c.id.desc()).offset(offset).limit(limit)
    count = select(func.count()).select_from(T).where(*conditions)
    with engine.connect() as conn:  # small indexed reads: no thread hop needed
        rows = conn.execute(page).all()
        total = conn.execute(count).scalar_one()
    return IntakeEventPage(items=[_public(r) for r in rows], total=total)


@router.get("/events/{intake_id}", response_model=IntakeEventPublic, dependencies=read)
async def get_intake_event(
    intake_id: Annotated[int, Path(ge=1, le=2**31 - 1)], engine: EngineDep, client: TemporalDep
) -> IntakeEventPublic:
    """One event; for one that started its own run, that run's outcome is looked up, so a run
    that failed after it was started shows here as failed."""
    with engine.connect() as conn:
        row = conn.execute(_query().where(T.c.id == intake_id)).first()
    if row is None:
        raise HTTPException(404, f"no intake event {intake_id}")
    event = _public(row)
    if event.status == "started" and event.run_workflow_id:
        handle = client.get_workflow_handle(event.run_workflow_id, run_id=event.run_id)
        try:
            run_status = (await handle.describe()).status
        except RPCError:  # Temporal unavailable, or the run's history is gone: say what we know
            return event
        if run_status == WorkflowExecutionStatus.COMPLETED:
            event.status = "applied"
        elif run_status == WorkflowExecutionStatus.RUNNING:
            event.status = "running"
        elif run_status is not None:
            event.status, event.reason = "failed", f"its run ended {run_status.name}"
    return event
