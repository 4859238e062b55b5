"""The address policy: what is refused by default, and what the allow-lists open."""

from __future__ import annotations

import ipaddress

import pytest
from toolhooks_tools_web._guard import AddressPolicy, forbidden_reason, resolve


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud metadata endpoint"),
        ("::ffff:169.254.169.254", "cloud metadata endpoint"),
        ("fd00:ec2::254", "cloud metadata endpoint"),
        ("100.100.100.200", "cloud metadata endpoint"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "shared address space (carrier-grade NAT)"),
        ("fc00::1", "private"),
        ("64:ff9b::7f00:1", "reserved"),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", "6to4 (embeds an IPv4 address)"),
    ],
)
def test_non_public_addresses_are_refused(address: str, why: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None
    assert AddressPolicy().check(ipaddress.ip_address(address)) is None


def test_allow_networks_open_only_their_range() -> None:
    policy = AddressPolicy(allow_networks=["10.1.0.0/16", "fd12::/16"])
    assert policy.check(ipaddress.ip_address("10.1.200.3")) is None
    assert policy.check(ipaddress.ip_address("::ffff:10.1.200.3")) is None
    assert policy.check(ipaddress.ip_address("fd12::5")) is None
    assert policy.check(ipaddress.ip_address("10.2.0.1")) == "private"
    assert policy.check(ipaddress.ip_address("127.0.0.1")) == "loopback"


def test_metadata_needs_an_exact_entry() -> None:
    metadata = ipaddress.ip_address("169.254.169.254")
    assert AddressPolicy(allow_networks=["169.254.0.0/16"]).check(metadata) is not None
    assert AddressPolicy(allow_networks=["0.0.0.0/0"]).check(metadata) is not None
    assert AddressPolicy(allow_networks=["169.254.169.254/32"]).check(metadata) is None
    link_local = ipaddress.ip_address("169.254.1.1")
    assert AddressPolicy(allow_networks=["169.254.0.0/16"]).check(link_local) is None


def test_allow_hosts_by_name_and_wildcard() -> None:
    policy = AddressPolicy(allow_hosts=["Intranet.Example.", "*.corp.example", "[::1]"])
    assert policy.host_allowed("intranet.example")
    assert policy.host_allowed("wiki.corp.example")
    assert policy.host_allowed("a.b.corp.example")
    assert not policy.host_allowed("corp.example")
    assert not policy.host_allowed("evilcorp.example")
    assert not policy.host_allowed("intranet.example.evil.test")
    assert policy.host_allowed("::1")


async def test_resolve_handles_literals_and_names() -> None:
    assert await resolve("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]
    assert await resolve("[::1]", 80) == [ipaddress.ip_address("::1")]
    names = await resolve("localhost", 80)
    assert names and all(ip.is_loopback for ip in names)
