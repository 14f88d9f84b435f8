"""A real SMTP server (aiosmtpd) that keeps every accepted message in the comms SQLite.

It offers STARTTLS with a self-signed certificate made once in the data folder (clients that
want TLS trust ``tls_certificate_path(ctx)``) and AUTH PLAIN/LOGIN checked against the *current*
``ctx.credentials`` (``smtp_username`` / ``smtp_password``); mail from an unauthenticated
session is refused with 530, as a school's relay would.

``atrium sandbox`` should start it beside the HTTP server with the app's own context
(``app.state.systems["comms"]``); it runs in its own thread, so no event loop is needed::

    smtp = start_smtp_server(app.state.systems["comms"], "127.0.0.1", 2525)
    ...
    smtp.stop()
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import json
import ssl
import warnings
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sandbox.comms.store import now_iso, open_db
from sandbox.context import SystemContext

# STARTTLS is optional here on purpose (clients may test plain SMTP); aiosmtpd warns about
# AUTH without TLS on every connection, which is the point of this setting, not news.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")


def tls_certificate_path(ctx: SystemContext) -> Path:
    """The server's self-signed certificate (PEM), made on first use, for clients to trust."""
    cert, key = ctx.data_dir / "comms-smtp.crt", ctx.data_dir / "comms-smtp.key"
    if not cert.exists():
        ctx.data_dir.mkdir(parents=True, exist_ok=True)
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(private, hashes.SHA256())
        )
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key.chmod(0o600)
        cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert


class _Mailbox:
    """aiosmtpd handler: store the message, raw and parsed headers, in SQLite."""

    def __init__(self, ctx: SystemContext) -> None:
        self.conn = ctx.connect()
        open_db(self.conn)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=default_policy)
        self.conn.execute(
            "INSERT INTO mail (received_at, mail_from, rcpt_tos, subject, message_id, raw, "
            "authenticated_as, tls) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                envelope.mail_from or "",
                json.dumps(envelope.rcpt_tos),
                str(parsed.get("Subject", "")),
                str(parsed.get("Message-ID", "")),
                raw.decode("utf-8", "replace"),
                _login_of(session),
                int(session.ssl is not None),
            ),
        )
        return "250 Message accepted for delivery"


def _login_of(session: Session) -> str | None:
    data: Any = session.auth_data
    return data.login.decode() if isinstance(data, LoginPassword) else None


def start_smtp_server(ctx: SystemContext, host: str, port: int) -> Controller:
    """Start the SMTP server in a background thread on ``host:port`` (a real port, not 0)."""
    cert = tls_certificate_path(ctx)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, ctx.data_dir / "comms-smtp.key")

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        creds = ctx.credentials
        ok = (
            isinstance(auth_data, LoginPassword)
            and hmac.compare_digest(auth_data.login, creds.get("smtp_username", "").encode())
            and hmac.compare_digest(auth_data.password, creds.get("smtp_password", "").encode())
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    controller = Controller(
        _Mailbox(ctx),
        hostname=host,
        port=port,
        server_hostname="localhost",
        tls_context=tls,
        require_starttls=False,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
        ready_timeout=10,
    )
    controller.start()
    return controller
