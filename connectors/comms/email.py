"""Send email over SMTP with the stdlib ``email`` package and ``aiosmtplib``.

Credentials are ``{"username", "password"}`` (both may be absent for an open relay), read at
every send so a rotated password is used at once. ``start_tls``: True requires STARTTLS, False
never uses it, None uses it when the server offers it. Pass ``tls_context`` to trust a private
CA. SMTP answers map to typed errors: 4xx is transient (``ServerError``, or ``RateLimited`` for
421/450/451/452), 5xx is permanent (``InvalidRequest``), 535 is ``AuthError``.
"""

from __future__ import annotations

import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from connectors.actions import action, check_write
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, InvalidRequest, RateLimited, ServerError

SYSTEM = "smtp"
THROTTLE_CODES = {421, 450, 451, 452}


class TextAttachment(BaseModel):
    """A text file sent along (a CSV, an HTML page), UTF-8."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\\r\n\"]+$")
    subtype: str = Field("plain", pattern=r"^[a-z0-9.+-]{1,63}$", description="text/<subtype>")
    content: str


class OutgoingEmail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: list[EmailStr] = Field(min_length=1)
    subject: str = Field(min_length=1, max_length=998)
    text: str
    html: str | None = None
    cc: list[EmailStr] = Field(default_factory=list)
    reply_to: EmailStr | None = None
    attachments: list[TextAttachment] = Field(default_factory=list, max_length=10)


class EmailSender:
    def __init__(
        self,
        host: str,
        port: int,
        credentials: CredentialSource,
        *,
        sender: str,
        sender_name: str = "",
        start_tls: bool | None = None,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._credentials = credentials
        self.sender = Address(display_name=sender_name, addr_spec=sender)
        self.start_tls, self.tls_context = start_tls, tls_context

    def build(self, email: OutgoingEmail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(email.to)
        if email.cc:
            message["Cc"] = ", ".join(email.cc)
        if email.reply_to:
            message["Reply-To"] = email.reply_to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.domain or "atrium.local")
        message.set_content(email.text)
        if email.html is not None:
            message.add_alternative(email.html, subtype="html")
        for attached in email.attachments:
            message.add_attachment(
                attached.content, subtype=attached.subtype, filename=attached.filename
            )
        return message

    @action("comms.send_email", effect="write")
    async def send(self, email: OutgoingEmail) -> str:
        """Send one email; returns its Message-ID (the key to find it again). Each call sends
        one more message."""
        message = self.build(email)
        secret = await self._credentials()
        check_write(SYSTEM, f"send to {len(email.to) + len(email.cc)} recipient(s)")
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=secret.get("username") or None,
                password=secret.get("password") or None,
                start_tls=self.start_tls,
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise AuthError(
                f"{SYSTEM}: login refused ({exc.code})", status=exc.code, system=SYSTEM
            ) from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(r.recipient for r in exc.recipients)
            raise InvalidRequest(f"{SYSTEM}: recipients refused: {refused}", system=SYSTEM) from exc
        except aiosmtplib.SMTPResponseException as exc:
            message_text = f"{SYSTEM}: server answered {exc.code} {exc.message}"
            if exc.code == 530:  # "authentication required": our credentials are missing
                raise AuthError(message_text, status=exc.code, system=SYSTEM) from exc
            if exc.code in THROTTLE_CODES:
                raise RateLimited(
                    message_text, retry_after=60.0, status=exc.code, system=SYSTEM
                ) from exc
            if exc.code >= 500:
                raise InvalidRequest(message_text, status=exc.code, system=SYSTEM) from exc
            raise ServerError(message_text, status=exc.code, system=SYSTEM) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise ServerError(
                f"{SYSTEM}: {self.host}:{self.port} unreachable: {exc}", system=SYSTEM
            ) from exc
        return str(message["Message-ID"])
