"""Communications connectors: SMTP email, Slack/Teams webhooks, notification templates."""

from connectors.comms.chat import SlackWebhook, TeamsWebhook
from connectors.comms.email import EmailSender, OutgoingEmail
from connectors.comms.templates import NotificationTemplate, TemplateError, render

__all__ = [
    "EmailSender",
    "NotificationTemplate",
    "OutgoingEmail",
    "SlackWebhook",
    "TeamsWebhook",
    "TemplateError",
    "render",
]
