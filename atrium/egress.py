"""Which URLs Atrium calls on an administrator's say-so: the guard against server-side request
forgery (SSRF) for every outbound connection: subscriber URLs, integration base URLs and every
connector and health check calling them, the OIDC issuer's keys.

A URL passes when it is http(s) with no user name or password, uses https (plain http only to an
allowed host), and every address its host resolves to is public: not loopback, private, link-local
(the cloud metadata service at 169.254.169.254), multicast, reserved or unspecified, nor one of
those inside an IPv6 form (IPv4-mapped, 6to4, NAT64). Settings allow hosts, networks or one
host's port anyway: ``egress.*`` for integrations and OIDC (``policy()``, configured once per
process by ``configure``), ``events.subscriber_*`` for subscribers (``from_settings``).

The API checks at registration, for a clear 422. Deliveries check again when they connect:
``guarded_client`` resolves, vets and connects to the vetted address in one step, so a host whose
DNS answer changes after a check (DNS rebinding) cannot steer a delivery to an inside address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import httpcore
import httpx

from atrium.settings import EgressSettings, EventsSettings
from connectors.http import set_default_transport

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

RESOLVE_TIMEOUT_SECONDS = 5.0
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SUBSCRIBER_SETTINGS = (
    "ATRIUM_EVENTS__SUBSCRIBER_ALLOWED_HOSTS",
    "ATRIUM_EVENTS__SUBSCRIBER_ALLOW_PRIVATE",
)
EGRESS_SETTINGS = ("ATRIUM_EGRESS__ALLOWED_HOSTS", "ATRIUM_EGRESS__ALLOW_PRIVATE")


class EgressRefused(Exception):
    """This URL may not be called; the message says why."""


class HostNotFound(Exception):
    """The host name does not resolve (perhaps only for now)."""


async def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host``; getaddrinfo blocks, so it runs in a thread."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 form carries (::ffff:a.b.c.d, 6to4, NAT64), else the address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return inner
    return address


def non_public(address: IPAddress) -> str | None:
    """What kind of inside address this is ("loopback", "private", ...), None for a public one."""
    plain = _embedded_ipv4(address)
    for kind, found in (
        ("an unspecified", plain.is_unspecified),
        ("a loopback", plain.is_loopback),
        ("a link-local", plain.is_link_local),
        ("a multicast", plain.is_multicast),
        ("a reserved", plain.is_reserved),
    ):
        if found:
            return kind
    site_local = isinstance(plain, ipaddress.IPv6Address) and plain.is_site_local
    if plain.is_private or not plain.is_global or site_local:  # RFC 1918, fc00::/7, 100.64/10...
        return "a private"
    return None


def _entry(entry: str) -> tuple[str | IPNetwork, int | None]:
    """A validated allow-list entry (atrium/settings.py) as a name or network, and its port."""
    host, port = entry, None
    head, sep, tail = entry.rpartition(":")
    if sep and tail.isdigit() and (entry.count(":") == 1 or head.endswith("]")):
        host, port = head.strip("[]"), int(tail)
    try:
        return ipaddress.ip_network(host, strict=False), port
    except ValueError:
        return host, port


@dataclass(frozen=True)
class EgressPolicy:
    allowed_names: frozenset[str] = frozenset()  # trusted whatever they resolve to
    allowed_networks: tuple[IPNetwork, ...] = ()  # checked per resolved address
    allow_private: bool = False
    require_https: bool = True
    resolve: Resolver = field(default=system_resolve, compare=False, repr=False)
    # One port of a host only ("127.0.0.1:8100" is the sandbox, not OpenBao on 8200)
    allowed_name_ports: frozenset[tuple[str, int]] = frozenset()
    allowed_network_ports: tuple[tuple[IPNetwork, int], ...] = ()
    settings_names: tuple[str, str] = SUBSCRIBER_SETTINGS  # named in refusals

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[str],
        allow_private: bool,
        require_https: bool,
        settings_names: tuple[str, str],
        resolve: Resolver = system_resolve,
    ) -> EgressPolicy:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        name_ports: set[tuple[str, int]] = set()
        network_ports: list[tuple[IPNetwork, int]] = []
        for entry in entries:  # validated by the settings
            host, port = _entry(entry)
            if isinstance(host, str) and port is None:
                names.add(host)
            elif isinstance(host, str) and port is not None:
                name_ports.add((host, port))
            elif not isinstance(host, str) and port is None:
                networks.append(host)
            elif not isinstance(host, str) and port is not None:
                network_ports.append((host, port))
        return cls(
            frozenset(names),
            tuple(networks),
            allow_private,
            require_https,
            resolve,
            frozenset(name_ports),
            tuple(network_ports),
            settings_names,
        )

    @classmethod
    def from_settings(
        cls, events: EventsSettings, resolve: Resolver = system_resolve
    ) -> EgressPolicy:
        """The subscriber-URL policy."""
        return cls.from_entries(
            events.subscriber_allowed_hosts,
            events.subscriber_allow_private,
            events.subscriber_require_https,
            SUBSCRIBER_SETTINGS,
            resolve,
        )

    @classmethod
    def from_egress(
        cls, egress: EgressSettings, resolve: Resolver = system_resolve
    ) -> EgressPolicy:
        """The policy of integrations, connectors, health checks and OIDC."""
        return cls.from_entries(
            egress.allowed_hosts,
            egress.allow_private,
            egress.require_https,
            EGRESS_SETTINGS,
            resolve,
        )

    def allowing(self, host: str, port: int) -> EgressPolicy:
        """This policy with one more host:port allowed (an endpoint an operator configured)."""
        literal = _literal(host)
        if literal is None:
            return replace(self, allowed_name_ports=self.allowed_name_ports | {(host, port)})
        network = ipaddress.ip_network(literal)
        return replace(self, allowed_network_ports=(*self.allowed_network_ports, (network, port)))

    def _allowed_address(self, address: IPAddress, port: int) -> bool:
        plain = _embedded_ipv4(address)
        return any(a in net for a in (address, plain) for net in self.allowed_networks) or any(
            a in net and port == p
            for a in (address, plain)
            for net, p in self.allowed_network_ports
        )

    def _name_allowed(self, host: str, port: int) -> bool:
        name = host.rstrip(".")
        return name in self.allowed_names or (name, port) in self.allowed_name_ports

    def _listed(self, host: str, port: int) -> bool:
        literal = _literal(host)
        return self._name_allowed(host, port) or (
            literal is not None and self._allowed_address(literal, port)
        )

    def check_url(self, url: str | httpx.URL) -> tuple[str, int]:
        """The host and port to connect to when the URL's form is acceptable (no DNS asked)."""
        try:
            parsed = httpx.URL(url)  # the parser deliveries use: no disagreement to exploit
        except httpx.InvalidURL as exc:
            raise EgressRefused(f"not a valid URL: {exc}") from None
        if parsed.scheme not in ("http", "https"):
            raise EgressRefused("must be an http:// or https:// URL")
        if parsed.userinfo:
            raise EgressRefused("must not contain a user name or password")
        host = parsed.raw_host.decode("ascii")  # lower case, IDNA: what is dialled
        if not host.rstrip("."):
            raise EgressRefused("has no host")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if parsed.scheme == "http" and self.require_https and not self._listed(host, port):
            raise EgressRefused(
                f"must be https (plain http only to a host in {self.settings_names[0]})"
            )
        return host, port

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to; EgressRefused if any of them is not allowed."""
        literal = _literal(host)
        if literal is not None:
            found = [literal]
        else:
            try:
                answer = await asyncio.wait_for(self.resolve(host, port), RESOLVE_TIMEOUT_SECONDS)
            except (OSError, TimeoutError):  # socket.gaierror is an OSError
                raise HostNotFound(f"{host} does not resolve") from None
            found = list(dict.fromkeys(ipaddress.ip_address(a.split("%")[0]) for a in answer))
            if not found:
                raise HostNotFound(f"{host} does not resolve")
        if self._name_allowed(host, port):
            return found
        allowed_hosts, allow_private = self.settings_names
        for address in found:
            kind = non_public(address)
            if kind is None or self._allowed_address(address, port):
                continue
            if kind == "a private" and self.allow_private:
                continue
            what = host if literal is not None else f"{host} resolves to {address}, which"
            hint = f" (or set {allow_private})" if kind == "a private" else ""
            raise EgressRefused(
                f"{what} is {kind} address: allowed only when listed in {allowed_hosts}{hint}"
            )
        return found

    async def check(self, url: str) -> None:
        """The registration check: the URL's form, then every address its host resolves to."""
        await self.addresses(*self.check_url(url))


class _VettingBackend(httpcore.AsyncNetworkBackend):
    """Resolves, vets and connects in one step: the address checked is the address dialled."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.policy.addresses(host, port)
        except HostNotFound as exc:
            raise httpcore.ConnectError(str(exc)) from None  # httpx.ConnectError: retried
        error: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise EgressRefused("unix sockets are never called")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with every request's URL checked and every connection vetted. Proxies
    from the environment are not used: the guard must see the address really dialled."""

    def __init__(self, policy: EgressPolicy, limits: httpx.Limits | None = None) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        self.policy = policy
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        # httpx has no option for a network backend: replace its pool by one with ours, with
        # the limits asked for. tests/atrium/test_egress.py fails should this stop working.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_VettingBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(request.url)
        return await super().handle_async_request(request)


def guarded_client(policy: EgressPolicy) -> httpx.AsyncClient:
    """An HTTP client that calls only what ``policy`` allows, and follows no redirect."""
    return httpx.AsyncClient(transport=GuardedTransport(policy), follow_redirects=False)


_configured: EgressPolicy | None = None


def configure(egress: EgressSettings) -> EgressPolicy:
    """This process's policy for integrations (``atrium worker``, the API, tests), and every
    connector's default transport: the address a connector dials is the one the guard vetted."""
    global _configured
    _configured = EgressPolicy.from_egress(egress)
    policy_now = _configured
    set_default_transport(lambda limits: GuardedTransport(policy_now, limits))
    return policy_now


def policy() -> EgressPolicy:
    """The configured integration policy; until ``configure`` runs, the strictest one (public
    https only), so a process that forgot to configure refuses rather than allows."""
    return _configured or EgressPolicy.from_egress(EgressSettings())
