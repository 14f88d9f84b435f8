"""The Temporal Schedule that mails last month's integration report on the chosen day and hour
(UTC), kept by ``PUT /api/v1/reports/delivery``; removed when delivery is off."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from atrium.temporal import PROCESS
from workflows.monthly_report import MONTHLY_REPORT_WORKFLOW, MonthlyReport, MonthlyReportInput
from workflows.schedules import keep

REPORT_SCHEDULE_ID = "monthly-report"


def report_schedule(task_queue: str, day_of_month: int, hour: int) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MonthlyReport.run,
            MonthlyReportInput(),
            id=MONTHLY_REPORT_WORKFLOW,  # Temporal appends the scheduled time
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes(
                [SearchAttributePair(PROCESS, MONTHLY_REPORT_WORKFLOW)]
            ),
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    day_of_month=[ScheduleRange(day_of_month)],
                    hour=[ScheduleRange(hour)],
                    minute=[ScheduleRange(0)],
                    second=[ScheduleRange(0)],
                    comment="last month's integration report",
                )
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def keep_report_schedule(client: Client, task_queue: str, day: int, hour: int) -> None:
    await keep(client, REPORT_SCHEDULE_ID, report_schedule(task_queue, day, hour))


async def drop_report_schedule(client: Client) -> None:
    try:
        await client.get_schedule_handle(REPORT_SCHEDULE_ID).delete()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
