"""Event triggers of designed processes: "start this process when a run completes, a record is
synced, a connection turns unhealthy" (atrium/models/trigger.py; evaluated where the events are
published, atrium/events/triggers.py). Part of a design, so under the designs permissions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from jmespath.exceptions import JMESPathError
from sqlmodel import Session, select

from api.deps import SessionDep
from api.routes.integration_origin import audit
from api.security import Principal, require
from atrium.bounds import MAX_ROW_ID
from atrium.designer.expressions import compiled
from atrium.designer.starts import StartRefused, runnable_version
from atrium.models.integration import utcnow
from atrium.models.process_definition import ProcessDefinitionRow
from atrium.models.trigger import (
    ProcessTrigger,
    ProcessTriggerCreate,
    ProcessTriggerPublic,
    ProcessTriggerUpdate,
)

router = APIRouter(prefix="/triggers", tags=["triggers"])
TriggerId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _check_mapping(mapping: dict[str, Any], prefix: str = "input_mapping") -> None:
    for key, value in mapping.items():
        where = f"{prefix}.{key}"
        if isinstance(value, dict):
            _check_mapping(value, where)
        elif not isinstance(value, str):
            raise HTTPException(422, f"{where}: must be a JMESPath expression or an object")
        else:
            try:
                compiled(value)
            except JMESPathError as exc:
                raise HTTPException(422, f"{where}: not a JMESPath expression: {exc}") from None


def _check(session: Session, process: str, version: int | None) -> None:
    if (
        session.exec(
            select(ProcessDefinitionRow.id).where(ProcessDefinitionRow.name == process)
        ).first()
        is None
    ):
        raise HTTPException(422, f"process: no designed process {process!r}")
    if version is not None:
        try:
            runnable_version(session, process, version)
        except StartRefused as exc:
            raise HTTPException(422, str(exc)) from None


def _row(session: Session, trigger_id: int) -> ProcessTrigger:
    row = session.get(ProcessTrigger, trigger_id)
    if row is None:
        raise HTTPException(404, f"trigger_id: no trigger {trigger_id}")
    return row


def _changed(request: Request) -> None:
    request.app.state.events.triggers.invalidate()  # runs started here announce what it wants


@router.get("", response_model=list[ProcessTriggerPublic], dependencies=[require("designs:read")])
def list_triggers(session: SessionDep) -> list[ProcessTrigger]:
    return list(session.exec(select(ProcessTrigger).order_by(ProcessTrigger.id)).all())  # type: ignore[arg-type]


@router.get(
    "/{trigger_id}", response_model=ProcessTriggerPublic, dependencies=[require("designs:read")]
)
def get_trigger(trigger_id: TriggerId, session: SessionDep) -> ProcessTrigger:
    return _row(session, trigger_id)


@router.post("", response_model=ProcessTriggerPublic, status_code=status.HTTP_201_CREATED)
async def create_trigger(
    body: ProcessTriggerCreate,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> ProcessTrigger:
    _check(session, body.process, body.version)
    _check_mapping(body.input_mapping)
    row = ProcessTrigger.model_validate(body, update={"created_by": principal.subject})
    session.add(row)
    session.commit()
    session.refresh(row)
    _changed(request)
    await audit(request, principal, f"TRIGGER CREATE {row.id}: {row.event_type} -> {row.process}")
    return row


@router.patch("/{trigger_id}", response_model=ProcessTriggerPublic)
async def update_trigger(
    trigger_id: TriggerId,
    body: ProcessTriggerUpdate,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> ProcessTrigger:
    row = _row(session, trigger_id)
    changes = body.model_dump(exclude_unset=True)
    for key in ("filter", "input_mapping", "description", "enabled"):  # null: unchanged
        if changes.get(key, "") is None:
            del changes[key]
    if "version" in changes:
        _check(session, row.process, changes["version"])
    if body.input_mapping is not None:
        _check_mapping(body.input_mapping)
    row.sqlmodel_update(changes)
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    _changed(request)
    await audit(request, principal, f"TRIGGER UPDATE {trigger_id}")
    return row


@router.delete("/{trigger_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_trigger(
    trigger_id: TriggerId,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> Response:
    session.delete(_row(session, trigger_id))
    session.commit()
    _changed(request)
    await audit(request, principal, f"TRIGGER DELETE {trigger_id}", 204)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
