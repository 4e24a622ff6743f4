"""Where a webhook may go (no server-side request forgery): https only, and only to addresses
anybody on the internet may reach, however the private one is written or resolved."""

from __future__ import annotations

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tenant_app.services.webhook_targets import (
    Resolver,
    Target,
    TargetRefused,
    check_target,
    checked_syntax,
    is_public,
)
from tenant_app.services.webhooks import TYPE_OF, new_secret
from tenant_app.services.webhooks_delivery import signed_request
from tenant_app.vocabulary import WEBHOOK_EVENT_TYPES

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.1.2.3",  # private
    "172.16.0.1",
    "192.168.178.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # link-local: the cloud's metadata service
    "0.0.0.0",  # unspecified  # noqa: S104 - a refused example
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",  # unique local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "2a00:1450:4001:82b::200e", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


def resolving_to(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://2130706433/hooks",  # 127.0.0.1 as one number
        "https://0x7f.1/hooks",
        "https://localhost:8443/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/",
    ],
)
async def test_private_targets_are_refused_however_written(url: str) -> None:
    with pytest.raises(TargetRefused, match="privat"):
        await check_target(url, allow_private=False)


async def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    resolver = resolving_to("93.184.215.14", "10.0.0.5")  # one public, one private
    with pytest.raises(TargetRefused):
        await check_target("https://crm.example.com/hooks", allow_private=False, resolver=resolver)


async def test_a_public_target_is_connected_to_the_checked_address() -> None:
    resolver = resolving_to("93.184.215.14")
    target = await check_target(
        "https://crm.example.com:8443/hooks", allow_private=False, resolver=resolver
    )
    assert (target.host, target.port, target.address) == ("crm.example.com", 8443, "93.184.215.14")


async def test_an_unknown_name_is_refused() -> None:
    async def nowhere(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(TargetRefused, match="crm.invalid"):
        await check_target("https://crm.invalid/", allow_private=False, resolver=nowhere)


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.example.com/hooks",  # not https
        "ftp://crm.example.com/",
        "https:///nohost",
        "https://user:secret@crm.example.com/",
        "https://crm.example.com/#part",
        "https://crm.example.com:99999/",
        "crm.example.com/hooks",
        "https://crm.example.com/" + "a" * 500,
    ],
)
def test_malformed_or_plain_http_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        checked_syntax(url, allow_private=False)


async def test_where_private_targets_are_allowed_nothing_is_resolved() -> None:
    async def must_not_resolve(host: str, port: int) -> list[str]:
        raise AssertionError("resolved")

    target = await check_target(
        "http://127.0.0.1:9000/hooks", allow_private=True, resolver=must_not_resolve
    )
    assert target.address is None and target.port == 9000


def test_every_webhook_type_comes_from_some_event_kind() -> None:
    assert set(TYPE_OF.values()) == set(WEBHOOK_EVENT_TYPES)


async def test_a_checked_address_is_connected_to_under_the_urls_name() -> None:
    """The request goes to the address that was checked; Host and TLS name the URL's host."""
    target = Target(
        url="https://crm.example.com:8443/hooks?x=1",
        host="crm.example.com",
        port=8443,
        address="2a00:1450:4001:82b::200e",
    )
    row = {"payload": '{"type":"contact.created"}', "message_id": "msg_1"}
    secret = new_secret()
    async with httpx.AsyncClient() as client:
        request = signed_request(client, target, row, secret)
    assert str(request.url) == "https://[2a00:1450:4001:82b::200e]:8443/hooks?x=1"
    assert request.headers["host"] == "crm.example.com:8443"
    assert request.extensions["sni_hostname"] == "crm.example.com"
    assert request.headers["webhook-id"] == "msg_1"
    verified = Webhook(secret).verify(request.content, dict(request.headers))
    assert verified == {"type": "contact.created"}
