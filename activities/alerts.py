"""Alert activities: evaluate one rule set against the store (and Temporal's run history), and
deliver one notification, once per alert, channel and transition."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.alert_channels import post_chat, send_email
from activities.clients import CHATS, email_sender, webhook_source
from activities.events import EventActivities
from activities.runtime import Runtime
from atrium.alerting import state
from atrium.alerting.conditions import (
    Condition,
    reads_runs,
    run_conditions,
    stale_health_targets,
    store_conditions,
)
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.egress import EgressRefused, GuardedTransport
from atrium.events.envelope import envelope
from atrium.models import AlertRule, Sla
from atrium.models.integration import utcnow
from atrium.slas.measure import evaluate as evaluate_sla
from atrium.slas.measure import temporal_runs


class RuleSetInput(BaseModel):
    rule_set: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    probe_after_seconds: float = Field(2.5, ge=1.0, le=3600.0)


class StaleTargets(BaseModel):
    rules: int  # enabled rules in the set: none left, the evaluator ends
    integrations: list[str]


class Evaluation(BaseModel):
    rules: int
    firing: int  # groups bad now
    owed: list[state.Notice]


class DeliveryResult(BaseModel):
    status: str  # sent | already_sent | refused
    detail: str = ""


class AlertActivities:
    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        events: EventActivities,
        *,
        runtime: Runtime | None = None,
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine
        self.events = events  # alert.firing / alert.resolved, and the egress guard for chat

    def _rules(self, rule_set: str) -> list[AlertRule]:
        with session_scope(self.engine) as session:
            return list(session.exec(select(AlertRule).where(AlertRule.rule_set == rule_set)).all())

    @activity.defn(name="alerts_stale_targets")
    async def stale_targets(self, input: RuleSetInput) -> StaleTargets:
        """The connections whose recorded health is too old to judge them by."""

        def read() -> StaleTargets:
            rules = [r for r in self._rules(input.rule_set) if r.enabled]
            with session_scope(self.engine) as session:
                stale = stale_health_targets(session, rules, input.probe_after_seconds)
            return StaleTargets(rules=len(rules), integrations=stale)

        return await asyncio.to_thread(read)

    @activity.defn(name="alerts_evaluate")
    async def evaluate(self, input: RuleSetInput) -> Evaluation:
        """Open and resolve alerts from the conditions now; returns the notifications owed."""
        client = activity.client()

        async def count_runs(query: str) -> int:
            return (await client.count_workflows(query)).count

        rules = await asyncio.to_thread(self._rules, input.rule_set)
        from_runs = {
            int(r.id or 0): await run_conditions(r, count_runs)
            for r in rules
            if r.enabled and reads_runs(r)
        }
        for rule in rules:
            if rule.enabled and rule.kind == "sla_breach":
                from_runs[int(rule.id or 0)] = await self._sla_breached(rule, client)
        return await asyncio.to_thread(self._apply, rules, from_runs)

    async def _sla_breached(self, rule: AlertRule, client: Client) -> list[Condition]:
        """Measure the rule's SLA (a sample of its history) and say whether it is breached."""

        def named() -> Sla | None:
            with session_scope(self.engine) as session:
                return session.exec(select(Sla).where(Sla.name == rule.target)).first()

        sla = await asyncio.to_thread(named)
        if sla is None or not sla.enabled:
            return []  # a deleted or paused SLA breaches nothing
        sample = await evaluate_sla(self.engine, sla, temporal_runs(client))
        if sample.status != "breached":
            return []
        return [Condition(f"sla:{sla.name}", f"SLA {sla.name} breached: {sample.detail}", utcnow())]

    def _apply(self, rules: list[AlertRule], from_runs: dict[int, list[Condition]]) -> Evaluation:
        firing = 0
        with session_scope(self.engine) as session:
            for rule in rules:
                if not rule.enabled:
                    state.close_for_disabled(session, rule)
                    continue
                bad = from_runs.get(int(rule.id or 0))
                if bad is None:
                    bad = store_conditions(session, rule)
                firing += len(bad)
                state.apply(session, rule, bad)
            owed = state.owed(session, rules)
        return Evaluation(rules=sum(r.enabled for r in rules), firing=firing, owed=owed)

    @activity.defn(name="alerts_deliver")
    async def deliver(self, notice: state.Notice) -> DeliveryResult:
        with session_scope(self.engine) as session:
            done = state.delivered(session, notice)
        if done is not None:
            return DeliveryResult(status="already_sent", detail=done.detail)
        try:
            detail = await self._send(notice)
        except (EgressRefused, ApplicationError) as exc:
            if isinstance(exc, ApplicationError) and not exc.non_retryable:
                raise
            # Refused for good (a bad address, a revoked webhook): recorded, not tried again.
            await asyncio.to_thread(self._record, notice, False, f"refused: {exc}")
            return DeliveryResult(status="refused", detail=str(exc)[:1000])
        await asyncio.to_thread(self._record, notice, True, detail)
        return DeliveryResult(status="sent", detail=detail)

    def _record(self, notice: state.Notice, ok: bool, detail: str) -> None:
        with session_scope(self.engine) as session:
            if state.delivered(session, notice) is None:  # a concurrent attempt may have
                state.record_delivery(session, notice, ok, detail)

    async def _send(self, notice: state.Notice) -> str:
        if notice.channel == "event":
            kind = f"alert.{notice.transition}"
            data = notice.model_dump(mode="json", exclude={"email_to", "comms_integration"})
            started = await self.events.fan_out(
                [envelope(kind, data, event_id=f"{kind}:{notice.alert_id}")]
            )
            return f"{started} subscriber deliveries started"
        row = await self.runtime.aconnection(notice.comms_integration or "", "comms")
        if notice.channel == "email":
            fields = await self.runtime.secret(row.name)
            sender = email_sender(row, fields, sender_name="Atrium alerts", timeout=10.0)
            with self.runtime.translate(row.name):
                return await send_email(sender, notice)
        # A chat webhook goes through the subscriber-URL guard (the URL in the secret is an
        # administrator's say-so, like a subscriber's): its own client, not the runtime's.
        chat = CHATS[notice.channel](
            webhook_source(self.runtime.source(row.name), row.base_url, notice.channel),
            timeout=10.0,
            transport=GuardedTransport(self.events.egress),
        )
        async with chat:
            with self.runtime.translate(row.name):
                return await post_chat(chat, notice)
