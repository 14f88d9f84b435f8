"""Integrations whose base URL is plain http to another machine."""

from __future__ import annotations

from sqlmodel import Session, select

from atrium.models import Integration
from atrium.security_check.finding import Context, Finding, plain_http_to_remote


async def check(ctx: Context) -> list[Finding]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Integration).order_by(Integration.name)).all()
    return [
        Finding(
            severity="high" if row.enabled else "low",
            kind="integration.plain_http",
            subject=f"integration {row.name!r}",
            detail=f"base URL {row.base_url} is plain http to another host: its credentials "
            "and students' records cross the network unencrypted"
            + ("" if row.enabled else " (the integration is disabled)"),
            fix=f"change the base URL to https:// (PATCH /api/v1/integrations/{row.name}) "
            "once the system serves TLS",
        )
        for row in rows
        if plain_http_to_remote(row.base_url)
    ]
