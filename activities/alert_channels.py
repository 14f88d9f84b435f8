"""How an alert reaches people: email through the comms connection's SMTP relay, a Slack or
Teams incoming webhook through the egress guard (the webhook URL comes from the connection's
Vault secret, an administrator's say-so like a subscriber URL), the words of both."""

from __future__ import annotations

import ssl

from activities.connections import host_of, setting
from atrium.alerting.state import Notice
from atrium.egress import EgressPolicy, GuardedTransport
from atrium.models import Integration
from connectors.comms import EmailSender, OutgoingEmail, SlackWebhook, TeamsWebhook
from connectors.credentials import static_credentials


def subject(notice: Notice) -> str:
    state = "FIRING" if notice.transition == "firing" else "RESOLVED"
    return f"[Atrium {state}] {notice.rule_name}: {notice.group_key}"[:200]


def body(notice: Notice) -> str:
    lines = [notice.summary, "", f"condition since: {notice.condition_at.isoformat()}"]
    lines.append(f"alert #{notice.alert_id} fired at {notice.fired_at.isoformat()}")
    if notice.transition == "resolved" and notice.resolved_at is not None:
        lines.append(f"resolved at {notice.resolved_at.isoformat()} by {notice.resolved_by}")
    return "\n".join(lines)


async def send_email(row: Integration, fields: dict[str, str], notice: Notice) -> str:
    """The same connection settings as notifications (activities/notify.py): ``smtp_host``,
    ``smtp_port``, ``smtp_sender``, ``smtp_start_tls``, ``smtp_ca_pem``; login in the secret."""
    ca = setting(row, fields, "smtp_ca_pem")
    start_tls = {"true": True, "false": False}.get(setting(row, fields, "smtp_start_tls").lower())
    sender = EmailSender(
        setting(row, fields, "smtp_host", host_of(row.base_url)),
        int(setting(row, fields, "smtp_port", "587")),
        static_credentials(
            {
                "username": fields.get("smtp_username", ""),
                "password": fields.get("smtp_password", ""),
            }
        ),
        sender=setting(row, fields, "smtp_sender", "atrium@school.example"),
        sender_name="Atrium alerts",
        start_tls=start_tls,
        tls_context=ssl.create_default_context(cadata=ca) if ca else None,
        timeout=10.0,
    )
    return await sender.send(
        OutgoingEmail(to=notice.email_to, subject=subject(notice), text=body(notice))
    )


async def post_chat(
    row: Integration, fields: dict[str, str], notice: Notice, policy: EgressPolicy
) -> str:
    """``slack_webhook_url`` / ``teams_webhook_url`` from the secret (or the connection's base URL
    and ``<chat>_webhook_path``, as notifications do)."""
    channel = notice.channel
    url = fields.get(f"{channel}_webhook_url") or (
        f"{row.base_url}/{channel}" + fields.get(f"{channel}_webhook_path", "")
    )
    source = static_credentials({"webhook_url": url})
    transport = GuardedTransport(policy)
    if channel == "slack":
        async with SlackWebhook(source, timeout=10.0, transport=transport) as slack:
            await slack.post(f"*{subject(notice)}*\n{body(notice)}")
    else:
        async with TeamsWebhook(source, timeout=10.0, transport=transport) as teams:
            color = "D13438" if notice.transition == "firing" else "107C10"
            await teams.post_message_card(subject(notice), body(notice), theme_color=color)
    return f"posted to {channel}"
