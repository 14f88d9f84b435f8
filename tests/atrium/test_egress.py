"""The SSRF guard: which subscriber URLs pass, and a guarded client that dials only the address it
vetted. Names other than "localhost" resolve through a table here, never through DNS."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from atrium.egress import EgressPolicy, EgressRefused, HostNotFound, guarded_client
from atrium.settings import EgressSettings, EventsSettings
from tests.api.webhook_support import Subscriber, subscriber_server

NAMES = {
    "public.example": ["93.184.216.34"],
    "rebind.example": ["93.184.216.34", "10.0.0.1"],  # any inside address refuses the host
    "hooks.test": ["127.0.0.1"],
}


async def table(host: str, port: int) -> list[str]:
    if host not in NAMES:
        raise socket.gaierror(socket.EAI_NONAME, "unknown")
    return NAMES[host]


def policy(**events: Any) -> EgressPolicy:
    return EgressPolicy.from_settings(EventsSettings(**events), resolve=table)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1/x", "loopback"),
        ("https://[::1]:8443/x", "loopback"),
        ("https://[::ffff:127.0.0.1]/x", "loopback"),  # IPv4-mapped IPv6
        ("https://[::ffff:169.254.169.254]/x", "link-local"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),  # cloud metadata
        ("https://[fe80::1]/x", "link-local"),
        ("https://10.1.2.3/x", "private"),
        ("https://192.168.0.10/x", "private"),
        ("https://[fd00::5]/x", "private"),
        ("https://100.64.0.1/x", "private"),  # carrier-grade NAT
        ("https://224.0.0.1/x", "multicast"),
        ("https://240.0.0.1/x", "reserved"),
        ("https://0.0.0.0/x", "unspecified"),
        ("https://[2002:7f00:1::]/x", "loopback"),  # 6to4 of 127.0.0.1
        ("https://[64:ff9b::a9fe:a9fe]/x", "link-local"),  # NAT64 of 169.254.169.254
        ("https://rebind.example/x", "private"),
    ],
)
async def test_inside_addresses_are_refused(url: str, kind: str) -> None:
    with pytest.raises(EgressRefused, match=kind):
        await policy().check(url)


async def test_public_https_passes_and_unknown_hosts_do_not_resolve() -> None:
    await policy().check("https://public.example/hook")
    await policy().check("https://93.184.216.34:8443/hook")
    with pytest.raises(HostNotFound, match="nowhere.example"):
        await policy().check("https://nowhere.example/hook")


async def test_localhost_is_loopback_unless_allowed() -> None:
    # The system resolver, as in production ("localhost" is in /etc/hosts: no DNS query).
    with pytest.raises(EgressRefused, match="localhost resolves to .* loopback"):
        await EgressPolicy().check("https://localhost:9/hook")
    by_name = EventsSettings(subscriber_allowed_hosts=["LOCALHOST"])
    await EgressPolicy.from_settings(by_name).check("https://localhost:9/hook")
    by_network = EventsSettings(subscriber_allowed_hosts=["127.0.0.0/8", "::1"])
    await EgressPolicy.from_settings(by_network).check("https://localhost:9/hook")


async def test_allowed_networks_and_private_ranges() -> None:
    allowed = policy(subscriber_allowed_hosts=["127.0.0.1"])
    await allowed.check("http://127.0.0.1:9/hook")  # listed: plain http too
    await allowed.check("https://[::ffff:127.0.0.1]/hook")
    with pytest.raises(EgressRefused, match="loopback"):
        await allowed.check("https://127.0.0.2/hook")  # exactly what is listed
    private = policy(subscriber_allow_private=True)
    await private.check("https://10.1.2.3/hook")
    await private.check("https://rebind.example/hook")
    for url in ("https://127.0.0.1/", "https://169.254.169.254/", "https://0.0.0.0/"):
        with pytest.raises(EgressRefused):  # never allowed by allow_private alone
            await private.check(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://public.example/hook", "must be https"),
        ("https://user:pw@public.example/hook", "user name or password"),
        ("ftp://public.example/hook", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https:///hook", "no host"),
    ],
)
def test_url_form(url: str, reason: str) -> None:
    with pytest.raises(EgressRefused, match=reason):
        policy().check_url(url)


def test_https_can_be_optional_and_settings_are_validated() -> None:
    assert policy(subscriber_require_https=False).check_url("http://public.example/h") == (
        "public.example",
        80,
    )
    events = EventsSettings(subscriber_allowed_hosts=[" Hooks.LAN. ", "10.1.0.0/16", "::1"])
    assert events.subscriber_allowed_hosts == ["hooks.lan", "10.1.0.0/16", "::1/128"]
    for bad in ("http://hooks.lan", "hooks lan", "", "10.0.0.0/33"):
        with pytest.raises(ValidationError, match="not a host name, an IP address or a CIDR"):
            EventsSettings(subscriber_allowed_hosts=[bad])


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only numeric hosts resolve: a client that resolved a name itself would fail here (and no
    query ever leaves the machine)."""
    real = socket.getaddrinfo

    def numeric_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "no DNS in this test") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


@pytest.fixture
def local_subscriber() -> Iterator[Subscriber]:
    with subscriber_server(Subscriber()) as sub:
        yield sub


async def test_guarded_client_dials_the_vetted_address(
    no_dns: None, local_subscriber: Subscriber
) -> None:
    port = httpx.URL(local_subscriber.url).port
    allowed = policy(subscriber_allowed_hosts=["127.0.0.1"], subscriber_require_https=False)
    async with guarded_client(allowed) as client:
        answer = await client.post(f"http://hooks.test:{port}/hook", content=b"{}")
    assert answer.status_code == 200 and len(local_subscriber.received) == 1
    assert local_subscriber.received[0][0]["Host"] == f"hooks.test:{port}"


async def test_guarded_client_refuses_before_connecting(
    no_dns: None, local_subscriber: Subscriber
) -> None:
    port = httpx.URL(local_subscriber.url).port
    async with guarded_client(policy(subscriber_require_https=False)) as client:
        with pytest.raises(EgressRefused, match="hooks.test resolves to 127.0.0.1"):
            await client.post(f"http://hooks.test:{port}/hook", content=b"{}")
        with pytest.raises(EgressRefused, match="loopback"):
            await client.post(local_subscriber.url, content=b"{}")
    async with guarded_client(policy()) as client:
        with pytest.raises(EgressRefused, match="must be https"):
            await client.post("http://public.example/hook", content=b"{}")
        with pytest.raises(httpx.ConnectError, match="does not resolve"):  # retried later
            await client.post("https://nowhere.example/hook", content=b"{}")
    assert local_subscriber.received == []


def integrations(**egress: Any) -> EgressPolicy:
    return EgressPolicy.from_egress(EgressSettings(**egress), resolve=table)


async def test_one_port_of_a_host_can_be_allowed() -> None:
    """The sandbox at 127.0.0.1:8100 is allowed; OpenBao on 127.0.0.1:8200 is not."""
    sandbox = integrations(allowed_hosts=["127.0.0.1:8100", "hooks.test:9000", "[::1]:8100"])
    await sandbox.check("http://127.0.0.1:8100/canvas")
    await sandbox.check("http://[::1]:8100/canvas")
    await sandbox.check("http://hooks.test:9000/x")
    with pytest.raises(EgressRefused, match="must be https .*ATRIUM_EGRESS__ALLOWED_HOSTS"):
        await sandbox.check("http://127.0.0.1:8200/v1/sys/health")
    with pytest.raises(EgressRefused, match="loopback .*ATRIUM_EGRESS__ALLOWED_HOSTS"):
        await sandbox.check("https://127.0.0.1:8200/v1/sys/health")
    with pytest.raises(EgressRefused, match="hooks.test resolves to 127.0.0.1"):
        await sandbox.check("https://hooks.test:9001/x")
    assert sandbox.allowing("127.0.0.1", 8200) != sandbox
    await sandbox.allowing("127.0.0.1", 8200).check("http://127.0.0.1:8200/")


def test_egress_settings_take_ports_and_refuse_nonsense() -> None:
    egress = EgressSettings(
        allowed_hosts=[" SIS.lan:8443 ", "127.0.0.1:8100", "[::1]:8100", "10.1.0.0/16", "::1"]
    )
    assert egress.allowed_hosts == [
        "sis.lan:8443",
        "127.0.0.1:8100",
        "[::1]:8100",
        "10.1.0.0/16",
        "::1/128",
    ]
    for bad, reason in (
        ("10.0.0.0/8:80", "not a network"),
        ("sis.lan:0", "port must be 1-65535"),
        ("sis.lan:99999", "port must be 1-65535"),
        ("sis lan:80", "not a host name"),
        ("[::1]x", "IPv6"),
    ):
        with pytest.raises(ValidationError, match=reason):
            EgressSettings(allowed_hosts=[bad])
    with pytest.raises(ValidationError, match="not a host name"):  # subscribers: no ports
        EventsSettings(subscriber_allowed_hosts=["hooks.lan:80"])


async def test_until_configured_the_integration_policy_is_the_strictest() -> None:
    import atrium.egress as egress_module

    saved = egress_module._configured
    egress_module._configured = None
    try:
        with pytest.raises(EgressRefused, match="loopback"):
            await egress_module.policy().check("https://127.0.0.1:8100/")
    finally:
        egress_module._configured = saved
