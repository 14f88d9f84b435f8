"""The words of an alert, and how they are put to a mail relay or a chat webhook (the clients
are built from the comms connection by activities/alerts.py)."""

from __future__ import annotations

from atrium.alerting.state import Notice
from connectors.comms import EmailSender, OutgoingEmail, SlackWebhook, TeamsWebhook


def subject(notice: Notice) -> str:
    state = "FIRING" if notice.transition == "firing" else "RESOLVED"
    return f"[Atrium {state}] {notice.rule_name}: {notice.group_key}"[:200]


def body(notice: Notice) -> str:
    lines = [notice.summary, "", f"condition since: {notice.condition_at.isoformat()}"]
    lines.append(f"alert #{notice.alert_id} fired at {notice.fired_at.isoformat()}")
    if notice.transition == "resolved" and notice.resolved_at is not None:
        lines.append(f"resolved at {notice.resolved_at.isoformat()} by {notice.resolved_by}")
    return "\n".join(lines)


async def send_email(sender: EmailSender, notice: Notice) -> str:
    return await sender.send(
        OutgoingEmail(to=notice.email_to, subject=subject(notice), text=body(notice))
    )


async def post_chat(webhook: SlackWebhook | TeamsWebhook, notice: Notice) -> str:
    if isinstance(webhook, SlackWebhook):
        await webhook.post(f"*{subject(notice)}*\n{body(notice)}")
    else:
        color = "D13438" if notice.transition == "firing" else "107C10"
        await webhook.post_message_card(subject(notice), body(notice), theme_color=color)
    return f"posted to {notice.channel}"
