"""Reports: the monthly integration report (JSON, CSV, a printable HTML page) and its scheduled
delivery by email (recipients, day and hour, kept in the store and as a Temporal Schedule)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, EmailStr, Field, model_validator

from api.deps import EngineDep, SessionDep, SettingsDep, TemporalDep
from api.routes.integration_origin import audit
from api.security import Principal, require
from atrium.models import Integration, ReportDelivery
from atrium.models.integration import utcnow
from atrium.models.report import DELIVERY_ID, NAME, ReportDeliveryPublic
from atrium.reports.csv_report import csv_report
from atrium.reports.figures import monthly_report
from atrium.reports.html_report import html_report
from atrium.reports.models import MonthlyReport
from atrium.reports.month import Month
from atrium.slas.measure import temporal_runs
from atrium.temporal import TaskQueues
from workflows.report_schedule import (
    REPORT_SCHEDULE_ID,
    drop_report_schedule,
    keep_report_schedule,
)

router = APIRouter(prefix="/reports", tags=["reports"])


class DeliveryIn(BaseModel):
    enabled: bool = True
    recipients: list[EmailStr] = Field(max_length=50)
    day_of_month: int = Field(1, ge=1, le=28, description="the day (UTC) it is sent")
    hour: int = Field(6, ge=0, le=23, description="the hour (UTC) it is sent")
    comms_integration: str | None = Field(None, max_length=63, pattern=NAME)

    @model_validator(mode="after")
    def _complete(self) -> DeliveryIn:
        if self.enabled and not self.recipients:
            raise ValueError("recipients: give at least one address, or set enabled to false")
        if self.enabled and self.comms_integration is None:
            raise ValueError("comms_integration: the comms connection that sends the report")
        return self


@router.get(
    "/monthly",
    response_model=MonthlyReport,
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
    dependencies=[require("alerts:read")],
)
async def monthly(
    engine: EngineDep,
    client: TemporalDep,
    month: Annotated[Month, Query(description="YYYY-MM, 2000-01 to 2100-12 (UTC)")],
    format: Annotated[Literal["json", "csv", "html"], Query()] = "json",
) -> MonthlyReport | Response:
    """Per connection: runs by outcome, records by outcome, failures, SLA status, top errors."""
    report = await monthly_report(engine, month, temporal_runs(client).count)
    if format == "csv":
        return Response(
            csv_report(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="atrium-report-{month}.csv"'},
        )
    if format == "html":
        return HTMLResponse(html_report(report))
    return report


def _public(row: ReportDelivery | None) -> ReportDeliveryPublic:
    if row is None:
        return ReportDeliveryPublic(enabled=False)
    found = ReportDeliveryPublic.model_validate(row, from_attributes=True)
    found.schedule_id = REPORT_SCHEDULE_ID if row.enabled else ""
    return found


@router.get("/delivery", response_model=ReportDeliveryPublic, dependencies=[require("alerts:read")])
def get_delivery(session: SessionDep) -> ReportDeliveryPublic:
    return _public(session.get(ReportDelivery, DELIVERY_ID))


@router.put("/delivery", response_model=ReportDeliveryPublic)
async def put_delivery(
    body: DeliveryIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalDep,
    principal: Principal = require("alerts:manage"),
) -> ReportDeliveryPublic:
    """Who receives last month's report, on which day and hour (UTC), through which comms
    connection; keeps the ``monthly-report`` schedule (removed when disabled)."""
    if body.comms_integration is not None:
        found = Integration.named(session, body.comms_integration)
        if found is None or found.system != "comms":
            raise HTTPException(
                422, f"comms_integration: no comms connection {body.comms_integration!r}"
            )
    delivery = session.get(ReportDelivery, DELIVERY_ID) or ReportDelivery(id=DELIVERY_ID)
    for name, value in body.model_dump().items():
        setattr(delivery, name, value)
    delivery.updated_at, delivery.updated_by = utcnow(), principal.subject[:255]
    session.add(delivery)
    session.commit()
    session.refresh(delivery)
    if delivery.enabled:
        queue = TaskQueues.from_settings(settings.temporal).main
        await keep_report_schedule(client, queue, delivery.day_of_month, delivery.hour)
    else:
        await drop_report_schedule(client)
    await audit(request, principal, "REPORT DELIVERY " + ("ON" if delivery.enabled else "OFF"))
    return _public(delivery)
