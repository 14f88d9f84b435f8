"""Schedules: Temporal Schedules that start a process, built-in (a nightly roster sync) or
designed (a published version, or whichever is the latest published when a run starts). What a
schedule is made of, and how it is read back from Temporal, is api/schedules.py. Every write
is audited.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from temporalio.client import (
    Client,
    Schedule,
    ScheduleAlreadyRunningError,
    ScheduleBackfill,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.routes.integration_origin import audit
from api.schedules import (
    MAX_SCHEDULES,
    NAME_PATTERN,
    OVERLAPS,
    PREFIX,
    BackfillIn,
    Config,
    PauseIn,
    ScheduleChange,
    ScheduleIn,
    ScheduleOut,
    TriggerIn,
    config_of,
    describe,
    rpc_refused,
    schedule_action,
    schedule_id,
    schedule_out,
    spec_and_policy,
)
from api.security import Principal, require
from atrium.designer.starts import designed_name
from atrium.temporal import TaskQueues

router = APIRouter(prefix="/schedules", tags=["schedules"])
ScheduleName = Annotated[str, Path(pattern=NAME_PATTERN, max_length=63)]


@router.get("", response_model=list[ScheduleOut], dependencies=[require("schedules:read")])
async def list_schedules(client: TemporalDep) -> list[ScheduleOut]:
    names = []
    async for listed in await client.list_schedules():
        if listed.id.startswith(PREFIX):
            names.append(listed.id.removeprefix(PREFIX))
        if len(names) >= MAX_SCHEDULES:
            break
    gate = asyncio.Semaphore(8)

    async def one(name: str) -> ScheduleOut | None:
        async with gate:
            try:
                _, description = await describe(client, name)
            except HTTPException:
                return None  # deleted meanwhile
            return await schedule_out(client, name, description)

    found = await asyncio.gather(*(one(n) for n in sorted(names)))
    return [s for s in found if s is not None]


@router.get("/{name}", response_model=ScheduleOut, dependencies=[require("schedules:read")])
async def get_schedule(name: ScheduleName, client: TemporalDep) -> ScheduleOut:
    _, description = await describe(client, name)
    return await schedule_out(client, name, description)


@router.post("", response_model=ScheduleOut, status_code=status.HTTP_201_CREATED)
async def create_schedule(
    body: ScheduleIn,
    request: Request,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    if body.version is not None and designed_name(body.process) is None:
        raise HTTPException(422, "version: only a designed process has versions")
    spec, policy = spec_and_policy(body, None, None)
    config = Config(
        process=body.process,
        version=body.version,
        input=body.input,
        cron=list(spec.cron_expressions),
        created_by=principal.subject,
    )
    queues = TaskQueues.from_settings(settings.temporal)
    action = schedule_action(session, queues, body.name, config, principal.subject)
    schedule = Schedule(
        action=action,
        spec=spec,
        policy=policy,
        state=ScheduleState(paused=body.paused, note=body.note or ""),
    )
    try:
        await client.create_schedule(schedule_id(body.name), schedule)
    except ScheduleAlreadyRunningError:
        raise HTTPException(409, f"name: a schedule named {body.name!r} exists") from None
    except RPCError as exc:
        raise rpc_refused(exc) from None
    await audit(request, principal, f"SCHEDULE CREATE {body.name}: {body.process}", 201)
    return await get_schedule(body.name, client)


@router.patch("/{name}", response_model=ScheduleOut)
async def update_schedule(
    name: ScheduleName,
    body: ScheduleChange,
    request: Request,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    handle, description = await describe(client, name)
    config = await config_of(client, description)
    designed = designed_name(config.process) is not None
    if (body.version is not None or body.follow_latest) and not designed:
        raise HTTPException(422, "version: only a designed process has versions")
    if body.version is not None and body.follow_latest:
        raise HTTPException(422, "version: a version or follow_latest, not both")
    spec, policy = spec_and_policy(body, description.schedule.spec, description.schedule.policy)
    if body.cron or body.interval_seconds:
        config.cron = list(spec.cron_expressions)
    if body.input is not None:
        config.input = body.input
    if body.version is not None or body.follow_latest:
        config.version = body.version
    queues = TaskQueues.from_settings(settings.temporal)
    action = schedule_action(session, queues, name, config, principal.subject)
    state = description.schedule.state
    if body.note is not None:
        state.note = body.note

    async def change(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(
            schedule=Schedule(action=action, spec=spec, policy=policy, state=state)
        )

    try:
        await handle.update(change)
    except RPCError as exc:
        raise rpc_refused(exc) from None
    await audit(request, principal, f"SCHEDULE UPDATE {name}")
    return await get_schedule(name, client)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_schedule(
    name: ScheduleName,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("schedules:manage"),
) -> Response:
    """The schedule goes from Temporal; runs it started go on."""
    handle, _ = await describe(client, name)
    await handle.delete()
    await audit(request, principal, f"SCHEDULE DELETE {name}", 204)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _set_paused(
    name: str,
    body: PauseIn,
    request: Request,
    client: Client,
    principal: Principal,
    *,
    paused: bool,
) -> ScheduleOut:
    handle, _ = await describe(client, name)
    verb = "paused" if paused else "unpaused"
    note = body.note or f"{verb} by {principal.subject}"[:500]
    await (handle.pause(note=note) if paused else handle.unpause(note=note))
    await audit(request, principal, f"SCHEDULE {'PAUSE' if paused else 'UNPAUSE'} {name}")
    return await get_schedule(name, client)


@router.post("/{name}/pause", response_model=ScheduleOut)
async def pause_schedule(
    name: ScheduleName,
    body: PauseIn,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    return await _set_paused(name, body, request, client, principal, paused=True)


@router.post("/{name}/unpause", response_model=ScheduleOut)
async def unpause_schedule(
    name: ScheduleName,
    body: PauseIn,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    return await _set_paused(name, body, request, client, principal, paused=False)


@router.post("/{name}/trigger", response_model=ScheduleOut, status_code=status.HTTP_202_ACCEPTED)
async def trigger_schedule(
    name: ScheduleName,
    body: TriggerIn,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    """Start the schedule's run now (its overlap policy applies); a paused schedule starts none."""
    handle, description = await describe(client, name)
    if description.schedule.state.paused:
        raise HTTPException(409, f"name: schedule {name!r} is paused; unpause it first")
    await handle.trigger(overlap=OVERLAPS[body.overlap] if body.overlap else None)
    await audit(request, principal, f"SCHEDULE TRIGGER {name}", 202)
    return await get_schedule(name, client)


@router.post("/{name}/backfill", response_model=ScheduleOut, status_code=status.HTTP_202_ACCEPTED)
async def backfill_schedule(
    name: ScheduleName,
    body: BackfillIn,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("schedules:manage"),
) -> ScheduleOut:
    """Catch up: the runs the schedule would have started between ``start_at`` and ``end_at``
    (in the past, at most 31 days), as if it had run then."""
    if body.end_at <= body.start_at:
        raise HTTPException(422, "end_at: must be after start_at")
    if body.end_at > datetime.now(UTC):
        raise HTTPException(422, "end_at: must not be in the future")
    if body.end_at - body.start_at > timedelta(days=31):
        raise HTTPException(422, "start_at: a backfill covers 31 days at most")
    handle, _ = await describe(client, name)
    await handle.backfill(
        ScheduleBackfill(start_at=body.start_at, end_at=body.end_at, overlap=OVERLAPS[body.overlap])
    )
    await audit(
        request, principal, f"SCHEDULE BACKFILL {name}: {body.start_at}..{body.end_at}", 202
    )
    return await get_schedule(name, client)
