"""Proctored exam: schedule one proctoring session per student of an LMS assignment, collect the
results (signed webhooks arrive as ``session_result`` signals; whatever has not arrived by the
deadline is read from the platform), have a professor review the flagged sessions (a human step:
the run waits for a ``review`` signal until a deadline, then applies the default outcome), and
post the final grades to the LMS."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.lms import ExamContext, GradesInput, LmsActivities, RosterInput
    from activities.notify import NotifyInput
    from activities.proctoring import (
        Candidate,
        ExamSessionsInput,
        PrepareExamInput,
        ProctoringActivities,
        ScheduleInput,
        SessionOutcome,
    )
    from connectors.proctoring.models import ExamCreate
    from workflows.notify import send
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
Outcome = Literal["accept", "reject"]


class ProctoredExamInput(BaseModel):
    lms: str = Field("canvas", pattern=NAME, description="a Canvas or Moodle connection")
    course: str = Field(min_length=1, max_length=255, description="the course's SIS id in the LMS")
    assignment_id: int = Field(
        gt=0, description="the LMS assignment the exam grades (Moodle: the activity's grade item)"
    )
    proctoring: str = Field("proctoring", pattern=NAME)
    comms: str = Field("comms", pattern=NAME)
    duration_minutes: int = Field(60, gt=0, le=600)
    reviewer_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)
    callback_url: str | None = Field(
        None, max_length=2048, description="Atrium's proctoring webhook URL"
    )
    results_timeout_seconds: int = Field(7 * 86_400, ge=1)
    review_timeout_seconds: int = Field(3 * 86_400, ge=1)
    default_outcome: Outcome = Field(
        "accept", description="applied to flagged sessions left unreviewed"
    )


class ReviewDecision(BaseModel):
    student_id: str = Field(min_length=1, max_length=255)
    outcome: Outcome
    score: float | None = Field(None, ge=0, le=100, description="an adjusted score (percent)")


class Review(BaseModel):
    decisions: list[ReviewDecision] = Field(min_length=1)


class ProctoredExamResult(BaseModel):
    exam_id: str
    scheduled: int
    completed: int
    missing: list[str]  # students without a completed session at the deadline
    flagged: list[str]
    decisions: dict[str, Outcome]
    defaulted: list[str]  # flagged sessions nobody reviewed in time
    grades: dict[str, str]  # student -> posted grade
    progress_id: int | None = None


def exam_workflow_id(proctoring: str, lms: str, course: str, assignment_id: int) -> str:
    """The run's business key: the proctoring integration and the LMS assignment. ':' appears in
    no integration name, so two keys never make one id."""
    return f"proctored-exam:{proctoring}:{lms}:{course}:{assignment_id}"


@workflow.defn(name="proctored-exam")
class ProctoredExam:
    def __init__(self) -> None:
        self._results: dict[str, SessionOutcome] = {}
        self._decisions: dict[str, ReviewDecision] = {}
        self._stage = "scheduling"
        self._exam: tuple[str, str] | None = None  # (integration, exam id) once the exam exists
        self._unchecked: list[SessionOutcome] = []  # results that came before it did
        self._strict = False

    @workflow.signal
    def session_result(self, outcome: SessionOutcome) -> None:
        self._unchecked.append(outcome)
        self._take_results()

    def _take_results(self) -> None:
        """Results of this run's own exam through its own integration; anything else is
        dropped (a webhook route bug or a mislinked exam must not grade this run)."""
        if self._exam is None:
            return
        for outcome in self._unchecked:
            key = (outcome.integration, outcome.exam_id)
            if not self._strict and None in key:  # a history from before the key was sent
                key = self._exam
            if key != self._exam:
                workflow.logger.warning("session result for another exam dropped: %s", key)
            elif outcome.status == "completed":
                self._results[outcome.student_id] = outcome
        self._unchecked.clear()

    @workflow.signal
    def review(self, review: Review) -> None:
        for decision in review.decisions:
            self._decisions[decision.student_id] = decision

    @workflow.query
    def stage(self) -> str:
        return self._stage

    @workflow.run
    async def run(self, input: ProctoredExamInput) -> ProctoredExamResult:
        self._strict = workflow.patched("proctoring-result-key")
        context: ExamContext = await workflow.execute_activity_method(
            LmsActivities.exam_context,
            RosterInput(lms=input.lms, course=input.course, assignment_id=input.assignment_id),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        exam = await workflow.execute_activity_method(
            ProctoringActivities.prepare,
            PrepareExamInput(
                proctoring=input.proctoring,
                workflow_id=workflow.info().workflow_id,
                callback_url=input.callback_url,
                exam=ExamCreate(
                    external_id=f"{input.lms}:{input.course}:{input.assignment_id}",
                    title=context.assignment_title,
                    course_external_id=input.course,
                    duration_minutes=input.duration_minutes,
                ),
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        self._exam = (input.proctoring, exam.exam_id)
        self._take_results()
        sessions = await workflow.execute_activity_method(
            ProctoringActivities.schedule,
            ScheduleInput(
                proctoring=input.proctoring,
                exam_id=exam.exam_id,
                students=[
                    Candidate(student_id=s.student_id, name=s.name) for s in context.students
                ],
            ),
            start_to_close_timeout=SHORT_CALL * 4,
            heartbeat_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        expected = {s.student_id for s in sessions}
        for session in sessions:  # a rerun finds sessions that already finished
            self.session_result(session)

        self._stage = "collecting"
        await self._wait(lambda: expected <= set(self._results), input.results_timeout_seconds)
        if not expected <= set(self._results):  # webhooks lost or late: ask the platform
            for outcome in await workflow.execute_activity_method(
                ProctoringActivities.results,
                ExamSessionsInput(proctoring=input.proctoring, exam_id=exam.exam_id),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            ):
                self.session_result(outcome)

        flagged = sorted(s for s, r in self._results.items() if r.review_status == "flagged")
        defaulted: list[str] = []
        if flagged:
            self._stage = "reviewing"
            await self._ask_review(input, context, flagged)
            await self._wait(
                lambda: set(flagged) <= set(self._decisions), input.review_timeout_seconds
            )
            defaulted = [s for s in flagged if s not in self._decisions]
            for student in defaulted:
                self._decisions[student] = ReviewDecision(
                    student_id=student, outcome=input.default_outcome
                )

        self._stage = "grading"
        grades = self._grades(context, flagged)
        progress = await workflow.execute_activity_method(
            LmsActivities.post_grades,
            GradesInput(
                lms=input.lms, course=input.course, assignment_id=input.assignment_id, grades=grades
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        self._stage = "done"
        return ProctoredExamResult(
            exam_id=exam.exam_id,
            scheduled=len(sessions),
            completed=len(self._results),
            missing=sorted(expected - set(self._results)),
            flagged=flagged,
            decisions={s: self._decisions[s].outcome for s in flagged},
            defaulted=defaulted,
            grades=grades,
            progress_id=progress or None,
        )

    async def _wait(self, done: Callable[[], bool], seconds: int) -> None:
        # Past the deadline the caller decides what a missing result or decision means.
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(done, timeout=timedelta(seconds=seconds))

    def _grades(self, context: ExamContext, flagged: list[str]) -> dict[str, str]:
        """Percent scores as points of the assignment; a rejected session gets no grade."""
        points = context.points_possible or 100.0
        grades = {}
        for student, result in sorted(self._results.items()):
            decision = self._decisions.get(student) if student in flagged else None
            if decision is not None and decision.outcome == "reject":
                continue
            score = decision.score if decision and decision.score is not None else result.score
            if score is not None:
                grades[student] = f"{round(score * points / 100, 2):g}"
        return grades

    async def _ask_review(
        self, input: ProctoredExamInput, context: ExamContext, flagged: list[str]
    ) -> None:
        info = workflow.info()
        deadline = workflow.now() + timedelta(seconds=input.review_timeout_seconds)
        try:
            await send(
                NotifyInput(
                    message_key=f"{info.workflow_id}/{info.run_id}/review",
                    recipient=input.reviewer_email,
                    template="exam-review-requested",
                    integration=input.comms,
                    values={
                        "count": str(len(flagged)),
                        "exam": context.assignment_title,
                        "students": ", ".join(flagged),
                        "deadline": deadline.strftime("%Y-%m-%d %H:%M UTC"),
                        "default": input.default_outcome,
                    },
                )
            )
        except ActivityError as err:  # the review still happens; the deadline still holds
            workflow.logger.warning("review request not sent: %s", err.cause or err)
