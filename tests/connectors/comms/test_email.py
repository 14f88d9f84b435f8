"""Email over a real SMTP server (aiosmtpd), read back through the sandbox's control route."""

from __future__ import annotations

import inspect

import httpx
import pytest

from connectors.actions import UnlistedWrite
from connectors.comms import EmailSender, NotificationTemplate, OutgoingEmail, TemplateError, render
from connectors.credentials import CredentialSource, static_credentials
from connectors.errors import AuthError, ServerError
from tests.connectors.comms.conftest import SmtpServer
from tests.sandbox.control import MutableCredentials


def sender(
    server: SmtpServer, creds: CredentialSource, start_tls: bool | None = None
) -> EmailSender:
    return EmailSender(
        server.host,
        server.port,
        creds,
        sender="noreply@school.example.edu",
        sender_name="Atrium",
        tls_context=server.tls_context,
        start_tls=start_tls,
        timeout=5,
    )


def login(server: SmtpServer) -> MutableCredentials:
    creds = server.ctx.credentials
    return MutableCredentials(
        {"username": creds["smtp_username"], "password": creds["smtp_password"]}
    )


async def test_templated_mail_over_starttls_is_received(
    smtp_server: SmtpServer, control: httpx.AsyncClient
) -> None:
    template = NotificationTemplate(
        subject="Library hold placed for $name",
        text="Dear $name,\nA hold was placed: ${reason}.",
        html="<p>Dear $name,</p><p>A hold was placed: <b>$reason</b>.</p>",
    )
    note = render(template, {"name": "Noor <Quist>", "reason": "Unpaid balance"})
    assert "&lt;Quist&gt;" in (note.html or "") and "Noor <Quist>" in note.text
    message_id = await sender(smtp_server, login(smtp_server), start_tls=True).send(
        OutgoingEmail(
            to=["noor.quist@example.edu"], subject=note.subject, text=note.text, html=note.html
        )
    )
    found = (await control.get("/mail", params={"to": "noor.quist@example.edu"})).json()
    assert found and found[0]["message_id"] == message_id and found[0]["tls"] is True
    assert found[0]["subject"] == "Library hold placed for Noor <Quist>"
    assert found[0]["authenticated_as"] == "atrium-notify"
    full = (await control.get(f"/mail/{found[0]['id']}")).json()
    assert "multipart/alternative" in full["raw"] and "Unpaid balance" in full["raw"]


async def test_wrong_password_missing_login_and_rotation(
    smtp_server: SmtpServer, control: httpx.AsyncClient
) -> None:
    mail = OutgoingEmail(to=["rotation@example.edu"], subject="Hi", text="Hello")
    with pytest.raises(AuthError):
        await sender(
            smtp_server, static_credentials({"username": "atrium-notify", "password": "x"})
        ).send(mail)
    with pytest.raises(AuthError):  # the relay refuses unauthenticated mail with 530
        await sender(smtp_server, static_credentials({})).send(mail)
    creds = login(smtp_server)
    original = dict(smtp_server.ctx.credentials)
    try:
        smtp_server.ctx.credentials["smtp_password"] = "rotated-smtp-password"
        plain = sender(smtp_server, creds, start_tls=False)
        with pytest.raises(AuthError):
            await plain.send(mail)
        creds.values["password"] = "rotated-smtp-password"
        await plain.send(mail)
    finally:
        smtp_server.ctx.credentials.update(original)
    received = (await control.get("/mail", params={"to": "rotation@example.edu"})).json()
    assert len(received) == 1 and received[0]["tls"] is False


async def test_unreachable_server_is_transient() -> None:
    unreachable = EmailSender(
        "127.0.0.1", 1, static_credentials({}), sender="a@example.edu", timeout=2
    )
    with pytest.raises(ServerError) as error:
        await unreachable.send(OutgoingEmail(to=["b@example.edu"], subject="x", text="y"))
    assert error.value.retryable


def test_template_missing_value_is_named() -> None:
    with pytest.raises(TemplateError, match="due_date"):
        render(NotificationTemplate(subject="Due $due_date", text="x"), {})


async def test_a_send_outside_every_action_is_refused(smtp_server: SmtpServer) -> None:
    """The SMTP send tells the action gate, as HTTP writes do: run bare (not as the
    ``comms.send_email`` action) it is refused before the server is dialled."""
    bare = inspect.unwrap(EmailSender.send)
    unreachable = EmailSender("127.0.0.1", 1, login(smtp_server), sender="a@school.example")
    with pytest.raises(UnlistedWrite, match="smtp: send to 1 recipient"):
        await bare(unreachable, OutgoingEmail(to=["x@example.edu"], subject="s", text="t"))
