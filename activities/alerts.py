"""Alert activities: evaluate one rule set against the store (and Temporal's run history), and
deliver one notification, once per alert, channel and transition."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.alert_channels import post_chat, send_email
from activities.connections import integration, secret, translate
from activities.events import EventActivities, envelope
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
from atrium.egress import EgressRefused
from atrium.models import AlertRule
from connectors.errors import ConnectorError


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
    def __init__(self, engine: Engine, credentials: Credentials, events: EventActivities) -> None:
        self.engine = engine
        self.credentials = credentials
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
        return await asyncio.to_thread(self._apply, rules, from_runs)

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
        row = await integration(self.engine, notice.comms_integration or "", "comms")
        fields = await secret(self.credentials, row.name)
        try:
            if notice.channel == "email":
                return await send_email(row, fields, notice)
            return await post_chat(row, fields, notice, self.events.egress)
        except ConnectorError as exc:
            raise translate(exc) from None
