"""The integration inventory, each connection's secret (write-only) and on-demand health checks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from api.deps import CredentialsDep, SessionDep, SettingsDep, TemporalDep
from api.security import require
from api.starter import start_process
from atrium.bounds import Limit, Line, Offset
from atrium.models import HealthCheck, Integration
from atrium.models.integration import (
    IntegrationCreate,
    IntegrationPublic,
    IntegrationUpdate,
    utcnow,
)
from atrium.temporal import TaskQueues
from workflows.health_check import HealthCheckInput
from workflows.registry import PROCESSES

router = APIRouter(prefix="/integrations", tags=["integrations"])

Name = Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")]


class SecretWrite(BaseModel):
    """Secret fields, e.g. {"token": "..."} or {"client_id": "...", "client_secret": "..."}."""

    values: dict[
        Annotated[str, Field(min_length=1, max_length=64)], Annotated[str, Field(max_length=8192)]
    ] = Field(min_length=1, max_length=20)


class SecretPublic(BaseModel):
    """What the API says about a secret: never its value."""

    integration: str
    version: int
    fields: list[str]
    updated_at: datetime | None


class HealthCheckPublic(BaseModel):
    healthy: bool
    status_code: int | None
    latency_ms: float | None
    detail: str
    checked_at: datetime


class IntegrationPage(BaseModel):
    items: list[IntegrationPublic]
    total: int


def public(row: Integration) -> IntegrationPublic:
    return IntegrationPublic.model_validate(
        {**row.model_dump(), "has_secret": row.secret_path is not None}
    )


def _get(session: SessionDep, name: str) -> Integration:
    row = session.exec(select(Integration).where(Integration.name == name)).first()
    if row is None:
        raise HTTPException(404, f"integration {name!r} not found")
    return row


@router.get("", response_model=IntegrationPage, dependencies=[require("integrations:read")])
async def list_integrations(
    session: SessionDep,
    system: Annotated[Line | None, Query(max_length=32)] = None,
    q: Annotated[
        Line | None, Query(max_length=100, description="name or description contains")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> IntegrationPage:
    conditions: list[ColumnElement[bool]] = []
    if system:
        conditions.append(col(Integration.system) == system)
    if q:
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            or_(
                func.lower(Integration.name).like(pattern, escape="\\"),
                func.lower(Integration.description).like(pattern, escape="\\"),
            )
        )
    query = select(Integration).where(*conditions)
    count = select(func.count()).select_from(Integration).where(*conditions)
    rows = session.exec(query.order_by(col(Integration.name)).offset(offset).limit(limit)).all()
    return IntegrationPage(items=[public(r) for r in rows], total=session.exec(count).one())


@router.post(
    "",
    response_model=IntegrationPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require("integrations:write")],
)
async def create_integration(body: IntegrationCreate, session: SessionDep) -> IntegrationPublic:
    row = Integration.model_validate(body)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"name: integration {body.name!r} already exists") from None
    session.refresh(row)
    return public(row)


@router.get(
    "/{name}", response_model=IntegrationPublic, dependencies=[require("integrations:read")]
)
async def get_integration(name: Name, session: SessionDep) -> IntegrationPublic:
    return public(_get(session, name))


@router.patch(
    "/{name}", response_model=IntegrationPublic, dependencies=[require("integrations:write")]
)
async def update_integration(
    name: Name, body: IntegrationUpdate, session: SessionDep
) -> IntegrationPublic:
    row = _get(session, name)
    changes = body.model_dump(exclude_unset=True)
    merged = IntegrationCreate.model_validate({**row.model_dump(), **changes})  # re-validate
    for key in changes:
        setattr(row, key, getattr(merged, key))
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return public(row)


@router.delete(
    "/{name}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[require("integrations:write")]
)
async def delete_integration(
    name: Name, session: SessionDep, credentials: CredentialsDep
) -> Response:
    row = _get(session, name)
    if row.secret_path:
        await credentials.delete(name)
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@router.put("/{name}/secret", response_model=SecretPublic, dependencies=[require("secrets:write")])
async def put_secret(
    name: Name, body: SecretWrite, session: SessionDep, credentials: CredentialsDep
) -> SecretPublic:
    """Set or rotate the connection's secret. Write-only: the value is never returned."""
    row = _get(session, name)
    meta = await credentials.store(name, body.values)
    row.secret_path = meta.path
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return SecretPublic(
        integration=name, version=meta.version, fields=meta.fields, updated_at=meta.updated_at
    )


@router.get("/{name}/secret", response_model=SecretPublic, dependencies=[require("secrets:read")])
async def get_secret_meta(
    name: Name, session: SessionDep, credentials: CredentialsDep
) -> SecretPublic:
    """Version, field names and time of the secret; never the value."""
    row = _get(session, name)
    if not row.secret_path:
        raise HTTPException(404, f"integration {name!r} has no secret")
    meta = await credentials.meta(name)
    return SecretPublic(
        integration=name, version=meta.version, fields=meta.fields, updated_at=meta.updated_at
    )


@router.delete(
    "/{name}/secret",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require("secrets:write")],
)
async def delete_secret(name: Name, session: SessionDep, credentials: CredentialsDep) -> Response:
    row = _get(session, name)
    if not row.secret_path:
        raise HTTPException(404, f"integration {name!r} has no secret")
    await credentials.delete(name)
    row.secret_path = None
    session.add(row)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/{name}/health",
    response_model=list[HealthCheckPublic],
    dependencies=[require("integrations:read")],
)
async def health_history(
    name: Name, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> list[HealthCheckPublic]:
    _get(session, name)
    rows = session.exec(
        select(HealthCheck)
        .where(HealthCheck.integration == name)
        .order_by(col(HealthCheck.checked_at).desc())
        .limit(limit)
    ).all()
    return [HealthCheckPublic.model_validate(r, from_attributes=True) for r in rows]


class CheckStarted(BaseModel):
    workflow_id: str
    run_id: str | None


@router.post(
    "/{name}/health-check",
    response_model=CheckStarted,
    status_code=202,
    dependencies=[require("runs:start")],
)
async def run_health_check(
    name: Name, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> CheckStarted:
    """Run a health check now (joins one already running for this connection)."""
    _get(session, name)
    process = PROCESSES["integration-health-check"]
    handle, _ = await start_process(
        client,
        TaskQueues.from_settings(settings.temporal),
        process,
        HealthCheckInput(integration=name),
    )
    return CheckStarted(workflow_id=handle.id, run_id=handle.result_run_id)
