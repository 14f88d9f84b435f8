"""Accounts with every right: how many, who never logged in, who has no second factor, and
disabled accounts that still hold API keys (refused while disabled, alive again the moment the
account is re-enabled)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from atrium.models import ApiKey, AuditEvent, User
from atrium.security_check.finding import Context, Finding

# The audit log records every login (a POST); these are its login routes (an account with a
# second factor succeeds on the second step).
LOGIN_ACTIONS = (
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/session",
    "POST /api/v1/auth/token/second-factor",
    "POST /api/v1/auth/session/second-factor",
)


async def check(ctx: Context) -> list[Finding]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(User.username, User.second_factor_at)
            .where(User.role == "administrator", col(User.disabled).is_(False))
            .order_by(User.username)
        ).all()
        admins = [name for name, _ in rows]
        without_factor = [name for name, since in rows if since is None]
        logged_in = set(
            session.exec(
                select(AuditEvent.actor)
                .where(col(AuditEvent.action).in_(LOGIN_ACTIONS), AuditEvent.outcome == "success")
                .where(col(AuditEvent.actor).in_(admins))
                .distinct()
            ).all()
        )
        holding: dict[tuple[str, str], list[int]] = {}
        for name, role, key_id in session.exec(
            select(User.username, User.role, ApiKey.id)
            .join(ApiKey, col(ApiKey.owner) == col(User.username))
            .where(col(User.disabled).is_(True), col(ApiKey.revoked_at).is_(None))
            .order_by(col(User.username), col(ApiKey.id))
        ):
            holding.setdefault((name, role), []).append(key_id or 0)
    findings = []
    most = ctx.settings.security.max_administrators
    if len(admins) > most:
        findings.append(
            Finding(
                severity="medium",
                kind="administrators.too_many",
                subject="administrators",
                detail=f"{len(admins)} enabled accounts have every right (policy: at most {most}, "
                "ATRIUM_SECURITY__MAX_ADMINISTRATORS)",
                fix="give each person the narrowest role that does their job "
                "(PATCH /api/v1/users/{username} with another role)",
            )
        )
    findings += [
        Finding(
            severity="low",
            kind="administrators.never_logged_in",
            subject=f"user {name!r}",
            detail="an enabled administrator account that has never logged in",
            fix=f"disable it if no one uses it: PATCH /api/v1/users/{name} with disabled=true",
        )
        for name in admins
        if name not in logged_in
    ]
    findings += [
        Finding(
            severity="medium" if role == "administrator" else "low",
            kind="users.disabled_with_keys",
            subject=f"user {name!r} ({role})",
            detail=f"disabled, but still owns {len(ids)} unrevoked API key(s), which work again "
            "if the account is re-enabled",
            fix="revoke them: "
            + ", ".join(f"DELETE /api/v1/api-keys/{i}" for i in ids[:10])
            + (f" and {len(ids) - 10} more" if len(ids) > 10 else ""),
        )
        for (name, role), ids in holding.items()
    ]
    required = "administrator" in ctx.settings.api.require_second_factor_for
    findings += [
        Finding(
            # Required by setting: the next login can only enrol one; until then a stolen
            # password still opens a session, if only that one.
            severity="low" if required else "medium",
            kind="administrators.no_second_factor",
            subject=f"user {name!r}",
            detail="an enabled administrator account without a second factor: its password "
            "alone opens it"
            + (" (required: its next login may only enrol one)" if required else ""),
            fix="enrol one from the console's 'Second factor' page (POST "
            "/api/v1/auth/second-factor/enrolment), and require it for every administrator: "
            "ATRIUM_API__REQUIRE_SECOND_FACTOR_FOR=administrator",
        )
        for name in without_factor
    ]
    return findings
