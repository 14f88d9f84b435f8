"""TLS material Atrium serves or presents: the API's certificate (and the CA of the client
certificates it requires), the client certificate for mTLS to Temporal, the CA Vault is verified
against. Every file is read and checked once, at start-up, so a missing, unreadable or mismatched
file ends ``atrium api`` / ``atrium worker`` with one line naming its setting instead of a
traceback from deep inside uvicorn or the Temporal bridge. Temporal's own refusals (no client
certificate, an unknown CA, a wrong server name) are turned into such a line by ``explain``."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from temporalio.client import TLSConfig

from atrium.settings import ApiSettings, TemporalSettings, VaultSettings


class TLSFileError(ValueError):
    """A TLS file is missing, unreadable or not what its setting needs; one line naming it."""


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TLSFileError(f"{setting}: {path} does not exist") from None
    except IsADirectoryError:
        raise TLSFileError(f"{setting}: {path} is a folder, not a PEM file") from None
    except OSError as exc:
        raise TLSFileError(f"{setting}: cannot read {path}: {exc.strerror}") from None


def read_certificates(path: Path, setting: str) -> tuple[bytes, list[x509.Certificate]]:
    """The PEM bytes and the certificates in them (a chain or a CA bundle)."""
    pem = _read(path, setting)
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise TLSFileError(f"{setting}: {path} holds no PEM certificate") from None
    return pem, certificates


def read_private_key(path: Path, setting: str) -> tuple[bytes, Any]:
    pem = _read(path, setting)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:  # cryptography's answer to an encrypted key without a password
        raise TLSFileError(
            f"{setting}: {path} is encrypted; Atrium needs the key unencrypted (keep it 0600)"
        ) from None
    except ValueError:
        raise TLSFileError(f"{setting}: {path} holds no PEM private key") from None
    return pem, key


def _spki(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def read_pair(
    cert_path: Path, key_path: Path, cert_setting: str, key_setting: str
) -> tuple[bytes, bytes]:
    """A certificate (chain, leaf first) and its private key, checked to belong together."""
    cert_pem, chain = read_certificates(cert_path, cert_setting)
    key_pem, key = read_private_key(key_path, key_setting)
    if _spki(chain[0].public_key()) != _spki(key.public_key()):
        raise TLSFileError(
            f"{key_setting}: {key_path} is not the private key of the certificate in "
            f"{cert_setting} ({cert_path})"
        )
    return cert_pem, key_pem


@dataclass(frozen=True)
class ServerTLS:
    """What uvicorn needs to serve the API over TLS (``uvicorn.Config``'s ssl_* arguments)."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None

    def uvicorn_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "ssl_certfile": str(self.certfile),
            "ssl_keyfile": str(self.keyfile),
        }
        if self.client_ca is not None:  # mutual TLS: a client without a certificate is refused
            options |= {"ssl_ca_certs": str(self.client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options


def api_tls(api: ApiSettings) -> ServerTLS | None:
    """The API's TLS files, checked (None: plain HTTP, behind a TLS-terminating proxy)."""
    if api.tls_cert_path is None or api.tls_key_path is None:
        return None
    cert, key = "ATRIUM_API__TLS_CERT_PATH", "ATRIUM_API__TLS_KEY_PATH"
    read_pair(api.tls_cert_path, api.tls_key_path, cert, key)
    if api.tls_client_ca_path is not None:
        read_certificates(api.tls_client_ca_path, "ATRIUM_API__TLS_CLIENT_CA_PATH")
    # What uvicorn will do with them, so anything cryptography accepts but OpenSSL does not is
    # still one line here.
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(api.tls_cert_path, api.tls_key_path)
        if api.tls_client_ca_path is not None:
            context.load_verify_locations(api.tls_client_ca_path)
    except ssl.SSLError as exc:
        raise TLSFileError(f"{cert} / {key}: OpenSSL refused them: {exc.reason}") from None
    return ServerTLS(api.tls_cert_path, api.tls_key_path, api.tls_client_ca_path)


TEMPORAL_CA = "ATRIUM_TEMPORAL__TLS_CA_PATH"
TEMPORAL_CERT = "ATRIUM_TEMPORAL__TLS_CERT_PATH"
TEMPORAL_KEY = "ATRIUM_TEMPORAL__TLS_KEY_PATH"
TEMPORAL_NAME = "ATRIUM_TEMPORAL__TLS_SERVER_NAME"


def temporal_tls(settings: TemporalSettings) -> bool | TLSConfig:
    """The Temporal client's TLS: False (plain), or the CA to verify the server by (None: the
    system's), the client certificate and key for mTLS, and the name the server's certificate
    must carry when it is not the address's host."""
    if not settings.tls:
        return False
    ca = None
    if settings.tls_ca_path is not None:
        ca = read_certificates(settings.tls_ca_path, TEMPORAL_CA)[0]
    cert = key = None
    if settings.tls_cert_path is not None and settings.tls_key_path is not None:
        cert, key = read_pair(
            settings.tls_cert_path, settings.tls_key_path, TEMPORAL_CERT, TEMPORAL_KEY
        )
    return TLSConfig(
        server_root_ca_cert=ca,
        client_cert=cert,
        client_private_key=key,
        domain=settings.tls_server_name,
    )


# How the bridge words a connection the server ended (hyper, tonic and std::io names).
CLOSED = (
    "BrokenPipe",
    "ConnectionReset",
    "ConnectionAborted",
    "UnexpectedEof",
    "connection closed",
)


def explain(error: BaseException, settings: TemporalSettings) -> str | None:
    """One line naming the setting to fix when ``error`` (the bridge's connect error, whose
    text is a Rust debug dump) is a TLS refusal; None when it is something else."""
    text = str(error)
    where = f"Temporal at {settings.address}"
    if "CertificateRequired" in text:
        return (
            f"{where} requires a client certificate (mTLS): set {TEMPORAL_CERT} and "
            f"{TEMPORAL_KEY} to one its CA signed"
        )
    if any(alert in text for alert in ("UnknownCA", "BadCertificate", "CertificateUnknown")):
        return (
            f"{where} refused the client certificate in {TEMPORAL_CERT}: it is not signed by "
            "a CA the server trusts"
        )
    # Under TLS 1.3 a server's refusal of the client's certificate comes after the handshake:
    # the client may read the alert above, or find the connection closed first.
    closed = any(word in text for word in CLOSED)
    if closed and settings.tls and settings.tls_cert_path is None:
        return (
            f"{where} closed the TLS connection unanswered, as one requiring a client "
            f"certificate (mTLS) does: set {TEMPORAL_CERT} and {TEMPORAL_KEY}"
        )
    if closed and settings.tls:
        return (
            f"{where} closed the TLS connection unanswered: it may refuse the client "
            f"certificate in {TEMPORAL_CERT} (not signed by a CA it trusts)"
        )
    if "UnknownIssuer" in text or "BadSignature" in text:
        return (
            f"{where} presents a certificate no trusted CA signed: set {TEMPORAL_CA} to the "
            "CA of Temporal's certificate"
        )
    if "NotValidForName" in text:
        name = settings.tls_server_name or settings.address.rpartition(":")[0]
        return (
            f"{where} presents a certificate not valid for {name!r}: set {TEMPORAL_NAME} to "
            "a name the certificate carries"
        )
    if "InvalidCertificate(Expired" in text:
        return f"{where} presents an expired certificate"
    if settings.tls and ("InvalidContentType" in text or "CorruptMessage" in text):
        return f"{where} does not speak TLS: unset ATRIUM_TEMPORAL__TLS or use its TLS address"
    return None


def vault_verify(settings: VaultSettings) -> bool | str:
    """hvac's (requests') ``verify``: the CA bundle of ATRIUM_VAULT__CA_PATH when set, else
    whether to verify against the system's CAs."""
    if settings.ca_path is not None and settings.verify:
        return str(settings.ca_path)
    return settings.verify


def vault_ssl(settings: VaultSettings) -> bool | ssl.SSLContext:
    """The same for httpx, which takes a context rather than a path."""
    if settings.ca_path is not None and settings.verify:
        return ssl.create_default_context(cafile=str(settings.ca_path))
    return settings.verify


def check_vault_ca(settings: VaultSettings) -> None:
    if settings.ca_path is not None:
        read_certificates(settings.ca_path, "ATRIUM_VAULT__CA_PATH")
