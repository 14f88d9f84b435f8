"""The monthly report by email: the ``monthly-report`` schedule starts a run that mails last
month's report through the sandbox relay to each recipient once, the CSV and the printable page
attached; another run of the same month sends nothing again."""

from __future__ import annotations

import asyncio
import email
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import default

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import Integration, ReportDelivery, ReportSent
from atrium.models.integration import utcnow
from atrium.reports.month import previous
from sandbox.comms.smtp import tls_certificate_path
from sandbox.context import SystemContext
from tests.workflows.alert_support import mail_to
from tests.workflows.conftest import register_connection
from tests.workflows.sync_env import eventually
from workflows.monthly_report import MonthlyReport, MonthlyReportInput
from workflows.report_schedule import (
    REPORT_SCHEDULE_ID,
    drop_report_schedule,
    keep_report_schedule,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(name="relay")
async def comms_relay(
    sandbox_url: str,
    smtp_ctx: tuple[SystemContext, int],
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
) -> AsyncIterator[str]:
    """A comms connection mailing through the sandbox relay; the delivery setting, its schedule
    and what was sent go afterwards."""
    name = f"report-comms-{uuid.uuid4().hex[:6]}"
    smtp, port = smtp_ctx
    secret = {
        **smtp.credentials,
        "smtp_port": str(port),
        "smtp_ca_pem": tls_certificate_path(smtp).read_text(),
        "smtp_sender": "reports@example.edu",
    }
    await register_connection(engine, credentials, name, "comms", f"{sandbox_url}/comms", secret)
    try:
        yield name
    finally:
        await drop_report_schedule(temporal_client)
        with session_scope(engine) as session:
            session.exec(delete(ReportDelivery))  # type: ignore[call-overload]
            session.exec(delete(ReportSent).where(col(ReportSent.recipient).contains("-desk-")))  # type: ignore[call-overload]
            row = session.exec(select(Integration).where(Integration.name == name)).first()
            if row is not None:
                session.delete(row)
            session.commit()
        await credentials.delete(name)


async def _raw(sandbox_url: str, mail_id: int) -> EmailMessage:
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        raw = (await http.get(f"/comms/_control/mail/{mail_id}")).json()["raw"]
    message = email.message_from_string(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


async def test_the_schedule_mails_last_months_report_once_per_recipient(
    temporal_client: Client,
    worker: Worker,
    engine: Engine,
    relay: str,
    sandbox_url: str,
) -> None:
    tag = uuid.uuid4().hex[:6]
    recipients = [f"dean-desk-{tag}@example.edu", f"it-desk-{tag}@example.edu"]
    with session_scope(engine) as session:
        session.add(ReportDelivery(recipients=recipients, day_of_month=1, comms_integration=relay))
        session.commit()
    await keep_report_schedule(temporal_client, worker.task_queue, 1, 6)
    await temporal_client.get_schedule_handle(REPORT_SCHEDULE_ID).trigger()
    month = previous(utcnow())

    for to in recipients:
        [mail] = await eventually(lambda to=to: mail_to(sandbox_url, to), 60)
        assert mail["subject"] == f"Atrium integration report {month}"
        message = await _raw(sandbox_url, int(mail["id"]))
        attached = {part.get_filename(): part for part in message.iter_attachments()}
        assert set(attached) == {f"atrium-report-{month}.csv", f"atrium-report-{month}.html"}
        csv_part = attached[f"atrium-report-{month}.csv"]
        html_part = attached[f"atrium-report-{month}.html"]
        assert csv_part.get_content_type() == "text/csv"
        assert csv_part.get_content().startswith("month,integration,system,runs,")
        assert html_part.get_content_type() == "text/html" and "<svg" in html_part.get_content()

    again = await temporal_client.execute_workflow(
        MonthlyReport.run,
        MonthlyReportInput(month=month),
        id=f"monthly-report-again-{tag}",
        task_queue=worker.task_queue,
    )
    assert again.sent == [] and again.already_sent == 2
    await asyncio.sleep(1)
    for to in recipients:
        assert len(await mail_to(sandbox_url, to)) == 1  # once per recipient and month
    with session_scope(engine) as session:
        sent = session.exec(select(ReportSent).where(ReportSent.month == month)).all()
        assert sorted(r.recipient for r in sent if tag in r.recipient) == recipients
