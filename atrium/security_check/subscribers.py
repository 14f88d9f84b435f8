"""Subscribers whose URL resolves to an address inside the network, judged by the SSRF guard's
own rules (atrium/egress.py). Refused by the configured policy: deliveries fail. Allowed only
because a setting lists the host or allows private networks: worth a look, nothing more."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, col, select

from atrium.egress import EgressPolicy, EgressRefused, HostNotFound
from atrium.models import Subscription
from atrium.security_check.finding import Context, Finding

CONCURRENT_LOOKUPS = 16


async def check(ctx: Context) -> list[Finding]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Subscription).order_by(col(Subscription.id))).all()
    strict = EgressPolicy(require_https=False, resolve=ctx.resolve)  # addresses only
    configured = EgressPolicy.from_settings(ctx.settings.events, resolve=ctx.resolve)
    limit = asyncio.Semaphore(CONCURRENT_LOOKUPS)

    async def one(row: Subscription) -> Finding | None:
        async with limit:
            return await _assess(row, strict, configured)

    return [f for f in await asyncio.gather(*(one(r) for r in rows)) if f is not None]


async def _assess(
    row: Subscription, strict: EgressPolicy, configured: EgressPolicy
) -> Finding | None:
    subject = f"subscription {row.id} ({row.url})"
    try:
        await strict.addresses(*strict.check_url(row.url))
        return None
    except HostNotFound as exc:
        return Finding(
            severity="low",
            kind="subscriber.unresolvable",
            subject=subject,
            detail=f"{exc}: deliveries fail",
            fix=f"correct the URL (PATCH /api/v1/subscriptions/{row.id}) or delete it",
        )
    except EgressRefused as exc:
        inside = str(exc).split(": allowed only")[0]
    try:
        await configured.check(row.url)
    except (EgressRefused, HostNotFound):
        return Finding(
            severity="medium" if row.active else "low",
            kind="subscriber.private_address",
            subject=subject,
            detail=f"{inside}: the SSRF guard refuses every delivery to it",
            fix=f"point it at a public https URL (PATCH /api/v1/subscriptions/{row.id}) or "
            "delete it; list the host in ATRIUM_EVENTS__SUBSCRIBER_ALLOWED_HOSTS only if "
            "events must stay inside the network",
        )
    return Finding(
        severity="info",
        kind="subscriber.private_address",
        subject=subject,
        detail=f"{inside}, allowed by ATRIUM_EVENTS__SUBSCRIBER_ALLOWED_HOSTS or "
        "ATRIUM_EVENTS__SUBSCRIBER_ALLOW_PRIVATE",
        fix="confirm the receiver is meant to sit inside the network; otherwise remove it "
        "from those settings",
    )
