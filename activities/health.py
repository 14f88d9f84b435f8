"""Integration health check: read the secret from Vault, call the system, record the result."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.models import HealthCheck, Integration
from atrium.models.integration import utcnow
from connectors.probe import probe_for


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
    def __init__(self, engine: Engine, credentials: Credentials, timeout: float = 10.0) -> None:
        self.engine = engine
        self.credentials = credentials
        self.timeout = timeout

    @activity.defn(name="list_integrations")
    async def list_integrations(self, input: ListIntegrationsInput) -> list[str]:
        with session_scope(self.engine) as session:
            query = select(Integration.name)
            if input.enabled_only:
                query = query.where(Integration.enabled == True)  # noqa: E712
            return list(session.exec(query.order_by(Integration.name)).all())

    @activity.defn(name="check_health")
    async def check_health(self, input: CheckHealthInput) -> CheckHealthResult:
        with session_scope(self.engine) as session:
            integration = session.exec(
                select(Integration).where(Integration.name == input.integration)
            ).first()
        if integration is None:
            raise ApplicationError(
                f"unknown integration {input.integration!r}", non_retryable=True, type="NotFound"
            )
        secret: dict[str, str] = {}
        if integration.secret_path:
            try:
                secret = await self.credentials.read(integration.name)
            except SecretNotFound:
                secret = {}
            except CredentialError as exc:
                raise ApplicationError(str(exc), type="VaultUnavailable") from exc
        probe = probe_for(integration.system)
        outcome = await probe(integration.base_url, integration.health_path, secret, self.timeout)
        result = CheckHealthResult(
            integration=integration.name,
            healthy=outcome.healthy,
            status_code=outcome.status_code,
            latency_ms=round(outcome.latency_ms, 1),
            detail=outcome.detail[:1000],
        )
        self._record(input.check_id, result)
        return result

    def _record(self, check_id: str, result: CheckHealthResult) -> None:
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
            integration = session.exec(
                select(Integration).where(Integration.name == result.integration)
            ).one()
            integration.status = "healthy" if result.healthy else "unhealthy"
            integration.last_checked_at = utcnow()
            integration.last_health_detail = result.detail
            session.add(integration)
            session.commit()
