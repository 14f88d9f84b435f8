"""Integration health check: read the secret from Vault, call the system, record the result, and
tell subscribers when a connection goes down or comes back (``integration.unhealthy`` /
``integration.recovered``).

A connection that cannot be checked (a base URL the egress guard refuses, a secret bound to
another origin, an unusable configuration) is recorded unhealthy with the reason: its own
failure, never one that stops the checks of the others. Only Vault being down fails the activity
(retried: it says nothing about the connection).

The change is read from the recorded checks themselves (this check against the one recorded
before it), not from the integration's status column, so a retried activity finds the same
change again and announces it under the same event id: once, however many attempts it takes.
"""

from __future__ import annotations

import asyncio

import httpx
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.connections import check_egress
from activities.events import EventActivities
from activities.runtime import Runtime
from atrium import egress
from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.events.envelope import EventEnvelope
from atrium.events.health import health_change
from atrium.models import HealthCheck, Integration
from atrium.models.integration import utcnow
from connectors.probe import ProbeResult, probe_for


class CheckHealthInput(BaseModel):
    integration: str
    check_id: str  # idempotency key: a retried activity records the same check once


class CheckHealthResult(BaseModel):
    integration: str
    healthy: bool
    status_code: int | None = None
    latency_ms: float | None = None
    detail: str = ""


class ListIntegrationsInput(BaseModel):
    enabled_only: bool = True


class HealthActivities:
    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        timeout: float = 10.0,
        events: EventActivities | None = None,  # None: nothing announced
        *,
        runtime: Runtime | None = None,
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine
        self.timeout = timeout
        self.events = events

    @activity.defn(name="list_integrations")
    async def list_integrations(self, input: ListIntegrationsInput) -> list[str]:
        with session_scope(self.engine) as session:
            query = select(Integration.name)
            if input.enabled_only:
                query = query.where(Integration.enabled == True)  # noqa: E712
            return list(session.exec(query.order_by(Integration.name)).all())

    @activity.defn(name="check_health")
    async def check_health(self, input: CheckHealthInput) -> CheckHealthResult:
        # Any connection, enabled or not: a disabled one is checked when asked for by name.
        integration = await asyncio.to_thread(self.runtime.lookup, input.integration)
        if integration is None:
            raise ApplicationError(
                f"unknown integration {input.integration!r}", non_retryable=True, type="NotFound"
            )
        try:
            outcome = await self._probe(integration)
        except ApplicationError as exc:
            if not exc.non_retryable:
                raise
            outcome = ProbeResult(False, None, 0.0, exc.message)
        result = CheckHealthResult(
            integration=integration.name,
            healthy=outcome.healthy,
            status_code=outcome.status_code,
            latency_ms=round(outcome.latency_ms, 1),
            # Printable only: a detail may quote an unusable URL (NUL is refused by PostgreSQL)
            detail="".join(c if c.isprintable() else "?" for c in outcome.detail)[:1000],
        )
        change = await asyncio.to_thread(self._record, input.check_id, result)
        if change is not None and self.events is not None:
            await self.events.fan_out([change])
        return result

    async def _probe(self, integration: Integration) -> ProbeResult:
        """The system's probe; a permanent ApplicationError when the connection cannot be
        checked as configured."""
        await check_egress(integration.name, integration.base_url)  # also without a secret
        secret: dict[str, str] = {}
        if integration.secret_path:
            try:
                secret = await self.runtime.credentials.read(
                    integration.name, for_url=integration.base_url
                )
            except SecretNotFound:
                secret = {}
            except CredentialError as exc:
                raise ApplicationError(str(exc), type="VaultUnavailable") from exc
        probe = probe_for(integration.system)
        try:
            return await probe(integration.base_url, integration.health_path, secret, self.timeout)
        except egress.EgressRefused as exc:  # the address dialled (DNS may have changed since)
            return ProbeResult(False, None, 0.0, f"refused by the egress guard: {exc}")
        except (ValueError, httpx.InvalidURL) as exc:  # an unusable base URL or health path
            return ProbeResult(False, None, 0.0, f"cannot call this connection: {exc}")

    def _record(self, check_id: str, result: CheckHealthResult) -> EventEnvelope | None:
        """Record the check; returns the event its outcome calls for, if any."""
        with session_scope(self.engine) as session:
            session.add(
                HealthCheck(
                    integration=result.integration,
                    run_id=check_id,
                    healthy=result.healthy,
                    status_code=result.status_code,
                    latency_ms=result.latency_ms,
                    detail=result.detail,
                )
            )
            try:
                session.commit()
            except IntegrityError:  # this check was already recorded by an earlier attempt
                session.rollback()
            checked = self.runtime.lookup(result.integration)
            integration = session.get(Integration, checked.id) if checked else None
            if integration is None:  # removed while it was being checked
                return None
            integration.status = "healthy" if result.healthy else "unhealthy"
            integration.last_checked_at = utcnow()
            integration.last_health_detail = result.detail
            session.add(integration)
            session.commit()
            return health_change(session, check_id, integration.system)
