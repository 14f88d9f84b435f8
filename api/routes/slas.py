"""SLAs: definitions (per connection: success rate, p95 latency, freshness; per person across
systems), measured now on request or by an ``sla_breach`` alert rule at every evaluation, their
history of samples, and the people in breach of a person SLA."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from api.deps import EngineDep, SessionDep, TemporalDep
from api.security import require
from atrium.models import Sla, SlaPerson, SlaSample
from atrium.models.slas import SlaCreate, SlaPublic, SlaSamplePublic
from atrium.slas import people
from atrium.slas.measure import evaluate, temporal_runs

router = APIRouter(tags=["slas"])
read = [require("alerts:read")]
manage = [require("alerts:manage")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PersonBreachPublic(BaseModel):
    source_id: str
    appeared_at: datetime
    deadline: datetime
    missing: list[str]
    met_at: datetime | None
    state: str  # open: still missing | late: complete after the deadline


def _sla(session: Session, sla_id: int) -> Sla:
    row = session.get(Sla, sla_id)
    if row is None:
        raise HTTPException(404, f"no SLA {sla_id}")
    return row


@router.get("/slas", response_model=list[SlaPublic], dependencies=read)
def list_slas(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Sla]:
    return list(session.exec(select(Sla).order_by(col(Sla.id)).offset(offset).limit(limit)).all())


@router.get("/slas/{sla_id}", response_model=SlaPublic, dependencies=read)
def get_sla(sla_id: RowId, session: SessionDep) -> Sla:
    return _sla(session, sla_id)


@router.post(
    "/slas", response_model=SlaPublic, status_code=status.HTTP_201_CREATED, dependencies=manage
)
def create_sla(body: SlaCreate, session: SessionDep) -> Sla:
    sla = Sla.model_validate(body)
    session.add(sla)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"name: an SLA {body.name!r} exists") from None
    return sla


@router.delete("/slas/{sla_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=manage)
def delete_sla(sla_id: RowId, session: SessionDep) -> Response:
    """The SLA and its people go; its samples stay (the history)."""
    sla = _sla(session, sla_id)
    session.exec(delete(SlaPerson).where(col(SlaPerson.sla_id) == sla_id))  # type: ignore[call-overload]
    session.delete(sla)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/slas/{sla_id}/evaluate", response_model=SlaSamplePublic, dependencies=manage)
async def evaluate_now(
    sla_id: RowId, session: SessionDep, engine: EngineDep, client: TemporalDep
) -> SlaSample:
    """Measure the SLA now and record the sample (an ``sla_breach`` rule does this each tick)."""
    sla = _sla(session, sla_id)
    return await evaluate(engine, sla, temporal_runs(client))


@router.get("/slas/{sla_id}/history", response_model=list[SlaSamplePublic], dependencies=read)
def history(
    sla_id: RowId,
    session: SessionDep,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[SlaSample]:
    """The SLA's samples, newest first."""
    _sla(session, sla_id)
    query = select(SlaSample).where(SlaSample.sla_id == sla_id)
    if since is not None:
        query = query.where(col(SlaSample.at) >= since)
    return list(session.exec(query.order_by(col(SlaSample.id).desc()).limit(limit)).all())


@router.get("/slas/{sla_id}/breaches", response_model=list[PersonBreachPublic], dependencies=read)
def breaches(
    sla_id: RowId,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(open|late)$")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> list[PersonBreachPublic]:
    """The people in breach of a person SLA, from the sync state as it is now."""
    sla = _sla(session, sla_id)
    if sla.kind != "person":
        raise HTTPException(409, f"SLA {sla.name} is a {sla.kind} SLA: breaches are per person")
    people.track(session, sla)
    found = [b for b in people.breaches(session, sla) if state is None or b.state == state]
    return [PersonBreachPublic(**vars(b)) for b in found[:limit]]
