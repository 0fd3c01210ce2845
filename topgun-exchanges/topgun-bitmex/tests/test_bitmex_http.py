"""BitMEX REST beyond the conformance suite (test_bitmex_plugin.py holds the worked examples of
https://www.bitmex.com/app/apiKeysUsage and the local-server checks): expires in seconds, testnet,
DELETE bodies, the credential shape and the hosts."""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import Registry, assert_json_body, signing_request
from topgun_bitmex.auth import EXPIRES_IN, sign_request

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"


def test_expires_is_in_seconds_and_follows_the_clock_offset() -> None:
    clock = topgun.FixedClock(1700000000.9)
    clock.offset = 30.0  # e.g. after clock.sync_to(server_time)
    credential = Credential("bitmex", [KEY, SECRET])
    request = signing_request("GET", "https://www.bitmex.com/api/v1/user", credential, clock=clock)
    assert sign_request(request).headers["api-expires"] == str(1700000030 + EXPIRES_IN)


@pytest.mark.parametrize(
    ("host", "api"), [("www.bitmex.com", "bitmex"), ("testnet.bitmex.com", "bitmex_testnet")]
)
async def test_signed_get_with_params(
    exchange: Any, registry: Registry, host: str, api: str
) -> None:
    async with exchange.client(apis={api: [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch(
            "GET", f"https://{host}/api/v1/order", params={"filter": '{"open": true}', "count": 5}
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == host
    assert record["path_qs"].startswith("/api/v1/order?filter=")


async def test_signed_post_sends_the_json_body_it_signed(exchange: Any, registry: Registry) -> None:
    order = {"symbol": "XBTUSD", "orderQty": 100, "price": 30000.5, "clOrdID": "a/b c"}
    async with exchange.client(apis={"bitmex": [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch("POST", "https://www.bitmex.com/api/v1/order", data=order)
        deleted = await client.fetch(
            "DELETE", "https://www.bitmex.com/api/v1/order", data={"orderID": "x"}
        )
    assert result.response.status == 200, result.text
    assert deleted.response.status == 200, deleted.text
    assert_json_body(exchange.seen[-2], order)


async def test_live_key_is_not_sent_to_testnet(exchange: Any, registry: Registry) -> None:
    async with exchange.client(apis={"bitmex": [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch("GET", "https://testnet.bitmex.com/api/v1/user")
    assert result.response.status == 401
    assert "api-key" not in {name.lower() for name in exchange.seen[-1]["headers"]}


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match=r"bitmex_testnet.*API_KEY, API_SECRET") as error:
        topgun.Client(apis={"bitmex_testnet": ["only-a-key"]}, registry=registry)
    assert "only-a-key" not in str(error.value)
