"""Erasure of one person across a school's systems, as a saga.

1. A waiting period (``waiting_seconds``) during which the ``cancel`` signal withdraws the
   request: nothing anywhere has changed.
2. Legal holds on the person block it (status ``blocked``, proven in the audit log).
3. The tombstone: from now on a roster sync does not re-create the person.
4. Per connection: read what it holds and plan each record type per the school's rules
   (atrium/privacy/erasure_plan.py), then run each step's catalog actions (``run_action``, one
   idempotency key per step); a step that cannot complete is compensated by its fallback
   (anonymising what could not be deleted), else recorded as failed. Each connection's outcome
   is proven in the hash-chained audit log.
5. Atrium's own data last (sync records, quarantine, notifications), proven likewise.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.actions import ActionActivities, ActionInput
    from activities.privacy import IdentifyInput, PrivacyActivities
    from activities.privacy_erasure import (
        ErasureActivities,
        ErasureRef,
        PlanInput,
        ProveInput,
        StatusInput,
        StepOutcome,
    )
    from atrium.privacy.erasure_plan import ActionCall, Step
    from atrium.privacy.subjects import Person
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
MAX_WAIT = 90 * 24 * 3600


class ErasureInput(BaseModel):
    erasure_id: int = Field(ge=1)
    token: str = Field(
        "", pattern=r"^[a-f0-9]{0,32}$", description="makes the run's id unique across databases"
    )
    person: Person
    sis: str | None = Field(None, pattern=NAME, description="the SIS that knows the person")
    connections: list[str] = Field(default_factory=list, max_length=20)
    waiting_seconds: int = Field(7 * 24 * 3600, ge=0, le=MAX_WAIT)


class CancelErasure(BaseModel):
    by: str = Field("administrator", max_length=255)
    reason: str = Field("", max_length=1000)


class ConnectionOutcome(BaseModel):
    connection: str
    steps: list[StepOutcome]
    proof: str


class ErasureResult(BaseModel):
    status: str  # cancelled | blocked | completed | incomplete
    connections: list[ConnectionOutcome] = Field(default_factory=list)
    reason: str | None = None


class ErasureStatus(BaseModel):
    phase: str
    cancellable: bool


@workflow.defn(name="erasure")
class Erasure:
    def __init__(self) -> None:
        self._cancel: CancelErasure | None = None
        self._phase = "waiting"

    @workflow.signal(name="cancel")
    def cancel(self, request: CancelErasure) -> None:
        if self._phase == "waiting":
            self._cancel = request

    @workflow.query(name="status")
    def status(self) -> ErasureStatus:
        return ErasureStatus(phase=self._phase, cancellable=self._phase == "waiting")

    async def _status(self, erasure_id: int, status: str, reason: str | None = None) -> None:
        self._phase = status
        await workflow.execute_activity_method(
            ErasureActivities.status,
            StatusInput(erasure_id=erasure_id, status=status, reason=reason),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )

    @workflow.run
    async def run(self, input: ErasureInput) -> ErasureResult:
        ref = ErasureRef(erasure_id=input.erasure_id, person=input.person)
        with suppress(TimeoutError):  # the waiting period ended without a cancellation
            await workflow.wait_condition(
                lambda: self._cancel is not None, timeout=timedelta(seconds=input.waiting_seconds)
            )
        if self._cancel is not None:
            reason = f"cancelled by {self._cancel.by}" + (
                f": {self._cancel.reason}" if self._cancel.reason else ""
            )
            await self._status(input.erasure_id, "cancelled", reason)
            return ErasureResult(status="cancelled", reason=reason)
        self._phase = "checking"
        holds = await workflow.execute_activity_method(
            ErasureActivities.holds,
            ref,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        if holds.held:
            reason = "legal hold: " + "; ".join(holds.reasons)
            await self._prove(
                input.erasure_id,
                "legal-hold",
                "-",
                [StepOutcome(record_type="erasure", treatment="blocked", detail=reason[:1000])],
            )
            await self._status(input.erasure_id, "blocked", reason)
            return ErasureResult(status="blocked", reason=reason)
        await self._status(input.erasure_id, "erasing")
        # The person's number and email, as the SIS knows them (the library and the bursar
        # know them by number; Atrium's notifications by email).
        person = await workflow.execute_activity_method(
            PrivacyActivities.identify,
            IdentifyInput(person=input.person, sis=input.sis),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        ref = ErasureRef(erasure_id=input.erasure_id, person=person)
        input = input.model_copy(update={"person": person})
        await workflow.execute_activity_method(
            ErasureActivities.tombstone,
            ref,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        outcomes: list[ConnectionOutcome] = []
        for connection in dict.fromkeys([*([input.sis] if input.sis else []), *input.connections]):
            outcomes.append(await self._erase_in(input, connection))
        proof = await workflow.execute_activity_method(
            ErasureActivities.own_data,
            ref,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        outcomes.append(ConnectionOutcome(connection="atrium", steps=[], proof=proof))
        failed = [
            f"{o.connection}/{s.record_type}"
            for o in outcomes
            for s in o.steps
            if s.treatment == "failed"
        ]
        status = "incomplete" if failed else "completed"
        incomplete = f"could not erase: {', '.join(failed)}" if failed else None
        await self._status(input.erasure_id, status, incomplete)
        return ErasureResult(status=status, connections=outcomes, reason=incomplete)

    async def _erase_in(self, input: ErasureInput, connection: str) -> ConnectionOutcome:
        try:
            plan = await workflow.execute_activity_method(
                ErasureActivities.plan,
                PlanInput(erasure_id=input.erasure_id, connection=connection, person=input.person),
                start_to_close_timeout=SHORT_CALL * 4,
                retry_policy=EXTERNAL_CALL,
            )
        except ActivityError as exc:
            steps = [
                StepOutcome(
                    record_type="*", treatment="failed", detail=str(exc.cause or exc)[:1000]
                )
            ]
            proof = await self._prove(input.erasure_id, connection, "?", steps)
            return ConnectionOutcome(connection=connection, steps=steps, proof=proof)
        steps = []
        for n, step in enumerate(plan.steps):
            steps.append(await self._step(input.erasure_id, connection, n, step))
        proof = await self._prove(input.erasure_id, connection, plan.system, steps)
        return ConnectionOutcome(connection=connection, steps=steps, proof=proof)

    async def _step(self, erasure_id: int, connection: str, n: int, step: Step) -> StepOutcome:
        """Run the step's actions; when one cannot complete, its fallback (compensation)."""
        key = f"erasure-{erasure_id}-{connection}-{n}"
        try:
            await self._actions(connection, key, step.actions)
            return StepOutcome(
                record_type=step.record_type, treatment=step.treatment, detail=step.detail
            )
        except ActivityError as exc:
            failure = str(exc.cause or exc)[:400]
        if step.fallback:
            try:
                await self._actions(connection, f"{key}-fallback", step.fallback)
                return StepOutcome(
                    record_type=step.record_type,
                    treatment=step.fallback_treatment,
                    detail=f"not {step.treatment}: {failure}"[:1000],
                )
            except ActivityError as exc:
                failure += f"; fallback: {str(exc.cause or exc)[:400]}"
        return StepOutcome(record_type=step.record_type, treatment="failed", detail=failure)

    async def _actions(self, connection: str, key: str, actions: list[ActionCall]) -> None:
        for i, call in enumerate(actions):
            await workflow.execute_activity_method(
                ActionActivities.run_action,
                ActionInput(
                    action=call.action,
                    integration=connection,
                    input=call.input,
                    idempotency_key=f"{key}-{i}",
                ),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )

    async def _prove(
        self, erasure_id: int, connection: str, system: str, steps: list[StepOutcome]
    ) -> str:
        return await workflow.execute_activity_method(
            ErasureActivities.prove,
            ProveInput(erasure_id=erasure_id, connection=connection, system=system, outcomes=steps),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
