"""Server-side request forgery protection: which addresses a fetch may connect to.

Stdlib only. The fetcher resolves a host once with :func:`resolve`, vets every address with
:meth:`AddressPolicy.check`, and connects to the vetted address itself (the hostname goes in the
``Host`` header and the TLS SNI), so the address that was checked is the address that is used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

__all__ = [
    "METADATA_ADDRESSES",
    "AddressPolicy",
    "IPAddress",
    "Resolver",
    "forbidden_reason",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``resolver(host, port)`` -> the host's addresses (may raise ``socket.gaierror``).
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

#: Cloud instance-metadata endpoints: refused even when a broader allowed network covers them,
#: unless an ``allow_networks`` entry names exactly that address.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "169.254.169.253",  # AWS DNS
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS DNS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)

#: Ranges the ``ipaddress`` flags miss or that deserve to be explicit.
_EXTRA_FORBIDDEN: tuple[tuple[IPNetwork, str], ...] = (
    (ipaddress.ip_network("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
    (ipaddress.ip_network("64:ff9b::/96"), "NAT64 (embeds an IPv4 address)"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "local-use NAT64"),
    (ipaddress.ip_network("2002::/16"), "6to4 (embeds an IPv4 address)"),
    (ipaddress.ip_network("2001::/32"), "Teredo (embeds an IPv4 address)"),
    (ipaddress.ip_network("fc00::/7"), "unique local (private)"),
    (ipaddress.ip_network("fec0::/10"), "site-local (private)"),
)


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped (``::ffff:a.b.c.d``) or -compatible IPv6 one."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.packed[:12] == bytes(12) and int(ip) > 1:  # deprecated ::a.b.c.d
            return ipaddress.IPv4Address(ip.packed[12:])
    return ip


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why *ip* must not be fetched by default, or ``None`` for a public address."""
    ip = _unwrap(ip)
    if ip in METADATA_ADDRESSES:
        return "cloud metadata endpoint"
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
    )
    for flagged, why in checks:
        if flagged:
            return why
    for net, why in _EXTRA_FORBIDDEN:
        if ip.version == net.version and ip in net:
            return why
    if not ip.is_global:
        return "not globally routable"
    return None


def _host_key(host: str) -> str:
    return host.strip().rstrip(".").lower()


class AddressPolicy:
    """Decides whether a host (by name) and its addresses may be fetched.

    :param allow_hosts: host names (or IP literals as written in URLs) that may resolve anywhere;
        ``*.example.com`` matches every subdomain of ``example.com`` (not ``example.com`` itself).
    :param allow_networks: CIDRs whose addresses are allowed although not public. A metadata
        endpoint is allowed only by an entry naming exactly it (``169.254.169.254/32``).
    """

    def __init__(self, allow_hosts: Iterable[str] = (), allow_networks: Iterable[str] = ()) -> None:
        self._hosts: set[str] = set()
        self._suffixes: list[str] = []
        for h in allow_hosts:
            key = _host_key(h.strip("[]"))
            if key.startswith("*."):
                self._suffixes.append(key[1:])
            else:
                self._hosts.add(key)
        self._networks: list[IPNetwork] = [
            ipaddress.ip_network(n, strict=False) for n in allow_networks
        ]

    def host_allowed(self, host: str) -> bool:
        """True when *host* is allow-listed by name: its addresses are not checked."""
        key = _host_key(host.strip("[]"))
        return key in self._hosts or any(key.endswith(s) for s in self._suffixes)

    def check(self, ip: IPAddress) -> str | None:
        """Why *ip* is refused, or ``None`` when it may be fetched."""
        why = forbidden_reason(ip)
        if why is None:
            return None
        inner = _unwrap(ip)
        for net in self._networks:
            for candidate in {ip, inner}:
                if candidate.version != net.version or candidate not in net:
                    continue
                if inner in METADATA_ADDRESSES and net.num_addresses != 1:
                    continue  # metadata must be named exactly
                return None
        return why


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of *host* (``getaddrinfo`` in a worker thread), in resolver order."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.to_thread(
        socket.getaddrinfo, host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    out: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    return out
