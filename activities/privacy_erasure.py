"""Erasure activities (workflows/erasure.py): legal holds checked, the tombstone written, one
system's plan read (its record ids, the school's rules), each system's outcome proven in the
audit log, Atrium's own data erased, the request's state kept. The erasing writes themselves are
catalog actions the workflow runs through ``run_action``. Also the retention purge."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.privacy_readers import READERS
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.models.privacy import PrivacyErasureStep
from atrium.privacy import own_data, retention, store
from atrium.privacy.erasure_plan import Step, plan
from atrium.privacy.subjects import Person

ATRIUM = "atrium"


class ErasureRef(BaseModel):
    erasure_id: int
    person: Person


class HoldCheck(BaseModel):
    held: bool
    reasons: list[str] = Field(default_factory=list)


class PlanInput(BaseModel):
    erasure_id: int
    connection: str = Field(max_length=63)
    person: Person


class ConnectionPlan(BaseModel):
    connection: str
    system: str
    steps: list[Step]


class StepOutcome(BaseModel):
    record_type: str
    treatment: str  # erased | anonymised | kept | absent | failed
    detail: str = Field("", max_length=1000)


class ProveInput(BaseModel):
    erasure_id: int
    connection: str
    system: str
    outcomes: list[StepOutcome]


class StatusInput(BaseModel):
    erasure_id: int
    status: str = Field(max_length=16)
    reason: str | None = Field(None, max_length=1000)


class PurgeInput(BaseModel):
    pass


class PurgeResult(BaseModel):
    purged: dict[str, int]


class ErasureActivities:
    def __init__(self, engine: Engine, credentials: Credentials, runtime: Runtime) -> None:
        self.engine = engine
        self.runtime = runtime

    @activity.defn(name="privacy_erasure_status")
    async def status(self, input: StatusInput) -> None:
        try:
            await asyncio.to_thread(
                store.set_erasure, self.engine, input.erasure_id, input.status, input.reason
            )
        except LookupError as exc:
            raise ApplicationError(str(exc), type="NotFound", non_retryable=True) from None

    @activity.defn(name="privacy_erasure_holds")
    async def holds(self, input: ErasureRef) -> HoldCheck:
        """Legal holds on the person: any one blocks the erasure."""
        found = await asyncio.to_thread(store.active_holds, self.engine, input.person.subject)
        return HoldCheck(held=bool(found), reasons=[h.reason for h in found])

    @activity.defn(name="privacy_erasure_tombstone")
    async def tombstone(self, input: ErasureRef) -> None:
        """From now on no process creates the person again: a roster sync into any LMS
        (activities/sync/erased.py), library provisioning and onboarding
        (activities/privacy_tombstones.py), by their sourcedId or their person number."""
        await asyncio.to_thread(store.bury, self.engine, input.person.subjects, input.erasure_id)

    @activity.defn(name="privacy_erasure_plan")
    async def plan(self, input: PlanInput) -> ConnectionPlan:
        """Read what ``connection`` holds of the person and decide each record type's steps."""
        row = await self.runtime.aconnection(input.connection)
        reader = READERS.get(row.system)
        if reader is None:
            raise ApplicationError(
                f"connection {row.name!r}: a {row.system} connection holds no personal records",
                type="InvalidRequest",
                non_retryable=True,
            )
        section = await reader(self.runtime, row, input.person)
        rules = await asyncio.to_thread(store.rules, self.engine)
        return ConnectionPlan(
            connection=row.name,
            system=row.system,
            steps=plan(row.system, input.erasure_id, section, rules),
        )

    @activity.defn(name="privacy_erasure_prove")
    async def prove(self, input: ProveInput) -> str:
        """The connection's outcome, in the audit log (hash-chained) and the request's steps."""
        steps = [
            PrivacyErasureStep(
                erasure_id=input.erasure_id,
                connection=input.connection,
                system=input.system,
                record_type=o.record_type,
                treatment=o.treatment,
                detail=o.detail[:1000],
            )
            for o in input.outcomes
        ]
        return await asyncio.to_thread(
            store.record_steps,
            self.engine,
            input.erasure_id,
            input.connection,
            input.system,
            steps,
        )

    @activity.defn(name="privacy_erasure_own_data")
    async def own_data(self, input: ErasureRef) -> str:
        """Erase what Atrium holds of the person and prove it; the audit log is kept."""
        counts = await asyncio.to_thread(own_data.erase, self.engine, input.person)
        outcomes = [
            PrivacyErasureStep(
                erasure_id=input.erasure_id,
                connection=ATRIUM,
                system=ATRIUM,
                record_type=kind,
                treatment="erased" if n else "absent",
                detail=f"{n} rows",
            )
            for kind, n in counts.items()
        ]
        outcomes.append(
            PrivacyErasureStep(
                erasure_id=input.erasure_id,
                connection=ATRIUM,
                system=ATRIUM,
                record_type="audit",
                treatment="kept",
                detail="the audit log names requests, not people; it is the proof",
            )
        )
        return await asyncio.to_thread(
            store.record_steps, self.engine, input.erasure_id, ATRIUM, ATRIUM, outcomes
        )

    @activity.defn(name="privacy_retention_purge")
    async def purge(self, input: PurgeInput) -> PurgeResult:
        """Apply the retention of Atrium's own data once (what the schedule runs)."""
        return PurgeResult(purged=await asyncio.to_thread(retention.purge, self.engine))
