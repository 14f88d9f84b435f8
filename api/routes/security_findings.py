"""The deployment's security assessment (atrium/security_check/), as `atrium security check`
prints it: each finding with its severity, the thing concerned and how to fix it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CredentialsDep, EngineDep, SettingsDep
from api.security import require
from atrium.security_check import SEVERITIES, Context, Finding, assess

router = APIRouter(prefix="/security", tags=["security"], dependencies=[require("security:read")])


class SecurityFindings(BaseModel):
    assessed_at: datetime
    counts: dict[str, int] = Field(description="findings per severity: high, medium, low, info")
    items: list[Finding] = Field(description="most urgent first")


@router.get("/findings", response_model=SecurityFindings)
async def security_findings(
    settings: SettingsDep, engine: EngineDep, credentials: CredentialsDep
) -> SecurityFindings:
    """Assess the deployment now: integrations, connection secrets' age, API keys,
    administrators, subscribers, webhook sources and the settings."""
    ctx = Context(settings, engine, credentials)
    items = await assess(ctx)
    return SecurityFindings(
        assessed_at=ctx.now,
        counts={s: sum(f.severity == s for f in items) for s in SEVERITIES},
        items=items,
    )
