"""Every setting Atrium reads, in one place.

Environment variables use the ``ATRIUM_`` prefix and ``__`` between a section and its field, for
example ``ATRIUM_TEMPORAL__ADDRESS=temporal:7233`` or ``ATRIUM_VAULT__TOKEN=...``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL = "127.0.0.1"


class TemporalSettings(BaseModel):
    address: str = f"{LOCAL}:7233"
    namespace: str = "default"
    task_queue: str = "atrium"
    # Latency-sensitive processes (webhook-driven, one local activity) run on their own queue,
    # served by every worker and by a worker inside each API process that starts them eagerly.
    events_task_queue: str = "atrium-events"
    ui_port: int = Field(8233, ge=1, le=65535)
    ui_public_url: str | None = None  # where browsers reach the Web UI, if not 127.0.0.1
    tls: bool = False
    tls_ca_path: Path | None = None
    tls_cert_path: Path | None = None
    tls_key_path: Path | None = None
    # The name Temporal's certificate must carry when it is not the address's host (an address
    # by IP, or a load balancer's name); any TLS file or name set turns tls on.
    tls_server_name: str | None = None
    # How long a worker or the CLI keeps retrying while the server is unreachable or its
    # frontend not yet healthy (a cluster starting next to it); 0 fails at once.
    connect_wait_seconds: float = Field(30.0, ge=0, le=600)
    # Vault transit key whose versions seal every payload (atrium/payload_codec.py); one per
    # institution where a deployment serves several.
    payload_key: str = Field("atrium-payloads", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")

    @field_validator("address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("must be host:port, for example 127.0.0.1:7233")
        return value

    @model_validator(mode="after")
    def _tls_complete(self) -> TemporalSettings:
        if (self.tls_cert_path is None) != (self.tls_key_path is None):
            raise ValueError(
                "ATRIUM_TEMPORAL__TLS_CERT_PATH and ATRIUM_TEMPORAL__TLS_KEY_PATH go together"
            )
        tls_set = (self.tls_ca_path, self.tls_cert_path, self.tls_server_name)
        if any(v is not None for v in tls_set):
            self.tls = True
        return self

    @property
    def port(self) -> int:
        return int(self.address.rpartition(":")[2])

    @property
    def ui_url(self) -> str:
        return self.ui_public_url or f"http://{LOCAL}:{self.ui_port}"


class VaultSettings(BaseModel):
    address: str = f"http://{LOCAL}:8200"
    auth: Literal["token", "approle"] = "token"
    token: SecretStr | None = None
    role_id: str | None = None
    secret_id: SecretStr | None = None
    approle_mount: str = "approle"
    mount: str = "secret"
    prefix: str = "atrium"
    verify: bool = True
    # PEM bundle of the CA(s) Vault's certificate is verified against (hvac's verify=); unset:
    # the system's CAs (or REQUESTS_CA_BUNDLE).
    ca_path: Path | None = None

    @field_validator("address")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _approle_complete(self) -> VaultSettings:
        if self.auth == "approle" and not (self.role_id and self.secret_id):
            raise ValueError("auth=approle needs role_id and secret_id")
        return self

    @property
    def port(self) -> int:
        tail = self.address.rpartition(":")[2].split("/")[0]
        return int(tail) if tail.isdigit() else 8200


class DatabaseSettings(BaseModel):
    url: str | None = None  # default: SQLite in the state folder

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value


def _rate(value: str) -> str:
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise ValueError("must be a rate such as 600/minute or 10/second") from None
    return value


def _limit_storage(value: str) -> str:
    if not value.startswith(("memory://", "redis://", "rediss://")):
        raise ValueError("must be memory:// or a redis:// URL")
    return value


def https_or_loopback(value: str) -> str:
    """An https:// URL, or http:// to a loopback host (a local test issuer): tokens and keys from
    anywhere else could be altered on the way."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not host or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ValueError("must be an https:// URL (http:// only to a loopback host)")
    return value


# Asymmetric only: an external issuer's key is public, so an HMAC ("HS*") or "none" token would be
# forgeable by anyone who reads the issuer's JWKS.
OIDC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class OidcSettings(BaseModel):
    """An external OpenID Connect issuer whose access tokens the API accepts (api/auth/oidc.py)."""

    issuer: str  # exactly the tokens' "iss"
    audience: str = Field(min_length=1)  # must be in the tokens' "aud"
    jwks_url: str | None = None  # default: "jwks_uri" of <issuer>/.well-known/openid-configuration
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"], min_length=1)
    # The claim with the issuer's roles or groups (a string or a list of strings); a dotted path
    # such as realm_access.roles reaches into nested claims.
    roles_claim: str = Field("roles", min_length=1)
    role_map: dict[str, str] = Field(min_length=1)  # issuer's role/group -> Atrium role
    person_id_claim: str = Field("sub", min_length=1)  # the SIS person id of a student
    class_ids_claim: str | None = None  # the classes a professor teaches, if the issuer says
    jwks_cache_seconds: float = Field(300.0, gt=0, le=86_400)
    jwks_timeout_seconds: float = Field(5.0, gt=0, le=60)
    leeway_seconds: int = Field(30, ge=0, le=300)  # clock skew tolerated on exp, nbf and iat

    @field_validator("issuer", "jwks_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else https_or_loopback(value)

    @field_validator("algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        refused = [a for a in value if a not in OIDC_ALGORITHMS]
        if refused:
            allowed = ", ".join(sorted(OIDC_ALGORITHMS))
            raise ValueError(f"{', '.join(refused)} not accepted; only {allowed}")
        return value

    @field_validator("role_map")
    @classmethod
    def _atrium_roles(cls, value: dict[str, str]) -> dict[str, str]:
        from atrium.roles import Role  # the one list of roles

        roles = [r.value for r in Role]
        for source, role in value.items():
            if role not in roles:
                raise ValueError(
                    f"{source!r} maps to {role!r}, not an Atrium role; one of {', '.join(roles)}"
                )
        return value


class ApiSettings(BaseModel):
    host: str = LOCAL
    port: int = Field(8000, ge=1, le=65535)
    public_url: str | None = None
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # Authentication and traffic (api/auth/): short-lived user tokens, the first administrator
    # `atrium up` creates, and per-user / per-API-key rate limits in `limits` notation.
    access_token_minutes: int = Field(15, ge=1, le=1440)
    initial_admin_username: str = Field("admin", pattern=r"^[a-z0-9][a-z0-9._@-]{1,62}$")
    # A container's way in: `atrium api` creates initial_admin_username with the password in
    # this file (an orchestrator's secret) when no administrator exists yet; never logged.
    initial_admin_password_file: Path | None = None
    rate_limit: str = "600/minute"
    login_rate_limit: str = "10/minute"  # per client address and username: slows password guessing
    # Failed logins per client address, whatever the username: slows spraying one password over
    # many accounts (successful logins do not count, so a school behind one NAT address can log in)
    login_address_rate_limit: str = "30/minute"
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDRs, JSON
    # list); from anyone else those headers are ignored and the peer address is the client.
    trusted_proxies: list[str] = Field(default_factory=list)
    rate_limit_storage: str = "memory://"  # redis://127.0.0.1:6379/0 shares limits across replicas
    oidc: OidcSettings | None = None  # also accept tokens of an external OpenID Connect issuer
    # A worker for temporal.events_task_queue inside the API process: runs it starts there begin
    # at once (eager start) instead of waiting for a worker's poll. Off: plain workers serve it.
    eager_worker: bool = True
    workers: int = Field(1, ge=1, le=64)  # API processes sharing the port (uvicorn workers)
    # After SIGTERM, /readyz answers 503 "draining" this long (requests still served) before the
    # server stops, so the gateway takes the replica out first (api/draining.py; workers=1).
    drain_seconds: float = Field(5.0, ge=0, le=300)
    # Roles whose accounts must log in with a second factor (TOTP), comma-separated or a JSON
    # list: such an account without one gets a session that can only enrol (api/auth/totp.py).
    require_second_factor_for: Annotated[list[str], NoDecode] = Field(default_factory=list)
    second_factor_rate_limit: str = "5/minute"  # codes tried per username, right or wrong
    # Serve TLS directly (atrium/tls.py, checked at start-up); unset: plain HTTP behind a
    # TLS-terminating proxy. With a client CA, every client must present a certificate it signed.
    tls_cert_path: Path | None = None  # PEM certificate, chain after it
    tls_key_path: Path | None = None  # PEM private key, unencrypted
    tls_client_ca_path: Path | None = None

    @model_validator(mode="after")
    def _tls_complete(self) -> ApiSettings:
        if (self.tls_cert_path is None) != (self.tls_key_path is None):
            raise ValueError("ATRIUM_API__TLS_CERT_PATH and ATRIUM_API__TLS_KEY_PATH go together")
        if self.tls_client_ca_path is not None and self.tls_cert_path is None:
            raise ValueError(
                "ATRIUM_API__TLS_CLIENT_CA_PATH needs ATRIUM_API__TLS_CERT_PATH and _KEY_PATH"
            )
        return self

    @field_validator("require_second_factor_for", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [role.strip() for role in text.split(",") if role.strip()]
        return value

    @field_validator("require_second_factor_for")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        from atrium.models.user import ROLES

        for role in value:
            if role not in ROLES:
                raise ValueError(f"{role!r} is not a role; one of {', '.join(ROLES)}")
        return value

    @field_validator(
        "rate_limit", "login_rate_limit", "login_address_rate_limit", "second_factor_rate_limit"
    )
    @classmethod
    def _limit(cls, value: str) -> str:
        return _rate(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        proxies = []
        for entry in (e.strip() for e in value):
            try:
                proxies.append(str(ipaddress.ip_network(entry, strict=False)))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or a CIDR") from None
        return proxies

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage(cls, value: str) -> str:
        return _limit_storage(value)


class WorkerSettings(BaseModel):
    metrics_host: str = LOCAL
    metrics_port: int | None = Field(9000, ge=1, le=65535)  # Temporal SDK metrics; None: off
    # Atrium's own (connector calls, sync outcomes: atrium/metrics/), on the same host; None: off
    atrium_metrics_port: int | None = Field(9001, ge=1, le=65535)
    max_concurrent_activities: int = Field(100, ge=1)


class EventsSettings(BaseModel):
    """Inbound webhooks, outbound event delivery and the live stream."""

    webhook_max_body_bytes: int = Field(262_144, ge=1024)
    webhook_tolerance_seconds: int = Field(300, ge=1, le=86_400)  # default replay window
    webhook_secret_ttl_seconds: float = Field(30.0, ge=0.0, le=3600.0)  # in-memory secret cache
    webhook_start_timeout_seconds: float = Field(5.0, gt=0.0, le=60.0)
    config_cache_seconds: float = Field(5.0, ge=0.0, le=300.0)  # sources, rules, subscriptions
    delivery_timeout_seconds: float = Field(10.0, gt=0.0, le=300.0)
    delivery_initial_interval_seconds: float = Field(1.0, gt=0.0)
    delivery_backoff: float = Field(2.0, ge=1.0)
    delivery_max_interval_seconds: float = Field(300.0, gt=0.0)
    delivery_max_attempts: int = Field(8, ge=1, le=100)
    stream_heartbeat_seconds: float = Field(15.0, gt=0.0, le=300.0)
    stream_queue_size: int = Field(1000, ge=10)
    # While a console watches, how often the API looks for what workers found out (runs that
    # ended, connections down or back: api/events/watchers.py)
    stream_runs_seconds: float = Field(2.0, ge=0.2, le=60.0)
    redis_url: str | None = None  # set to share the live stream across API replicas
    # Subscriber URLs (atrium/egress.py, the SSRF guard): https to public addresses only, unless
    # the host is listed here as a name (trusted whatever it resolves to), an address or a CIDR
    # (each resolved address checked). Listed hosts may also be called over plain http.
    subscriber_allowed_hosts: list[str] = Field(default_factory=list)  # JSON: ["10.1.0.0/16"]
    subscriber_allow_private: bool = False  # RFC 1918, fc00::/7, 100.64/10; never loopback etc.
    subscriber_require_https: bool = True  # plain http only to subscriber_allowed_hosts

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("subscriber_allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        return [_allowed_host(entry, with_port=False) for entry in value]


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port``, ``a.b.c.d:port`` or ``[v6]:port`` apart; a bare IPv6 address has no port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise ValueError(f"{entry!r} is not [IPv6]:port")
        port = rest[1:]
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        return entry, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{entry!r}: the port must be 1-65535")
    return host, int(port)


def _allowed_host(raw: str, *, with_port: bool) -> str:
    """One allow-list entry, normalised: a host name, an IP address or a CIDR, and where
    ``with_port``, any of them but a CIDR followed by ``:port`` (only that port allowed)."""
    entry = raw.strip().lower().rstrip(".")
    host, port = _split_port(entry) if with_port else (entry, None)
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        labels = host.split(".")
        if not host or not all(x and x.replace("-", "").isalnum() for x in labels):
            raise ValueError(f"{raw!r} is not a host name, an IP address or a CIDR") from None
        return host if port is None else f"{host}:{port}"
    if port is None:
        return str(network)
    if network.num_addresses != 1:
        raise ValueError(f"{raw!r}: a port goes with one host or address, not a network")
    address = network.network_address
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


class EgressSettings(BaseModel):
    """Where Atrium may connect for a school's systems (integration base URLs, their health
    checks, every connector, the OIDC issuer's keys): atrium/egress.py, the SSRF guard. https to
    public addresses only, unless the host is listed: a name (trusted whatever it resolves to), an
    address or a CIDR (each resolved address checked), any of them but a CIDR with ``:port`` to
    allow that port only (the sandbox at 127.0.0.1:8100, not OpenBao at 127.0.0.1:8200). Listed
    hosts may also be called over plain http. Subscriber URLs keep their own list
    (``events.subscriber_*``): who may register a subscriber is not who may set up a connection."""

    allowed_hosts: list[str] = Field(default_factory=list)  # JSON: ["sis.school.lan:8443"]
    allow_private: bool = False  # RFC 1918, fc00::/7, 100.64/10; never loopback, link-local etc.
    require_https: bool = True  # plain http only to allowed_hosts

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        if len(value) > 1000:
            raise ValueError("at most 1000 entries")
        return [_allowed_host(entry, with_port=True) for entry in value]


class OutboundLimit(BaseModel):
    rate: str = "20/second"  # requests to one connection, across every worker
    concurrency: int = Field(8, ge=1, le=1000)  # calls in flight to one connection

    @field_validator("rate")
    @classmethod
    def _limit(cls, value: str) -> str:
        return _rate(value)


class OutboundSettings(BaseModel):
    """How hard Atrium may push each school system (atrium/outbound_limits.py)."""

    storage: str = "memory://"  # redis://127.0.0.1:6379/0 enforces the limits across workers
    default: OutboundLimit = OutboundLimit()
    per_integration: dict[str, OutboundLimit] = Field(default_factory=dict)
    max_wait_seconds: float = Field(30.0, gt=0, le=600)  # then the activity fails and retries

    @field_validator("storage")
    @classmethod
    def _storage(cls, value: str) -> str:
        return _limit_storage(value)


class CalendarEvent(BaseModel):
    """A yearly peak of the academic calendar (term start, grading deadline): any year's date."""

    name: str = Field(min_length=1, max_length=63)
    date: dt.date


class CapacitySettings(BaseModel):
    """Capacity advice (atrium/capacity/): the hourly usage roll-up and the rules' thresholds."""

    # JSON: [{"name": "term start", "date": "2025-09-01"}]; recurs every year on that day
    calendar: list[CalendarEvent] = Field(default_factory=list, max_length=100)
    runs_per_worker_hour: int = Field(1200, ge=1)  # what one worker sustains (bench it)
    lookahead_days: int = Field(45, ge=1, le=366)  # advise for calendar peaks this close
    lead_days: int = Field(7, ge=0, le=90)  # add workers this long before the peak
    headroom: float = Field(1.3, ge=1.0, le=10.0)  # plan for the peak times this
    backlog_age_seconds: float = Field(30.0, gt=0)  # oldest waiting task older: too few workers
    slots_busy: float = Field(0.8, gt=0, le=1.0)  # share of worker slots in use: too few
    wait_p95_seconds: float = Field(1.0, gt=0)  # outbound waits at p95 above: raise the budget
    throttled_calls: int = Field(5, ge=1)  # 429s in the window from one target: it throttles
    window_hours: int = Field(24, ge=1, le=24 * 31)  # usage read for waits and 429s
    flush_seconds: float = Field(30.0, gt=0, le=3600)  # each process writes its counts this often


class SecuritySettings(BaseModel):
    """The policies `atrium security check` assesses the deployment against
    (atrium/security_check/), and threat detection's thresholds and responses."""

    secret_max_age_days: int = Field(180, ge=1, le=3650)  # rotate connection secrets this often
    api_key_unused_days: int = Field(90, ge=1, le=3650)  # a key idle this long: revoke it
    webhook_stale_days: int = Field(30, ge=1, le=3650)  # a source silent this long: disable it
    max_administrators: int = Field(3, ge=1, le=100)  # more accounts with every right: a finding
    # Threat detection (atrium/security_events.py): failed logins for this many different
    # usernames from one address within the window are password spraying, one security event;
    # the response blocks the address's logins for block_minutes, disables the accounts tried
    # (lock_accounts), or only records the event (none, the default: a school behind one NAT
    # address could lock itself out; ATRIUM_API__LOGIN_ADDRESS_RATE_LIMIT applies regardless).
    spraying_usernames: int = Field(5, ge=2, le=1000)
    spraying_window_seconds: int = Field(600, ge=10, le=86_400)
    spraying_response: Literal["block_address", "lock_accounts", "none"] = "none"
    block_minutes: int = Field(15, ge=1, le=10_080)
    # This many bad signatures for one webhook source within the window: one event; the source
    # is paused (its deliveries refused) for pause_minutes, or only recorded (none, the default).
    signature_failures: int = Field(10, ge=2, le=100_000)
    signature_window_seconds: int = Field(60, ge=1, le=86_400)
    signature_response: Literal["pause_source", "none"] = "none"
    pause_minutes: int = Field(15, ge=1, le=10_080)
    # Signals of atrium/security_signals/. An API key used from a network (IPv4 /24, IPv6 /64)
    # never seen for it: one event per key and window; the key is suspended (suspend_key) or
    # the event only recorded (none, the default).
    network_window_seconds: int = Field(3600, ge=10, le=86_400)
    network_response: Literal["suspend_key", "none"] = "none"
    # Personal data read by one caller within the window (records: payloads decoded, rows of
    # large list reads, export_download_weight per subject-access download) beyond
    # export_baseline_share times the caller's mean of its previous export_baseline_windows
    # windows, and at least export_min_records: one event; the caller's account locked, its key
    # suspended, or only recorded.
    export_window_seconds: int = Field(3600, ge=10, le=86_400)
    export_min_records: int = Field(500, ge=1, le=100_000_000)
    export_baseline_share: float = Field(3.0, ge=1.0, le=1000.0)
    export_baseline_windows: int = Field(24, ge=1, le=1000)
    export_download_weight: int = Field(50, ge=1, le=100_000)
    export_list_rows: int = Field(100, ge=1, le=100_000)  # a list answer this long is large
    export_response: Literal["lock_account", "suspend_key", "none"] = "none"
    # A connection moved to another origin (scheme, host, port): one event per connection and
    # window; the account or key that moved it locked / suspended, or only recorded.
    origin_window_seconds: int = Field(3600, ge=10, le=86_400)
    origin_response: Literal["lock_account", "suspend_key", "none"] = "none"


class SandboxSettings(BaseModel):
    host: str = LOCAL
    port: int = Field(8100, ge=1, le=65535)
    sftp_port: int = Field(8122, ge=1, le=65535)  # the bursar's nightly batch channel
    sis_sftp_port: int = Field(8123, ge=1, le=65535)  # the SIS's nightly OneRoster CSV drop
    smtp_port: int = Field(8125, ge=1, le=65535)  # the campus mail server
    size: Literal["demo", "small", "medium", "1m"] = "demo"
    seed: int = 42


class IntakeSettings(BaseModel):
    """The durable webhook intake (api/webhooks/dispatcher.py): events are committed before their
    202, then each starts its own run at once while the API keeps up, or goes into batch runs
    (one run applying many events) once a backlog builds."""

    # Per API process: more per-event starts in flight than this and new events are queued for
    # the dispatcher (batched) instead of started by the request itself. 16 let the per-event path
    # overload a 2-core API at 100/s before batching took over (bench/README.md).
    eager_max_inflight: int = Field(6, ge=0, le=1000)
    batch_min: int = Field(4, ge=1, le=1000)  # fewer claimed for one process: one run each
    batch_max: int = Field(200, ge=1, le=5000)  # events per batch run
    batch_wait_ms: float = Field(50.0, ge=0.0, le=5000.0)  # gather this long once batching
    max_inflight_batches: int = Field(2, ge=1, le=64)  # batch runs in flight per process
    # Where a batch run executes: started eagerly in this API process while fewer events than
    # this wait (the lowest latency at moderate rates), else on the workers' main queue (under
    # heavy load the API process keeps its core for the intake). 0: always on the workers.
    # Measured in bench/README.md.
    batch_in_api_below: int = Field(150, ge=0, le=10_000_000)
    poll_seconds: float = Field(1.0, gt=0.0, le=60.0)  # looks for others' leftovers this often
    # A claimed event not finished after this long is taken again (its dispatcher died).
    lease_seconds: float = Field(60.0, ge=1.0, le=3600.0)
    # Backpressure: with this many events unfinished, sources get 429 and Retry-After instead
    # of an ever longer wait (0: no limit).
    max_depth: int = Field(50_000, ge=0, le=10_000_000)
    retry_after_seconds: int = Field(5, ge=1, le=3600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ATRIUM_", env_nested_delimiter="__", extra="ignore", env_file=None
    )

    env: Literal["local", "production"] = "local"
    state_dir: Path = Path(".atrium")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # true: JSON; false: readable lines; unset: JSON unless stderr is a terminal (`make up` in a
    # shell), and always JSON in production
    log_json: bool | None = None
    temporal: TemporalSettings = TemporalSettings()
    vault: VaultSettings = VaultSettings()
    database: DatabaseSettings = DatabaseSettings()
    api: ApiSettings = ApiSettings()
    worker: WorkerSettings = WorkerSettings()
    sandbox: SandboxSettings = SandboxSettings()
    outbound: OutboundSettings = OutboundSettings()
    events: EventsSettings = EventsSettings()
    egress: EgressSettings = EgressSettings()
    security: SecuritySettings = SecuritySettings()
    intake: IntakeSettings = IntakeSettings()
    capacity: CapacitySettings = CapacitySettings()
    health_check_interval_seconds: int = Field(60, ge=10)  # alert rules probe faster themselves

    @model_validator(mode="after")
    def _production_logs_json(self) -> Settings:
        if self.log_json is None and self.env == "production":
            self.log_json = True
        return self

    @model_validator(mode="after")
    def _production_egress_per_host(self) -> Settings:
        """Production calls a school's systems over https; plain http only to hosts listed one
        by one (EGRESS__ALLOWED_HOSTS), never to all of them at once."""
        if self.env != "production":
            return self
        if not self.egress.require_https:
            raise ValueError(
                "ATRIUM_EGRESS__REQUIRE_HTTPS: production refuses plain http to every host; "
                "list the hosts allowed plain http in ATRIUM_EGRESS__ALLOWED_HOSTS instead"
            )
        everything = [e for e in self.egress.allowed_hosts if e.endswith("/0")]
        if everything:
            raise ValueError(
                f"ATRIUM_EGRESS__ALLOWED_HOSTS: production refuses {', '.join(everything)} "
                "(every address); list the hosts or networks themselves"
            )
        return self

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.state_dir / 'atrium.db').resolve()}"

    @property
    def vault_token_file(self) -> Path:
        return self.state_dir / "vault" / "root-token"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it in one line."""


def describe(error: ValidationError) -> str:
    """One readable line naming each bad setting as its environment variable."""
    parts = []
    for err in error.errors():
        path = "__".join(str(p) for p in err["loc"] if not isinstance(p, int)).upper()
        # A check across fields names its variables itself (a whole section's, or all settings')
        named = str(err["msg"]).removeprefix("Value error, ")
        parts.append(named if named.startswith("ATRIUM_") else f"ATRIUM_{path}: {err['msg']}")
    return "invalid setting " + "; ".join(parts)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
