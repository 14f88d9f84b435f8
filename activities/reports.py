"""Monthly report activities: who is still owed a month's report, and mailing it to one
recipient (the CSV and the printable HTML attached) once per month: a recipient already sent
that month is skipped, so a retried activity or a second run of the month sends nothing again."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clients import email_sender
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import ReportDelivery, ReportSent
from atrium.models.report import DELIVERY_ID
from atrium.reports.csv_report import csv_report
from atrium.reports.figures import monthly_report
from atrium.reports.html_report import html_report
from atrium.reports.month import Month
from atrium.slas.measure import temporal_runs
from connectors.comms import OutgoingEmail
from connectors.comms.email import TextAttachment


class PlanInput(BaseModel):
    month: Month


class Plan(BaseModel):
    month: str
    comms_integration: str | None
    owed: list[str]  # recipients not yet sent this month's report
    already_sent: int


class SendInput(BaseModel):
    month: Month
    recipient: str = Field(min_length=3, max_length=320)
    comms_integration: str = Field(min_length=1, max_length=63)


class SendResult(BaseModel):
    status: str  # sent | already_sent
    message_id: str = ""


def report_email(month: str, recipient: str, csv_text: str, html_text: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=[recipient],
        subject=f"Atrium integration report {month}",
        text=f"The integration report of {month} (UTC) is attached: a CSV with one row per"
        " connection, and a page to open in a browser or print.",
        attachments=[
            TextAttachment(filename=f"atrium-report-{month}.csv", subtype="csv", content=csv_text),
            TextAttachment(
                filename=f"atrium-report-{month}.html", subtype="html", content=html_text
            ),
        ],
    )


class ReportActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, *, runtime: Runtime | None = None
    ) -> None:
        self.engine = engine
        self.runtime = runtime or Runtime(engine, credentials)

    def _sent(self, month: str) -> set[str]:
        with session_scope(self.engine) as session:
            rows = session.exec(select(ReportSent).where(ReportSent.month == month)).all()
            return {row.recipient.lower() for row in rows}

    @activity.defn(name="report_plan")
    async def plan(self, input: PlanInput) -> Plan:
        def read() -> Plan:
            with session_scope(self.engine) as session:
                delivery = session.get(ReportDelivery, DELIVERY_ID)
            if delivery is None or not delivery.enabled:
                return Plan(month=input.month, comms_integration=None, owed=[], already_sent=0)
            sent = self._sent(input.month)
            recipients = list(dict.fromkeys(str(r) for r in delivery.recipients))
            owed = [r for r in recipients if r.lower() not in sent]
            return Plan(
                month=input.month,
                comms_integration=delivery.comms_integration,
                owed=owed,
                already_sent=len(recipients) - len(owed),
            )

        return await asyncio.to_thread(read)

    @activity.defn(name="report_send")
    async def send(self, input: SendInput) -> SendResult:
        if input.recipient.lower() in await asyncio.to_thread(self._sent, input.month):
            return SendResult(status="already_sent")
        report = await monthly_report(
            self.engine, input.month, temporal_runs(activity.client()).count
        )
        row = await self.runtime.aconnection(input.comms_integration, "comms")
        fields = await self.runtime.secret(row.name)
        sender = email_sender(row, fields, sender_name="Atrium reports", timeout=30.0)
        try:
            mail = report_email(
                input.month, input.recipient, csv_report(report), html_report(report)
            )
        except ValueError as exc:  # not an address the relay could take
            raise ApplicationError(
                f"recipient: {exc}", type="InvalidRequest", non_retryable=True
            ) from None
        with self.runtime.translate(row.name):
            message_id = await sender.send(mail)
        await asyncio.to_thread(self._record, input, message_id)
        return SendResult(status="sent", message_id=message_id)

    def _record(self, input: SendInput, message_id: str) -> None:
        with session_scope(self.engine) as session:
            if session.get(ReportSent, (input.month, input.recipient)) is None:
                session.add(
                    ReportSent(
                        month=input.month, recipient=input.recipient, message_id=message_id[:998]
                    )
                )
                session.commit()
