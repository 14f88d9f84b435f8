"""GDPR routes: subject-access exports (start, follow, download: audited), erasures (request,
follow, cancel during the waiting period), legal holds, the school's erasure rules and the
retention of Atrium's own data. Administrators only by default (api/auth/rbac.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError

from api.auth import threats
from api.auth.principal import Principal
from api.deps import CredentialsDep, SessionDep, SettingsDep, TemporalDep
from api.security import require
from api.starter import start_process
from atrium.correlation import current as current_correlation
from atrium.models import Integration
from atrium.models.audit import AuditEventBase
from atrium.models.integration import utcnow
from atrium.models.privacy import (
    TREATMENTS,
    PrivacyErasure,
    PrivacyErasureStep,
    PrivacyExport,
    PrivacyLegalHold,
    PrivacyRule,
)
from atrium.privacy import retention
from atrium.privacy.erasure_plan import DEFAULT_RULES
from atrium.privacy.sealing import Sealer, export_label
from atrium.privacy.subjects import ID, Person, subject_of
from atrium.temporal import TaskQueues
from workflows.erasure import MAX_WAIT, CancelErasure
from workflows.registry import REGISTRY

router = APIRouter(prefix="/privacy", tags=["privacy"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
SourcedId = Annotated[str, Field(pattern=ID, max_length=255)]
ConnectionName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]


def _process(name: str):  # type: ignore[no-untyped-def]
    return next(p for p in REGISTRY if p.name == name)


class SubjectRequest(BaseModel):
    sourced_id: SourcedId = Field(description="the person's SIS sourcedId")
    student_id: SourcedId | None = Field(None, description="the school's person number")
    sis: ConnectionName | None = Field(None, description="the SIS connection that knows them")
    connections: list[ConnectionName] = Field(default_factory=list, max_length=20)


class ErasureRequest(SubjectRequest):
    waiting_seconds: int = Field(7 * 24 * 3600, ge=0, le=MAX_WAIT)


class ExportPublic(BaseModel):
    id: int
    status: str
    requested_by: str
    connections: list[str]
    summary: dict[str, int]
    size: int
    sha256: str
    error: str | None
    created_at: str
    finished_at: str | None
    workflow_id: str


class StepPublic(BaseModel):
    connection: str
    system: str
    record_type: str
    treatment: str
    detail: str
    proof: str


class ErasurePublic(BaseModel):
    id: int
    status: str
    requested_by: str
    connections: list[str]
    not_before: str
    reason: str | None
    created_at: str
    finished_at: str | None
    workflow_id: str
    steps: list[StepPublic]


def _check_connections(session: Session, body: SubjectRequest) -> None:
    names = [*([body.sis] if body.sis else []), *body.connections]
    known = {
        r.name: r for r in session.exec(select(Integration).where(col(Integration.name).in_(names)))
    }
    for field, name in [("sis", body.sis)] + [
        (f"connections[{i}]", n) for i, n in enumerate(body.connections)
    ]:
        if name is None:
            continue
        if name not in known:
            raise HTTPException(422, f"{field}: no connection named {name!r}")
        if field == "sis" and known[name].system != "oneroster":
            raise HTTPException(422, f"sis: {name!r} is a {known[name].system} connection")


def _person(body: SubjectRequest) -> Person:
    return Person(sourced_id=body.sourced_id, student_id=body.student_id)


# -- exports ------------------------------------------------------------------------------------


def _export_public(row: PrivacyExport) -> ExportPublic:
    assert row.id is not None
    return ExportPublic(
        id=row.id,
        status=row.status,
        requested_by=row.requested_by,
        connections=row.connections,
        summary=row.summary,
        size=row.size,
        sha256=row.sha256,
        error=row.error,
        created_at=row.created_at.isoformat(),
        finished_at=row.finished_at.isoformat() if row.finished_at else None,
        workflow_id=row.workflow_id,
    )


@router.post("/exports", response_model=ExportPublic, status_code=202)
async def start_export(
    body: SubjectRequest,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("privacy:export"),
) -> ExportPublic:
    """Gather what every named connection and Atrium hold about one person into a sealed zip."""
    _check_connections(session, body)
    row = PrivacyExport(
        subject=subject_of(body.sourced_id),
        requested_by=principal.subject,
        connections=[*([body.sis] if body.sis else []), *body.connections],
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    assert row.id is not None
    process = _process("subject-access")
    arg = process.input_model.model_validate(
        {
            "export_id": row.id,
            "token": uuid.uuid4().hex,
            "person": _person(body),
            "sis": body.sis,
            "connections": body.connections,
        }
    )
    row.workflow_id = process.workflow_id(arg)
    session.add(row)
    session.commit()
    await start_process(client, TaskQueues.from_settings(settings.temporal), process, arg)
    return _export_public(row)


def _export(session: Session, export_id: int) -> PrivacyExport:
    row = session.get(PrivacyExport, export_id)
    if row is None:
        raise HTTPException(404, f"export {export_id} not found")
    return row


@router.get(
    "/exports/{export_id}",
    response_model=ExportPublic,
    dependencies=[require("privacy:export")],
)
async def get_export(export_id: Id, session: SessionDep) -> ExportPublic:
    return _export_public(_export(session, export_id))


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, 409: {"description": "not ready"}},
)
async def download_export(
    export_id: Id,
    request: Request,
    session: SessionDep,
    credentials: CredentialsDep,
    principal: Principal = require("privacy:export"),
) -> Response:
    """The zip, unsealed for this answer only; every download is written to the audit log."""
    row = _export(session, export_id)
    if row.status != "ready" or row.blob is None or row.wrapped_key is None:
        raise HTTPException(409, f"export {export_id} is {row.status}, not ready")
    await threats.export_downloaded(request, principal)  # an unusual volume: a security event
    archive = await Sealer(credentials).open(row.wrapped_key, row.blob, export_label(export_id))
    await request.app.state.audit.append(
        AuditEventBase(
            actor=principal.subject[:100],
            actor_kind=principal.kind[:16],
            action="GET /api/v1/privacy/exports/{export_id}/download",
            path=request.url.path[:2048],
            client_ip=(request.client.host if request.client else "-")[:64],
            status=200,
            outcome="success",
            correlation_id=(current_correlation() or "")[:64],
        )
    )
    row.downloads += 1
    session.add(row)
    session.commit()
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="subject-access-{export_id}.zip"',
            "Cache-Control": "no-store",
        },
    )


# -- erasures -----------------------------------------------------------------------------------


def _erasure_public(session: Session, row: PrivacyErasure) -> ErasurePublic:
    assert row.id is not None
    steps = session.exec(
        select(PrivacyErasureStep)
        .where(PrivacyErasureStep.erasure_id == row.id)
        .order_by(col(PrivacyErasureStep.id))
    ).all()
    return ErasurePublic(
        id=row.id,
        status=row.status,
        requested_by=row.requested_by,
        connections=row.connections,
        not_before=row.not_before.isoformat(),
        reason=row.reason,
        created_at=row.created_at.isoformat(),
        finished_at=row.finished_at.isoformat() if row.finished_at else None,
        workflow_id=row.workflow_id,
        steps=[
            StepPublic(
                connection=s.connection,
                system=s.system,
                record_type=s.record_type,
                treatment=s.treatment,
                detail=s.detail,
                proof=s.proof,
            )
            for s in steps
        ],
    )


@router.post("/erasures", response_model=ErasurePublic, status_code=202)
async def start_erasure(
    body: ErasureRequest,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("privacy:erase"),
) -> ErasurePublic:
    """Erase one person across the named connections and Atrium, after the waiting period."""
    _check_connections(session, body)
    row = PrivacyErasure(
        subject=subject_of(body.sourced_id),
        requested_by=principal.subject,
        connections=[*([body.sis] if body.sis else []), *body.connections],
        not_before=utcnow() + timedelta(seconds=body.waiting_seconds),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    process = _process("erasure")
    arg = process.input_model.model_validate(
        {
            "erasure_id": row.id,
            "token": uuid.uuid4().hex,
            "person": _person(body),
            "sis": body.sis,
            "connections": body.connections,
            "waiting_seconds": body.waiting_seconds,
        }
    )
    row.workflow_id = process.workflow_id(arg)
    session.add(row)
    session.commit()
    await start_process(client, TaskQueues.from_settings(settings.temporal), process, arg)
    return _erasure_public(session, row)


def _erasure(session: Session, erasure_id: int) -> PrivacyErasure:
    row = session.get(PrivacyErasure, erasure_id)
    if row is None:
        raise HTTPException(404, f"erasure {erasure_id} not found")
    return row


@router.get(
    "/erasures/{erasure_id}",
    response_model=ErasurePublic,
    dependencies=[require("privacy:erase")],
)
async def get_erasure(erasure_id: Id, session: SessionDep) -> ErasurePublic:
    return _erasure_public(session, _erasure(session, erasure_id))


class CancelBody(BaseModel):
    reason: str = Field("", max_length=1000)


@router.post("/erasures/{erasure_id}/cancel", response_model=ErasurePublic)
async def cancel_erasure(
    erasure_id: Id,
    session: SessionDep,
    client: TemporalDep,
    body: CancelBody | None = None,
    principal: Principal = require("privacy:erase"),
) -> ErasurePublic:
    """Withdraw a request still in its waiting period (409 once erasing has begun). The run
    records the cancellation; the answer shows the request's state a moment later."""
    row = _erasure(session, erasure_id)
    if row.status != "waiting":
        raise HTTPException(409, f"erasure {erasure_id} is {row.status}: too late to cancel")
    handle: WorkflowHandle = client.get_workflow_handle(row.workflow_id)
    try:
        await handle.signal(
            "cancel",
            CancelErasure(by=principal.subject, reason=body.reason if body else ""),
            rpc_timeout=timedelta(seconds=5),
        )
    except RPCError:
        raise HTTPException(409, f"erasure {erasure_id} is no longer running") from None
    for _ in range(30):  # the run records the cancellation at once (or has begun erasing)
        await asyncio.sleep(0.1)
        session.refresh(row)
        if row.status != "waiting":
            break
    if row.status not in ("waiting", "cancelled"):
        raise HTTPException(409, f"erasure {erasure_id} is {row.status}: too late to cancel")
    session.refresh(row)
    return _erasure_public(session, row)


# -- legal holds, rules, retention --------------------------------------------------------------


class HoldCreate(BaseModel):
    sourced_id: SourcedId
    reason: str = Field(min_length=3, max_length=1000)


class HoldPublic(BaseModel):
    id: int
    reason: str
    placed_by: str
    placed_at: str
    released_at: str | None


def _hold_public(row: PrivacyLegalHold) -> HoldPublic:
    assert row.id is not None
    return HoldPublic(
        id=row.id,
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=row.placed_at.isoformat(),
        released_at=row.released_at.isoformat() if row.released_at else None,
    )


@router.post("/legal-holds", response_model=HoldPublic, status_code=201)
async def place_hold(
    body: HoldCreate, session: SessionDep, principal: Principal = require("privacy:manage")
) -> HoldPublic:
    """A legal hold on a person: while it stands, their erasure is blocked."""
    row = PrivacyLegalHold(
        subject=subject_of(body.sourced_id), reason=body.reason, placed_by=principal.subject
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return _hold_public(row)


@router.delete(
    "/legal-holds/{hold_id}", response_model=HoldPublic, dependencies=[require("privacy:manage")]
)
async def release_hold(hold_id: Id, session: SessionDep) -> HoldPublic:
    row = session.get(PrivacyLegalHold, hold_id)
    if row is None:
        raise HTTPException(404, f"legal hold {hold_id} not found")
    row.released_at = row.released_at or utcnow()
    session.add(row)
    session.commit()
    return _hold_public(row)


class RulePublic(BaseModel):
    system: str
    record_type: str
    treatment: Literal["erase", "anonymise", "keep"]


@router.get("/rules", response_model=list[RulePublic], dependencies=[require("privacy:manage")])
async def list_rules(session: SessionDep) -> list[RulePublic]:
    """Each (system, record type)'s treatment: the school's choice, else the default."""
    chosen = {(r.system, r.record_type): r.treatment for r in session.exec(select(PrivacyRule))}
    merged = {**DEFAULT_RULES, **chosen}
    return [
        RulePublic(system=s, record_type=t, treatment=v)  # type: ignore[arg-type]
        for (s, t), v in sorted(merged.items())
    ]


@router.put("/rules", response_model=RulePublic)
async def set_rule(
    body: RulePublic, session: SessionDep, principal: Principal = require("privacy:manage")
) -> RulePublic:
    if (body.system, body.record_type) not in DEFAULT_RULES:
        known = sorted({f"{s}.{t}" for s, t in DEFAULT_RULES})
        raise HTTPException(
            422, f"record_type: {body.system}.{body.record_type} is not one of {', '.join(known)}"
        )
    assert body.treatment in TREATMENTS
    row = session.get(PrivacyRule, (body.system, body.record_type)) or PrivacyRule(
        system=body.system, record_type=body.record_type, treatment=body.treatment
    )
    row.treatment, row.updated_by, row.updated_at = body.treatment, principal.subject, utcnow()
    session.add(row)
    session.commit()
    return body


class RetentionPublic(BaseModel):
    dataset: str
    days: int = Field(ge=retention.MIN_DAYS, le=retention.MAX_DAYS)


@router.get(
    "/retention", response_model=list[RetentionPublic], dependencies=[require("privacy:manage")]
)
async def list_retention(request: Request) -> list[RetentionPublic]:
    days = retention.policies(request.app.state.engine)
    return [RetentionPublic(dataset=d, days=n) for d, n in days.items()]


@router.put("/retention", response_model=RetentionPublic)
async def set_retention(
    body: RetentionPublic, request: Request, principal: Principal = require("privacy:manage")
) -> RetentionPublic:
    if body.dataset not in retention.DEFAULT_DAYS:
        raise HTTPException(
            422, f"dataset: must be one of {', '.join(sorted(retention.DEFAULT_DAYS))}"
        )
    retention.set_policy(request.app.state.engine, body.dataset, body.days, principal.subject)
    return body
