"""The network an address belongs to, as threat detection compares them: an IPv4 /24 or an
IPv6 /64 (one site, one provider's allocation), so a client whose address moves within its
network is not news."""

from __future__ import annotations

import ipaddress

V4_PREFIX, V6_PREFIX = 24, 64


def network_of(address: str) -> str | None:
    """``203.0.113.0/24`` for ``203.0.113.7``; None for what is not an IP address (a test
    client's name, an empty peer)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = V4_PREFIX if ip.version == 4 else V6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
