"""Connection secrets older than the rotation policy, read from Vault's metadata (never values)."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, col, select

from atrium.credentials import CredentialError, SecretNotFound
from atrium.models import Integration
from atrium.security_check.finding import Context, Finding, as_utc

CONCURRENT_READS = 8  # Vault is asked in parallel, but not all at once


async def check(ctx: Context) -> list[Finding]:
    with Session(ctx.engine) as session:
        names = session.exec(
            select(Integration.name)
            .where(col(Integration.secret_path).is_not(None))
            .order_by(Integration.name)
        ).all()
    limit = asyncio.Semaphore(CONCURRENT_READS)

    async def one(name: str) -> Finding | None:
        async with limit:
            return await _assess(ctx, name)

    return [f for f in await asyncio.gather(*(one(n) for n in names)) if f is not None]


async def _assess(ctx: Context, name: str) -> Finding | None:
    max_days = ctx.settings.security.secret_max_age_days
    subject = f"integration {name!r}"
    rotate = f"PUT /api/v1/integrations/{name}/secret with new credentials"
    try:
        meta = await ctx.credentials.meta(name)
    except SecretNotFound:
        return Finding(
            severity="medium",
            kind="secret.missing",
            subject=subject,
            detail="the store says it has a secret, but Vault has none",
            fix=f"set it again: {rotate}",
        )
    except CredentialError as exc:
        return Finding(
            severity="medium",
            kind="secret.unreadable",
            subject=subject,
            detail=f"the secret's age could not be read ({exc})",
            fix="check that Vault is reachable and the API's Vault identity may read metadata",
        )
    if meta.updated_at is None:
        return None
    age = (ctx.now - as_utc(meta.updated_at)).days
    if age <= max_days:
        return None
    return Finding(
        severity="medium",
        kind="secret.not_rotated",
        subject=subject,
        detail=f"connection secret version {meta.version} is {age} days old "
        f"(policy: {max_days}, ATRIUM_SECURITY__SECRET_MAX_AGE_DAYS)",
        fix=f"issue new credentials in the school's system, then {rotate}",
    )
