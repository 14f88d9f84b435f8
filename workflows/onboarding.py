"""New student onboarding: from an admission event, the LMS account, then (in parallel) course
enrollments and a library patron, then the finance account, then a welcome email. If a step fails
for good, the steps already done are undone in reverse order (a saga) and the report says what
was done and undone where. The finance account comes last of the undoable part on purpose: the
bursar's API cannot remove an account, so nothing after it may need compensating."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.finance import AccountInput, FinanceActivities
    from activities.library import LibraryActivities, PatronInput, PatronRef, SisPerson
    from activities.lms import (
        EnrollInput,
        LmsAccessChange,
        LmsAccount,
        LmsAccountInput,
        LmsActivities,
    )
    from activities.notify import NotifyInput
    from workflows.notify import send
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"


class AdmittedStudent(BaseModel):
    student_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)
    login: str = Field(min_length=1, max_length=100)


class OnboardingInput(BaseModel):
    student: AdmittedStudent
    courses: list[str] = Field(default_factory=list, description="SIS course ids to enroll in")
    school: str = Field("our school", max_length=200)
    expiry: date = Field(description="end of the student's last term: the library card's expiry")
    lms: str = Field("canvas", pattern=NAME, description="a Canvas or Moodle connection")
    library: str = Field("library", pattern=NAME)
    finance: str = Field("finance", pattern=NAME)
    comms: str = Field("comms", pattern=NAME)
    library_id: str = Field("CPL", min_length=1, max_length=10)
    category_id: str = Field("ST", min_length=1, max_length=10)


class Step(BaseModel):
    system: str
    action: str
    status: Literal["done", "existed", "failed", "compensated", "skipped"]
    detail: str = ""


class OnboardingReport(BaseModel):
    student_id: str
    status: Literal["completed", "compensated"]
    steps: list[Step]
    error: str | None = None


async def _call(method: Callable[..., Awaitable[Any]], arg: Any) -> Any:
    return await workflow.execute_activity_method(
        method, arg, start_to_close_timeout=SHORT_CALL, retry_policy=EXTERNAL_CALL
    )


@workflow.defn(name="student-onboarding")
class StudentOnboarding:
    @workflow.run
    async def run(self, input: OnboardingInput) -> OnboardingReport:
        student, key = input.student, workflow.info().workflow_id
        steps: list[Step] = []
        undo: list[tuple[Step, Callable[[], Awaitable[Any]]]] = []  # in the order things were done
        try:
            account: LmsAccount = await _call(
                LmsActivities.create_account,
                LmsAccountInput(
                    lms=input.lms,
                    student_id=student.student_id,
                    login=student.login,
                    name=f"{student.given_name} {student.family_name}",
                    email=student.email,
                    given_name=student.given_name,
                    family_name=student.family_name,
                ),
            )
            step = Step(
                system="lms",
                action=f"account {account.user_id}",
                status="done" if account.created else "existed",
            )
            steps.append(step)
            undo.append((step, lambda: _call(LmsActivities.delete_account, account)))

            # Enrollments and the library card do not depend on each other: run them together.
            enrolled: Any
            patron: Any
            enrolled, patron = await asyncio.gather(
                _call(
                    LmsActivities.enroll,
                    EnrollInput(
                        lms=input.lms, student_id=student.student_id, courses=input.courses
                    ),
                ),
                _call(
                    LibraryActivities.ensure_patron,
                    PatronInput(
                        library=input.library,
                        library_id=input.library_id,
                        category_id=input.category_id,
                        expiry=input.expiry,
                        person=SisPerson(
                            sourced_id=student.student_id,
                            identifier=student.student_id,
                            username=student.login,
                            given_name=student.given_name,
                            family_name=student.family_name,
                            email=student.email,
                            role="student",
                            active=True,
                        ),
                    ),
                ),
                return_exceptions=True,
            )
            if not isinstance(enrolled, BaseException):
                change = LmsAccessChange(
                    lms=input.lms,
                    system=account.system,  # the LMS the connection named in the input is
                    student_id=student.student_id,
                    enrollment_ids=[tuple(e) for e in enrolled],
                )  # type: ignore[misc]
                step = Step(
                    system="lms",
                    action=f"enrollments in {', '.join(input.courses) or 'no course'}",
                    status="done",
                    detail=f"{len(enrolled)} enrollment(s)",
                )
                steps.append(step)
                undo.append((step, lambda: _call(LmsActivities.drop, change)))
            if not isinstance(patron, BaseException):
                ref: PatronRef = patron
                step = Step(
                    system="library",
                    action=f"patron {ref.patron_id}",
                    status="done" if ref.created else "existed",
                )
                steps.append(step)
                undo.append((step, lambda: _call(LibraryActivities.remove_patron, ref)))
            for outcome in (enrolled, patron):
                if isinstance(outcome, BaseException):
                    raise outcome

            finance = await _call(
                FinanceActivities.create_account,
                AccountInput(
                    finance=input.finance,
                    student_id=student.student_id,
                    name=f"{student.given_name} {student.family_name}",
                    email=student.email,
                    idempotency_key=f"{key}/finance-account",
                ),
            )
            steps.append(
                Step(
                    system="finance",
                    action="student account",
                    status="done" if finance.created else "existed",
                )
            )
        except ActivityError as err:
            cause = str(err.cause or err)[:1000]
            steps.append(
                Step(system=_system_of(err), action="failed step", status="failed", detail=cause)
            )
            for step, compensate in reversed(undo):
                if step.status == "existed":
                    continue  # it was there before us: not ours to remove
                await compensate()
                step.status = "compensated"
            return OnboardingReport(
                student_id=student.student_id, status="compensated", steps=steps, error=cause
            )

        steps.append(await self._welcome(input, key))
        return OnboardingReport(student_id=student.student_id, status="completed", steps=steps)

    async def _welcome(self, input: OnboardingInput, key: str) -> Step:
        """A courtesy: if it cannot be sent, the accounts stay and the report says so."""
        student = input.student
        try:
            sent = await send(
                NotifyInput(
                    message_key=f"{key}/welcome",
                    recipient=student.email,
                    template="welcome",
                    integration=input.comms,
                    values={
                        "school": input.school,
                        "first_name": student.given_name,
                        "login": student.login,
                        "accounts": f"- LMS: {input.lms}\n- library card: {student.student_id}\n"
                        f"- student account: {input.finance}",
                    },
                )
            )
        except ActivityError as err:
            return Step(
                system="comms",
                action="welcome email",
                status="failed",
                detail=str(err.cause or err),
            )
        status: Literal["done", "skipped"] = "skipped" if sent.status == "opted_out" else "done"
        return Step(
            system="comms", action=f"welcome {sent.channel}", status=status, detail=sent.status
        )


def _system_of(err: ActivityError) -> str:
    names = {
        "create_lms_account": "lms",
        "enroll_in_courses": "lms",
        "ensure_patron": "library",
        "create_finance_account": "finance",
    }
    return names.get(err.activity_type or "", err.activity_type or "unknown")
