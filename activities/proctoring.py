"""Proctoring activities: create the exam and its webhook subscription, schedule one session per
student, and read results (the fallback when a webhook never arrived). The platform creates
exams and sessions idempotently by the LMS assignment id and the student id."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.runtime import Runtime, heartbeat
from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.models import ProctoredExamLink
from atrium.webhook_secrets import WebhookSecretKey, WebhookSecrets, vendor_key
from connectors.proctoring import ProctoringClient
from connectors.proctoring.models import ExamCreate, Session, SessionCreate


def webhook_secret_key(integration_name: str) -> WebhookSecretKey:
    """Where the signing secret of the platform's webhooks to Atrium is kept in Vault."""
    return vendor_key("proctoring", integration_name)


class PrepareExamInput(BaseModel):
    proctoring: str
    exam: ExamCreate
    workflow_id: str
    callback_url: str | None = None  # Atrium's webhook route; None: results are polled only


class ExamRef(BaseModel):
    exam_id: str
    subscribed: bool


class Candidate(BaseModel):
    student_id: str
    name: str | None = None


class ScheduleInput(BaseModel):
    proctoring: str
    exam_id: str
    students: list[Candidate]


class SessionOutcome(BaseModel):
    """What the run needs of a session; the webhook route sends the same shape as a signal,
    naming the integration it came through and the exam, which the run checks are its own."""

    session_id: str
    student_id: str
    status: str
    exam_id: str | None = None  # None only in histories from before the check
    integration: str | None = None
    score: float | None = None
    review_status: str | None = None  # clear | flagged | pending
    flags: list[str] = []

    @classmethod
    def of(cls, session: Session) -> SessionOutcome:
        result = session.result
        return cls(
            session_id=session.id,
            exam_id=session.exam_id,
            student_id=session.external_student_id,
            status=session.status,
            score=result.score if result else None,
            review_status=result.review_status if result else None,
            flags=[f"{f.severity}:{f.type}" for f in result.integrity_flags] if result else [],
        )


class ExamSessionsInput(BaseModel):
    proctoring: str
    exam_id: str


class ProctoringActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, *, runtime: Runtime | None = None
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine
        self.webhook_secrets = WebhookSecrets(credentials)

    async def _client(self, name: str) -> ProctoringClient:
        row = await self.runtime.aconnection(name, "proctoring")
        return self.runtime.client(row, ProctoringClient)

    def _link(self, exam_id: str, name: str, workflow_id: str) -> None:
        with session_scope(self.engine) as session:
            row = session.exec(
                select(ProctoredExamLink).where(
                    ProctoredExamLink.integration == name, ProctoredExamLink.exam_id == exam_id
                )
            ).first()
            row = row or ProctoredExamLink(
                exam_id=exam_id, integration=name, workflow_id=workflow_id
            )
            row.workflow_id = workflow_id  # a rerun of the exam takes the webhooks over
            session.add(row)
            session.commit()

    async def _has_webhook_secret(self, name: str) -> bool:
        try:
            await self.webhook_secrets.read(webhook_secret_key(name))
            return True
        except SecretNotFound:
            return False
        except CredentialError as exc:
            raise ApplicationError(str(exc), type="VaultUnavailable") from None

    @activity.defn(name="prepare_proctored_exam")
    async def prepare(self, input: PrepareExamInput) -> ExamRef:
        subscribed = False
        client = await self._client(input.proctoring)
        with self.runtime.translate(input.proctoring):
            exam = await client.create_exam(input.exam)
            if input.callback_url and not await self._has_webhook_secret(input.proctoring):
                endpoint = await client.subscribe(input.callback_url, ["session.completed"])
                if endpoint.secret:  # shown once: straight into Vault, never into history
                    await self.webhook_secrets.store(
                        webhook_secret_key(input.proctoring),
                        {"secret": endpoint.secret, "webhook_id": endpoint.id},
                    )
                subscribed = True
        await asyncio.to_thread(self._link, exam.id, input.proctoring, input.workflow_id)
        return ExamRef(exam_id=exam.id, subscribed=subscribed)

    @activity.defn(name="schedule_proctoring_sessions")
    async def schedule(self, input: ScheduleInput) -> list[SessionOutcome]:
        scheduled = []
        client = await self._client(input.proctoring)
        with self.runtime.translate(input.proctoring):
            for student in input.students:
                session = await client.schedule_session(
                    input.exam_id,
                    SessionCreate(
                        external_student_id=student.student_id, student_name=student.name
                    ),
                )
                outcome = SessionOutcome.of(session)
                scheduled.append(outcome.model_copy(update={"integration": input.proctoring}))
                heartbeat(len(scheduled))
        return scheduled

    @activity.defn(name="proctoring_session_results")
    async def results(self, input: ExamSessionsInput) -> list[SessionOutcome]:
        client = await self._client(input.proctoring)
        with self.runtime.translate(input.proctoring):
            return [
                SessionOutcome.of(s).model_copy(update={"integration": input.proctoring})
                async for s in client.list_sessions(input.exam_id)
            ]
