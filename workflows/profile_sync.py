"""Two-way profile sync between two systems, field by field, with a policy per field.

Changes on one side flow to the other; real conflicts follow the field's policy, and ``manual``
ones wait in the conflicts queue until an administrator resolves them (``POST
/api/v1/conflicts/{id}/resolve`` signals ``resolve-conflict`` here, and this run applies it).
Each one parked is announced to subscribers as ``conflict.raised``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync.profiles import (
        ApplyInput,
        CompareInput,
        CompareResult,
        FieldWrite,
        ProfileActivities,
    )
    from atrium.sync.conflicts import FieldPolicy, Policy
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL

from workflows.announce import announce, event

NAME = r"^[a-z0-9][a-z0-9._-]*$"


class ProfileSyncInput(BaseModel):
    pair: str = Field(pattern=NAME, max_length=63, description="names this two-way link")
    a: str = Field(pattern=NAME, max_length=63, description="first system (an integration)")
    b: str = Field(pattern=NAME, max_length=63, description="second system (an integration)")
    person_ids: list[str] = Field(min_length=1, max_length=1000)
    policies: dict[str, FieldPolicy] = Field(default_factory=dict)
    default: FieldPolicy = FieldPolicy(policy=Policy.manual)


class ConflictResolution(BaseModel):
    conflict_id: int
    person_id: str
    field: str
    value: str
    write_to: list[str]


class ProfileSyncResult(BaseModel):
    written: int
    conflicts: int
    resolved: int


@workflow.defn(name="profile-sync")
class ProfileSync:
    def __init__(self) -> None:
        self.resolutions: list[ConflictResolution] = []
        self.waiting: list[int] = []

    @workflow.signal(name="resolve-conflict")
    def resolve_conflict(self, resolution: ConflictResolution) -> None:
        self.resolutions.append(resolution)

    @workflow.query(name="waiting-conflicts")
    def waiting_conflicts(self) -> list[int]:
        return list(self.waiting)

    async def _apply(
        self, pair: str, writes: list[FieldWrite], bases: dict[str, dict[str, str]]
    ) -> int:
        return await workflow.execute_activity_method(
            ProfileActivities.apply,
            ApplyInput(pair=pair, writes=writes, bases=bases),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )

    @workflow.run
    async def run(self, input: ProfileSyncInput) -> ProfileSyncResult:
        found: CompareResult = await workflow.execute_activity_method(
            ProfileActivities.compare,
            CompareInput(**input.model_dump(), workflow_id=workflow.info().workflow_id),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        written = await self._apply(input.pair, found.writes, found.bases)
        self.waiting = list(dict.fromkeys(found.conflicts))
        await announce(
            *(
                event("conflict.raised", {"conflict_id": cid, "pair": input.pair}, key=str(cid))
                for cid in self.waiting
            )
        )
        resolved = 0
        while self.waiting:
            await workflow.wait_condition(lambda: bool(self.resolutions))
            answer = self.resolutions.pop(0)
            if answer.conflict_id not in self.waiting:
                continue  # a duplicate signal: already applied
            writes = [
                FieldWrite(
                    person_id=answer.person_id, system=s, field=answer.field, value=answer.value
                )
                for s in answer.write_to
            ]
            written += await self._apply(
                input.pair, writes, {answer.person_id: {answer.field: answer.value}}
            )
            self.waiting.remove(answer.conflict_id)
            resolved += 1
        return ProfileSyncResult(written=written, conflicts=len(found.conflicts), resolved=resolved)
