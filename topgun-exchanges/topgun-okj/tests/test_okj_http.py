"""OKJ HTTP beyond the conformance suite (test_okj_plugin.py holds the SDK's published vector,
the hand-computed ones and the local-server checks): ISO timestamps, the clock offset, the
credential shape and the registration.

Recipe: OKJ API guide, REST "Authentication" (https://dev.okj.com/apidoc/v3/en/ and
https://dev.okj.com/apidoc/v5/en/)."""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.plugin import CredentialError
from topgun_okj.auth import iso_timestamp, sign_request

NOW = 1700000000.123
KEY = "okj-test-key"
SECRET = "okj-test-secret"
PASSPHRASE = "okj-test-passphrase"
APIS = {"okj": [KEY, SECRET, PASSPHRASE]}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (1700000000.123, "2023-11-14T22:13:20.123Z"),
        (1700000000.005, "2023-11-14T22:13:20.005Z"),
        (1700000000.0, "2023-11-14T22:13:20.000Z"),
    ],
)
def test_iso_timestamp_has_three_millisecond_digits(at: float, expected: str) -> None:
    assert iso_timestamp(topgun.FixedClock(at)) == expected


def test_timestamp_follows_the_clock_offset() -> None:
    clock = topgun.FixedClock(NOW)
    clock.offset = 2.5
    assert iso_timestamp(clock) == "2023-11-14T22:13:22.623Z"


def test_two_element_credentials_are_rejected_clearly(registry: Any) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"okj": [KEY, "s3cret-value"]}, registry=registry)
    message = str(info.value)
    assert "okj" in message and "PASSPHRASE" in message and "passphrase" in message.lower()
    assert "s3cret-value" not in message


def test_plugin_registers_hosts_and_api(registry: Any) -> None:
    assert registry.apis["okj"].fields == ("API_KEY", "API_SECRET", "PASSPHRASE")
    for name in ("www.okcoin.jp", "api.okj.com"):
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
    for name in ("connect.okcoin.jp", "connect.okj.com"):
        assert registry.hosts[name].host.features() == ("ws-login", "heartbeat", "ws-decode")
    assert registry.hosts["ws.okj.com"].host.features() == ("ws-login", "heartbeat")
