"""What a schedule is made of (api/routes/schedules.py serves it): the models a caller sends
and reads, the Temporal Schedule's action, spec and policy built from them, and the answer read
back from a describe.

The schedule lives in Temporal only (its id ``process:<name>``); what Atrium was asked for (the
process, version, input, cron expressions) rides in the action's memo, since Temporal answers a
describe with cron expressions compiled into calendars. A built-in process's input is validated
as ``POST /runs`` validates it (``runs.validated_start``), a designed one's as its own starts
(atrium/designer/starts.py); the starter of the runs is the caller who created or last changed
the schedule.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import HTTPException
from pydantic import BaseModel, Field, field_validator
from temporalio.client import (
    Client,
    ScheduleActionStartWorkflow,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.service import RPCError, RPCStatusCode

from api.deps import SessionDep
from api.routes.runs import validated_start
from api.starter import search_attributes
from atrium.bounds import BoundedDatetime, JsonObject, Line, RowId, Text
from atrium.designer.starts import StartRefused, designed_name, designed_run
from atrium.temporal import TaskQueues
from workflows.designed_process import PROCESS as DESIGNED

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
PREFIX = "process:"  # Atrium's own schedules (health checks, alert evaluators) are not listed
MEMO = "atrium_schedule"
MAX_SCHEDULES = 500
CRON = re.compile(
    r"^(@(yearly|annually|monthly|weekly|daily|hourly)"
    r"|[0-9A-Za-z*/,?#-]+( [0-9A-Za-z*/,?#-]+){4,6})$"
)
Overlap = Literal[
    "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
]
OVERLAPS = {
    "skip": ScheduleOverlapPolicy.SKIP,
    "buffer_one": ScheduleOverlapPolicy.BUFFER_ONE,
    "buffer_all": ScheduleOverlapPolicy.BUFFER_ALL,
    "cancel_other": ScheduleOverlapPolicy.CANCEL_OTHER,
    "terminate_other": ScheduleOverlapPolicy.TERMINATE_OTHER,
    "allow_all": ScheduleOverlapPolicy.ALLOW_ALL,
}
CronLine = Annotated[str, Field(min_length=1, max_length=100)]


def _check_cron(value: list[str] | None) -> list[str] | None:
    for index, expression in enumerate(value or []):
        if not CRON.fullmatch(expression):
            raise ValueError(f"[{index}] {expression[:100]!r} is not a cron expression")
    return value


def _check_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value[:64]!r} is not an IANA time zone") from None
    return value


class Timing(BaseModel):
    cron: list[CronLine] | None = Field(
        None, max_length=10, examples=[["0 2 * * *"]], description="cron expressions (UTC or tz)"
    )
    interval_seconds: int | None = Field(None, ge=10, le=366 * 86400)
    time_zone: Line | None = Field(None, max_length=64, examples=["Europe/Paris"])
    overlap: Overlap | None = Field(None, description="when a run is still going at the next")
    catchup_window_seconds: int | None = Field(
        None, ge=10, le=366 * 86400, description="how late a missed run (server down) may start"
    )
    pause_on_failure: bool | None = None
    note: Text | None = Field(None, max_length=500)

    _cron = field_validator("cron")(_check_cron)
    _zone = field_validator("time_zone")(_check_zone)


class ScheduleIn(Timing):
    name: str = Field(pattern=NAME_PATTERN, max_length=63)
    process: Line = Field(
        min_length=1, max_length=100, examples=["roster-sync", "designed:withdrawal"]
    )
    version: RowId | None = Field(None, description="designed only; none: the latest published")
    input: JsonObject = Field(default_factory=dict)
    paused: bool = False


class ScheduleChange(Timing):
    """What changes; the rest stays. A new ``cron`` replaces the interval and vice versa."""

    version: RowId | None = None
    follow_latest: bool | None = Field(None, description="designed: run the latest published")
    input: JsonObject | None = None


class PauseIn(BaseModel):
    note: Text = Field("", max_length=500)


class TriggerIn(BaseModel):
    overlap: Overlap | None = Field(None, description="default: the schedule's own")


class BackfillIn(BaseModel):
    start_at: BoundedDatetime
    end_at: BoundedDatetime
    overlap: Overlap = "allow_all"


class ScheduledRun(BaseModel):
    scheduled_at: datetime
    started_at: datetime
    workflow_id: str
    run_id: str


class ScheduleOut(BaseModel):
    name: str
    process: str
    version: int | None
    input: dict[str, Any]
    cron: list[str]
    interval_seconds: int | None
    time_zone: str
    overlap: str
    catchup_window_seconds: int
    pause_on_failure: bool
    paused: bool
    note: str
    created_by: str | None
    actions: int  # runs started so far
    recent: list[ScheduledRun]
    next_times: list[datetime]


class Config(BaseModel):
    """What Atrium was asked for, kept in the action's memo."""

    process: str
    version: int | None = None
    input: dict[str, Any] = Field(default_factory=dict)
    cron: list[str] = Field(default_factory=list)
    created_by: str | None = None


# -- building -------------------------------------------------------------------------------


def schedule_id(name: str) -> str:
    return f"{PREFIX}{name}"


def _refused(exc: StartRefused) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def schedule_action(
    session: SessionDep,
    queues: TaskQueues,
    name: str,
    config: Config,
    starter: str,
) -> ScheduleActionStartWorkflow:
    """The action: the process's workflow with its validated input and business-key id
    (Temporal appends each run's time to it)."""
    memo = {MEMO: config.model_dump(mode="json")}
    designed = designed_name(config.process)
    if designed is None:
        process, arg = validated_start(session, config.process, config.input, starter=starter)
        return ScheduleActionStartWorkflow(
            process.workflow_type,
            arg,
            id=process.workflow_id(arg),
            task_queue=queues.for_process(process.eager),
            typed_search_attributes=search_attributes(process, arg),
            memo=memo,
        )
    try:
        arg = designed_run(
            session,
            designed,
            config.version,
            config.input,
            started_by=starter,
            run_key="",  # each run's own id is its idempotency scope
            follow_latest=config.version is None,
        )
    except StartRefused as exc:
        raise _refused(exc) from None
    return ScheduleActionStartWorkflow(
        DESIGNED.workflow_type,
        arg,
        id=f"designed:{designed}:schedule:{name}",
        task_queue=queues.main,
        typed_search_attributes=search_attributes(DESIGNED, arg),
        memo=memo,
    )


def spec_and_policy(
    timing: Timing, spec: ScheduleSpec | None, policy: SchedulePolicy | None
) -> tuple[ScheduleSpec, SchedulePolicy]:
    """The spec and policy ``timing`` asks for, over the current ones (None: a new schedule)."""
    if timing.cron and timing.interval_seconds:
        raise HTTPException(422, "cron: give cron expressions or interval_seconds, not both")
    current = spec or ScheduleSpec()
    cron = timing.cron if timing.cron is not None else list(current.cron_expressions)
    intervals = list(current.intervals)
    calendars = list(current.calendars)
    if timing.cron:
        intervals, calendars = [], []
    if timing.interval_seconds:
        cron, calendars = [], []
        intervals = [ScheduleIntervalSpec(every=timedelta(seconds=timing.interval_seconds))]
    if not (cron or intervals or calendars):
        raise HTTPException(422, "cron: give cron expressions or interval_seconds")
    zone = timing.time_zone or current.time_zone_name or "UTC"
    new_spec = ScheduleSpec(
        cron_expressions=cron, intervals=intervals, calendars=calendars, time_zone_name=zone
    )
    old = policy or SchedulePolicy(
        overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=1)
    )
    window = timing.catchup_window_seconds
    new_policy = SchedulePolicy(
        overlap=OVERLAPS[timing.overlap] if timing.overlap else old.overlap,
        catchup_window=timedelta(seconds=window) if window else old.catchup_window,
        pause_on_failure=(
            timing.pause_on_failure if timing.pause_on_failure is not None else old.pause_on_failure
        ),
    )
    return new_spec, new_policy


def rpc_refused(exc: RPCError) -> HTTPException:
    if exc.status == RPCStatusCode.INVALID_ARGUMENT:  # what Temporal found wrong in the spec
        return HTTPException(422, f"cron: {exc.message[:300]}")
    raise exc


# -- reading --------------------------------------------------------------------------------


async def describe(client: Client, name: str) -> tuple[ScheduleHandle, ScheduleDescription]:
    handle = client.get_schedule_handle(schedule_id(name))
    try:
        return handle, await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, f"name: no schedule {name!r}") from None
        raise


async def config_of(client: Client, description: ScheduleDescription) -> Config:
    action = description.schedule.action
    memo = getattr(action, "memo", None) or {}
    if MEMO not in memo:
        workflow = getattr(action, "workflow", "?")
        return Config(process=str(workflow))
    [value] = await client.data_converter.decode([memo[MEMO]], [Config])
    return value  # type: ignore[no-any-return]


def _seconds(value: timedelta | None) -> int:
    return int(value.total_seconds()) if value else 0


async def schedule_out(client: Client, name: str, description: ScheduleDescription) -> ScheduleOut:
    config = await config_of(client, description)
    schedule, info = description.schedule, description.info
    spec, policy, state = schedule.spec, schedule.policy, schedule.state
    overlap = next((k for k, v in OVERLAPS.items() if v == policy.overlap), "skip")
    recent = [
        ScheduledRun(
            scheduled_at=a.scheduled_at,
            started_at=a.started_at,
            workflow_id=getattr(a.action, "workflow_id", ""),
            run_id=getattr(a.action, "first_execution_run_id", ""),
        )
        for a in info.recent_actions[-10:]
    ]
    return ScheduleOut(
        name=name,
        process=config.process,
        version=config.version,
        input=config.input,
        cron=config.cron,
        interval_seconds=_seconds(spec.intervals[0].every) if spec.intervals else None,
        time_zone=spec.time_zone_name or "UTC",
        overlap=overlap,
        catchup_window_seconds=_seconds(policy.catchup_window),
        pause_on_failure=policy.pause_on_failure,
        paused=state.paused,
        note=state.note or "",
        created_by=config.created_by,
        actions=info.num_actions,
        recent=recent,
        next_times=info.next_action_times[:5],
    )
