"""API keys that never expire, and keys nobody has used for a long time."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from atrium.models import ApiKey
from atrium.security_check.finding import Context, Finding, as_utc


async def check(ctx: Context) -> list[Finding]:
    with Session(ctx.engine) as session:
        keys = session.exec(
            select(ApiKey).where(col(ApiKey.revoked_at).is_(None)).order_by(col(ApiKey.id))
        ).all()
    unused_days = ctx.settings.security.api_key_unused_days
    idle_since = ctx.now - timedelta(days=unused_days)
    findings = []
    for key in keys:
        if key.expires_at is not None and as_utc(key.expires_at) <= ctx.now:
            continue  # expired: refused already
        subject = f"API key {key.id} ({key.prefix}…, {key.name!r}, owner {key.owner!r})"
        revoke = f"DELETE /api/v1/api-keys/{key.id}"
        if key.expires_at is None:
            findings.append(
                Finding(
                    severity="medium",
                    kind="api_key.no_expiry",
                    subject=subject,
                    detail="never expires: a leaked copy works for good",
                    fix=f"make a replacement with expires_at, move the client to it, then {revoke}",
                )
            )
        last_use = as_utc(key.last_used_at or key.created_at)
        if last_use < idle_since:
            used = "never used" if key.last_used_at is None else "not used"
            findings.append(
                Finding(
                    severity="low",
                    kind="api_key.unused",
                    subject=subject,
                    detail=f"{used} for {(ctx.now - last_use).days} days (policy: "
                    f"{unused_days}, ATRIUM_SECURITY__API_KEY_UNUSED_DAYS)",
                    fix=f"revoke it if no client needs it: {revoke}",
                )
            )
    return findings
