"""Inbound webhooks: the signed endpoint each source calls, its sources and routing rules, and
the log of every delivery attempt."""

from __future__ import annotations

import contextlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.deps import SessionDep
from api.security import public, require
from api.webhooks.ingest import WebhookIngest
from api.webhooks.mapping import MappingError, compile_mapping
from atrium.credentials import SecretNotFound
from atrium.designer.starts import designed_name
from atrium.models import WebhookDelivery, WebhookRule, WebhookSource
from atrium.models.integration import utcnow
from atrium.models.process_definition import ProcessDefinitionRow
from atrium.models.webhook import (
    NAME_PATTERN,
    OUTCOMES,
    WebhookDeliveryPublic,
    WebhookRuleCreate,
    WebhookRulePublic,
    WebhookRuleUpdate,
    WebhookSourceCreate,
    WebhookSourceCreated,
    WebhookSourcePublic,
    WebhookSourceUpdate,
)
from atrium.webhook_secrets import WebhookSecretKey, source_key
from workflows.registry import PROCESSES

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
SourceName = Annotated[str, Path(max_length=63, pattern=NAME_PATTERN)]
manage = [require("webhooks:manage")]


class WebhookAnswer(BaseModel):
    status: str  # started | duplicate | unrouted
    event_id: str
    workflow_id: str | None = None
    run_id: str | None = None
    process: str | None = None
    event_type: str | None = None
    start_ms: float | None = None
    reason: str | None = None


def _ingest(request: Request) -> WebhookIngest:
    return request.app.state.webhooks  # type: ignore[no-any-return]


def _key(source: WebhookSource) -> WebhookSecretKey:
    """Its secret's place; a source created before the namespaces may still have a flat one."""
    return source_key(source.name, legacy=source.secret_name == f"webhook-{source.name}")


def _source_or_404(session: SessionDep, name: str) -> WebhookSource:
    source = session.exec(select(WebhookSource).where(WebhookSource.name == name)).first()
    if source is None:
        raise HTTPException(404, f"source: unknown webhook source {name!r}")
    return source


# Management routes come first: "/webhooks/sources" must not be taken for a source named so.
@router.get("/sources", response_model=list[WebhookSourcePublic], dependencies=manage)
async def list_sources(session: SessionDep) -> list[WebhookSource]:
    return list(session.exec(select(WebhookSource).order_by(WebhookSource.name)).all())


@router.post(
    "/sources",
    response_model=WebhookSourceCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=manage,
)
async def create_source(
    body: WebhookSourceCreate, session: SessionDep, request: Request
) -> dict[str, Any]:
    if session.exec(select(WebhookSource).where(WebhookSource.name == body.name)).first():
        raise HTTPException(409, f"name: webhook source {body.name!r} already exists")
    secret = body.secret or secrets.token_urlsafe(32)
    key = source_key(body.name)
    await _ingest(request).secrets.store.store(key, {"secret": secret})
    source = WebhookSource.model_validate(body, update={"secret_name": key.path})
    session.add(source)
    session.commit()
    _ingest(request).config.invalidate(source.name)
    _ingest(request).secrets.forget(key)  # a recreated source must not use the old one
    shown = None if body.secret else secret  # a caller-chosen secret is not echoed back
    return {**source.model_dump(), "secret": shown}


@router.patch("/sources/{name}", response_model=WebhookSourcePublic, dependencies=manage)
async def update_source(
    name: SourceName, body: WebhookSourceUpdate, session: SessionDep, request: Request
) -> WebhookSource:
    source = _source_or_404(session, name)
    source.sqlmodel_update(body.model_dump(exclude_unset=True, exclude_none=True))
    source.updated_at = utcnow()
    session.add(source)
    session.commit()
    _ingest(request).config.invalidate(name)
    return source


@router.post(
    "/sources/{name}/rotate-secret", response_model=WebhookSourceCreated, dependencies=manage
)
async def rotate_source_secret(
    name: SourceName, session: SessionDep, request: Request
) -> dict[str, Any]:
    source = _source_or_404(session, name)
    secret = secrets.token_urlsafe(32)
    key, store = _key(source), _ingest(request).secrets.store
    if key.legacy_name:  # move the flat secret first: none is left behind under the old name
        with contextlib.suppress(SecretNotFound):
            await store.read(key)
        source.secret_name = key.path
        session.add(source)
        session.commit()
        _ingest(request).config.invalidate(name)
    await store.store(key, {"secret": secret})
    _ingest(request).secrets.forget(key)  # other replicas: within the TTL
    return {**source.model_dump(), "secret": secret}


@router.delete("/sources/{name}", status_code=status.HTTP_204_NO_CONTENT, dependencies=manage)
async def delete_source(name: SourceName, session: SessionDep, request: Request) -> Response:
    source = _source_or_404(session, name)
    key = _key(source)
    for rule in session.exec(select(WebhookRule).where(WebhookRule.source == name)).all():
        session.delete(rule)
    session.delete(source)
    session.commit()
    await _ingest(request).secrets.store.delete(key)
    _ingest(request).secrets.forget(key)
    _ingest(request).config.invalidate(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _check_rule(session: SessionDep, process: str | None, mapping: dict[str, Any] | None) -> None:
    designed = designed_name(process) if process is not None else None
    if designed is not None:  # "designed:<name>": started on its latest published version
        if (
            session.exec(
                select(ProcessDefinitionRow.id).where(ProcessDefinitionRow.name == designed)
            ).first()
            is None
        ):
            raise HTTPException(422, f"process: no designed process {designed!r}")
    elif process is not None and process not in PROCESSES:
        known = ", ".join(sorted(PROCESSES))
        raise HTTPException(422, f"process: unknown process {process!r}; known: {known}")
    if mapping is not None:
        try:
            compile_mapping(mapping)
        except MappingError as exc:
            raise HTTPException(422, str(exc)) from None


@router.get("/rules", response_model=list[WebhookRulePublic], dependencies=manage)
async def list_rules(
    session: SessionDep,
    source: Annotated[str | None, Query(max_length=63, pattern=NAME_PATTERN)] = None,
) -> list[WebhookRule]:
    query = select(WebhookRule).order_by(WebhookRule.source, WebhookRule.event_type)
    if source:
        query = query.where(WebhookRule.source == source)
    return list(session.exec(query).all())


@router.post(
    "/rules",
    response_model=WebhookRulePublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=manage,
)
async def create_rule(
    body: WebhookRuleCreate, session: SessionDep, request: Request
) -> WebhookRule:
    if session.exec(select(WebhookSource).where(WebhookSource.name == body.source)).first() is None:
        raise HTTPException(422, f"source: unknown webhook source {body.source!r}")
    _check_rule(session, body.process, body.input_mapping)
    rule = WebhookRule.model_validate(body)
    session.add(rule)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(
            409, f"event_type: {body.source!r} already routes {body.event_type!r}"
        ) from None
    _ingest(request).config.invalidate(body.source)
    return rule


def _rule_or_404(session: SessionDep, rule_id: int) -> WebhookRule:
    rule = session.get(WebhookRule, rule_id)
    if rule is None:
        raise HTTPException(404, f"rule: no routing rule {rule_id}")
    return rule


@router.patch("/rules/{rule_id}", response_model=WebhookRulePublic, dependencies=manage)
async def update_rule(
    rule_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: WebhookRuleUpdate,
    session: SessionDep,
    request: Request,
) -> WebhookRule:
    rule = _rule_or_404(session, rule_id)
    _check_rule(session, body.process, body.input_mapping)
    rule.sqlmodel_update(body.model_dump(exclude_unset=True, exclude_none=True))
    rule.updated_at = utcnow()
    session.add(rule)
    session.commit()
    _ingest(request).config.invalidate(rule.source)
    return rule


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=manage)
async def delete_rule(
    rule_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, request: Request
) -> Response:
    rule = _rule_or_404(session, rule_id)
    session.delete(rule)
    session.commit()
    _ingest(request).config.invalidate(rule.source)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/deliveries", response_model=list[WebhookDeliveryPublic], dependencies=manage)
async def list_deliveries(
    session: SessionDep,
    source: Annotated[str | None, Query(max_length=127)] = None,
    outcome: Annotated[str | None, Query(pattern="^(" + "|".join(OUTCOMES) + ")$")] = None,
    event_id: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())
    if source:
        query = query.where(WebhookDelivery.source == source)
    if outcome:
        query = query.where(WebhookDelivery.outcome == outcome)
    if event_id:
        query = query.where(WebhookDelivery.event_id == event_id)
    return list(session.exec(query.offset(offset).limit(limit)).all())


@router.post(
    "/{source}",
    response_model=WebhookAnswer,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[public("signed webhook: authenticated by its HMAC signature")],
    responses={
        200: {"description": "a redelivered event joined its run, or no rule routes this type"},
        400: {"description": "malformed body, event type or id"},
        401: {"description": "unsigned, forged, or outside the replay window"},
        404: {"description": "unknown source"},
        413: {"description": "body too large"},
        422: {"description": "the mapped input is invalid for the process (names the field)"},
    },
)
async def receive_webhook(source: SourceName, request: Request) -> Response:
    """Start (or join) the run the routing rule names for this event; never waits for it."""
    # The client read here rather than through TemporalDep: one dependency less on the busiest
    # route (FastAPI's resolution is a visible share of its CPU).
    return await _ingest(request).receive_source(source, request, request.app.state.temporal)
