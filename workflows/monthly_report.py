"""The monthly integration report mailed to its recipients, started by the ``monthly-report``
schedule (api/routes/reports.py keeps it) on the chosen day: last month's report, the CSV and the
printable page attached, once per recipient and month (a recipient already sent is skipped)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reports import Plan, PlanInput, ReportActivities, SendInput
    from atrium.reports.month import Month, previous
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL

MONTHLY_REPORT_WORKFLOW = "monthly-report"
SEND_TIMEOUT = timedelta(minutes=2)  # reading a month's figures, then one SMTP exchange


class MonthlyReportInput(BaseModel):
    month: Month | None = Field(None, description="YYYY-MM; none: the month before this run's")


class MonthlyReportResult(BaseModel):
    month: str
    sent: list[str]
    already_sent: int


@workflow.defn(name=MONTHLY_REPORT_WORKFLOW)
class MonthlyReport:
    @workflow.run
    async def run(self, input: MonthlyReportInput) -> MonthlyReportResult:
        month = input.month or previous(workflow.now())
        plan: Plan = await workflow.execute_activity_method(
            ReportActivities.plan,
            PlanInput(month=month),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        sent, skipped = [], plan.already_sent
        if plan.comms_integration is None:
            return MonthlyReportResult(month=month, sent=[], already_sent=skipped)
        for recipient in plan.owed:
            result = await workflow.execute_activity_method(
                ReportActivities.send,
                SendInput(
                    month=month, recipient=recipient, comms_integration=plan.comms_integration
                ),
                start_to_close_timeout=SEND_TIMEOUT,
                retry_policy=EXTERNAL_CALL,
            )
            if result.status == "sent":
                sent.append(recipient)
            else:
                skipped += 1
        return MonthlyReportResult(month=month, sent=sent, already_sent=skipped)
