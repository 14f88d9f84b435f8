"""Webhook sources nobody has called for a long time: their signing secret still admits calls,
so a forgotten source is an open door with a key under the mat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from atrium.models import WebhookDelivery, WebhookSource
from atrium.security_check.finding import Context, Finding, as_utc


async def check(ctx: Context) -> list[Finding]:
    days = ctx.settings.security.webhook_stale_days
    since = ctx.now - timedelta(days=days)
    with Session(ctx.engine) as session:
        sources = session.exec(
            select(WebhookSource)
            .where(col(WebhookSource.enabled).is_(True))
            .order_by(WebhookSource.name)
        ).all()
        last = dict(
            session.exec(
                select(WebhookDelivery.source, func.max(WebhookDelivery.received_at))
                .where(col(WebhookDelivery.source).in_([s.name for s in sources]))
                .group_by(col(WebhookDelivery.source))
            ).all()
        )
    findings = []
    for source in sources:
        latest = last.get(source.name)
        seen = as_utc(latest) if latest is not None else None
        if (seen or as_utc(source.created_at)) >= since:
            continue
        what = (
            f"no delivery for {(ctx.now - seen).days} days"
            if seen
            else f"no delivery since it was created {(ctx.now - as_utc(source.created_at)).days} "
            "days ago"
        )
        findings.append(
            Finding(
                severity="low",
                kind="webhook_source.stale",
                subject=f"webhook source {source.name!r}",
                detail=f"{what} (policy: {days}, ATRIUM_SECURITY__WEBHOOK_STALE_DAYS)",
                fix="disable it if the sender is gone (PATCH "
                f"/api/v1/webhooks/sources/{source.name} with enabled=false) or delete it",
            )
        )
    return findings
