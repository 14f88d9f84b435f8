"""Run every check and order the findings, most urgent first."""

from __future__ import annotations

import asyncio

from atrium.security_check import (
    administrators,
    api_keys,
    deployment,
    integrations,
    secrets,
    subscribers,
    webhooks,
)
from atrium.security_check.finding import SEVERITIES, Context, Finding

CHECKS = (deployment, integrations, secrets, api_keys, administrators, subscribers, webhooks)


async def assess(ctx: Context) -> list[Finding]:
    found = await asyncio.gather(*(check.check(ctx) for check in CHECKS))
    findings = [f for group in found for f in group]
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.kind, f.subject))
