"""How the runtime builds each connector client from a connection: REST clients from the base
URL and the secret (kept by the runtime); file drops, the mail relay and chat webhooks from the
connection's options and secret fields (``setting``: options first, then the secret).

Connection settings of the non-REST clients:
- SFTP (the bursar's batch, the SIS's CSV drop): ``sftp_username`` with ``sftp_password`` or
  ``sftp_private_key`` in the secret; ``sftp_host_key`` (required: the host is pinned),
  ``sftp_host`` (default: the connection's host), ``sftp_port`` (22), ``sftp_drop`` (``drop``).
- SMTP: ``smtp_username``, ``smtp_password`` in the secret; ``smtp_host`` (default: the
  connection's host), ``smtp_port`` (587), ``smtp_sender``, ``smtp_start_tls`` (true/false;
  default: when offered), ``smtp_ca_pem`` (a private CA).
- Slack/Teams: ``<chat>_webhook_url`` in the secret, or the connection's base URL followed by
  ``/<chat>`` and the secret's ``<chat>_webhook_path``.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from temporalio.exceptions import ApplicationError

from activities.runtime import Runtime, host_of, setting
from atrium.models import Integration
from connectors.canvas import CanvasClient
from connectors.comms import EmailSender, SlackWebhook, TeamsWebhook
from connectors.credentials import CredentialSource, static_credentials
from connectors.finance.batch import BursarBatchClient
from connectors.finance.client import BursarClient
from connectors.koha import KohaClient
from connectors.moodle import MoodleClient
from connectors.oneroster import OneRosterClient
from connectors.proctoring import ProctoringClient
from connectors.sftp import DropClient, SftpLogin

# Clients built as ``Client(base_url, credentials)`` and kept for the worker's life.
REST: tuple[type, ...] = (
    CanvasClient,
    MoodleClient,
    OneRosterClient,
    KohaClient,
    BursarClient,
    ProctoringClient,
)


def _refuse(message: str, kind: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


# -- SFTP ---------------------------------------------------------------------------------------


def sftp_login(row: Integration, fields: Mapping[str, str], *, system: str) -> SftpLogin:
    """The SFTP login of connection ``row`` (its secret's fields ``fields``), pinned to the
    host key its settings give; a permanent error when there is none."""
    host_key = setting(row, fields, "sftp_host_key")
    if not host_key:
        raise _refuse(f"{row.name}: no sftp_host_key to pin the SFTP server", "AuthError")
    login = {"username": fields.get("sftp_username", "")}
    if fields.get("sftp_private_key"):
        login["private_key"] = fields["sftp_private_key"]
    else:
        login["password"] = fields.get("sftp_password", "")
    return SftpLogin(
        host=setting(row, fields, "sftp_host", host_of(row.base_url)),
        port=int(setting(row, fields, "sftp_port", "22")),
        host_key=host_key,
        credentials=static_credentials(login),
        system=system,
        timeout=20.0,
    )


async def drop_client(runtime: Runtime, row: Integration) -> DropClient:
    """The SFTP drop of a SIS that sends CSV packages (options ``{"source": "csv"}``)."""
    if (row.options or {}).get("source") != "csv":
        raise _refuse(
            f"{row.name}: not a CSV source (its options need source=csv)", "InvalidRequest"
        )
    fields = await runtime.secret(row.name)
    return DropClient(
        sftp_login(row, fields, system=f"{row.name}-sftp"),
        drop=setting(row, fields, "sftp_drop", "drop"),
    )


async def batch_client(runtime: Runtime, row: Integration) -> BursarBatchClient:
    """The bursar's SFTP server, where the nightly holds batches are."""
    fields = await runtime.secret(row.name)
    return BursarBatchClient(sftp_login(row, fields, system=f"{row.system}-sftp"))


# -- mail ---------------------------------------------------------------------------------------


def email_sender(
    row: Integration,
    fields: Mapping[str, str],
    *,
    sender_name: str = "Atrium",
    timeout: float = 20.0,
) -> EmailSender:
    """The mail relay of comms connection ``row`` (its secret's fields ``fields``)."""
    ca = setting(row, fields, "smtp_ca_pem")
    start_tls = {"true": True, "false": False}.get(setting(row, fields, "smtp_start_tls").lower())
    return EmailSender(
        setting(row, fields, "smtp_host", host_of(row.base_url)),
        int(setting(row, fields, "smtp_port", "587")),
        static_credentials(
            {
                "username": fields.get("smtp_username", ""),
                "password": fields.get("smtp_password", ""),
            }
        ),
        sender=setting(row, fields, "smtp_sender", "atrium@school.example"),
        sender_name=sender_name,
        start_tls=start_tls,
        tls_context=ssl.create_default_context(cadata=ca) if ca else None,
        timeout=timeout,
    )


async def _email_sender(runtime: Runtime, row: Integration) -> EmailSender:
    return email_sender(row, await runtime.secret(row.name))


# -- chat ---------------------------------------------------------------------------------------


def webhook_source(source: CredentialSource, base_url: str, chat: str) -> CredentialSource:
    """The connection's secret, read at every post, as the one field a webhook needs."""

    async def read() -> Mapping[str, str]:
        fields = await source()
        url = fields.get(f"{chat}_webhook_url") or (
            f"{base_url.rstrip('/')}/{chat}" + fields.get(f"{chat}_webhook_path", "")
        )
        return {"webhook_url": url}

    return read


def slack_webhook(base_url: str, credentials: CredentialSource) -> SlackWebhook:
    """The Slack webhook of a comms connection (a runtime build: kept per connection)."""
    return SlackWebhook(webhook_source(credentials, base_url, "slack"))


def teams_webhook(base_url: str, credentials: CredentialSource) -> TeamsWebhook:
    """The Teams webhook of a comms connection (a runtime build: kept per connection)."""
    return TeamsWebhook(webhook_source(credentials, base_url, "teams"))


# Chat channel -> its webhook client.
CHATS: dict[str, type[SlackWebhook] | type[TeamsWebhook]] = {
    "slack": SlackWebhook,
    "teams": TeamsWebhook,
}


# -- building -------------------------------------------------------------------------------------

# Clients built from settings and secret fields (an SFTP login, an SMTP relay, a chat webhook).
Builder = Callable[[Runtime, Integration], Awaitable[Any]]


async def _kept_slack(runtime: Runtime, row: Integration) -> SlackWebhook:
    return runtime.client(row, slack_webhook)


async def _kept_teams(runtime: Runtime, row: Integration) -> TeamsWebhook:
    return runtime.client(row, teams_webhook)


BUILDERS: dict[type, Builder] = {
    DropClient: drop_client,
    BursarBatchClient: batch_client,
    EmailSender: _email_sender,
    SlackWebhook: _kept_slack,
    TeamsWebhook: _kept_teams,
}


async def build_client(runtime: Runtime, row: Integration, cls: type) -> Any:
    """A client of class ``cls`` for connection ``row``."""
    if cls in REST:
        return runtime.client(row, cls)
    builder = BUILDERS.get(cls)
    if builder is None:
        raise _refuse(
            f"{cls.__name__} cannot be built for connection {row.name!r}", "InvalidRequest"
        )
    return await builder(runtime, row)
