"""The integration inventory, each connection's secret (write-only) and on-demand health checks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from api.auth import threats
from api.deps import CredentialsDep, SessionDep, SettingsDep, TemporalDep
from api.routes.integration_origin import (
    audit,
    check_base_url,
    credential_options_changed,
    origin_change,
    require_secrets_write,
    require_secrets_write_for,
)
from api.security import Principal, require
from api.starter import start_process
from atrium.bounds import Limit, Line, Offset
from atrium.credentials import ORIGIN_FIELD, origin_of
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
    row = Integration.named(session, name)
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
async def create_integration(
    body: IntegrationCreate, session: SessionDep, settings: SettingsDep
) -> IntegrationPublic:
    await check_base_url(body.base_url, settings)
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


@router.patch("/{name}", response_model=IntegrationPublic)
async def update_integration(
    name: Name,
    body: IntegrationUpdate,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    principal: Principal = require("integrations:write"),
) -> IntegrationPublic:
    """Change a connection. Moving it to another origin (scheme, host or port of base_url), or
    changing an option that says where its secret goes (SFTP/SMTP host, port, trust), needs
    ``secrets:write`` too; after a move its secret must be stored again for the new origin."""
    row = _get(session, name)
    changes = body.model_dump(exclude_unset=True)
    merged = IntegrationCreate.model_validate({**row.model_dump(), **changes})  # re-validate
    change = None
    if "base_url" in changes:
        await check_base_url(merged.base_url, settings)
        change = origin_change(row.base_url, merged.base_url)
    moved = []
    if "options" in changes:
        moved = credential_options_changed(row.options or {}, merged.options or {})
    # Every permission first, then the audit entries: a refused change leaves none behind.
    if change is not None:
        require_secrets_write(principal, name, change)
    if moved:
        require_secrets_write_for(principal, name, moved)
    if change is not None:
        await audit(request, principal, f"ORIGIN {name}: {change[0]} -> {change[1]}")
        await threats.origin_changed(request, principal, name, change)  # a security event
    if moved:
        await audit(request, principal, f"OPTIONS {name}: {', '.join(moved)} changed")
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


@router.put("/{name}/secret", response_model=SecretPublic)
async def put_secret(
    name: Name,
    body: SecretWrite,
    session: SessionDep,
    credentials: CredentialsDep,
    request: Request,
    principal: Principal = require("secrets:write"),
) -> SecretPublic:
    """Set or rotate the connection's secret, bound to the origin of its base_url: it is used
    only while the connection points there. Write-only: the value is never returned."""
    row = _get(session, name)
    if ORIGIN_FIELD in body.values:
        error = {
            "loc": ("body", "values"),
            "msg": f"{ORIGIN_FIELD} is reserved",
            "type": "value_error",
        }
        raise RequestValidationError([error])
    origin = origin_of(row.base_url)
    meta = await credentials.store(name, body.values, origin=origin)
    await audit(request, principal, f"SECRET {name}: stored for {origin}")
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
