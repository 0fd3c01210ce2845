"""Phemex REST beyond the conformance suite (test_phemex_plugin.py holds the three signature
examples of https://phemex-docs.github.io/#endpoint-security-type and the local-server checks):
the query signed as sent, every host, PUT and POST bodies, live keys kept off testnet."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import CredentialError
from topgun.testing import Registry, assert_json_body
from topgun_phemex.auth import sign_request, signed_text

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"


def test_query_is_signed_as_sent_not_decoded() -> None:
    url = URL("https://api.phemex.com/spot/orders").extend_query({"text": "a b&c=d%"})
    text = signed_text(url.raw_path, url.raw_query_string, 1)
    assert text == b"/spot/orderstext=a+b%26c%3Dd%251"


@pytest.mark.parametrize(
    ("host", "api"),
    [
        ("api.phemex.com", "phemex"),
        ("vapi.phemex.com", "phemex"),
        ("testnet-api.phemex.com", "phemex_testnet"),
    ],
)
async def test_signed_get_with_params(
    exchange: Any, registry: Registry, host: str, api: str
) -> None:
    params = {"symbol": "BTCUSD", "ordStatus": "New", "text": "50% off & more"}
    async with exchange.client(apis={api: [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch("GET", f"https://{host}/orders/activeList", params=params)
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == host
    assert "%25" in record["path_qs"]  # the server saw, and verified, the encoded query


async def test_signed_put_and_post(exchange: Any, registry: Registry) -> None:
    order = {"symbol": "BTCUSD", "clOrdID": "uuid-1", "side": "Sell", "orderQty": 7}
    async with exchange.client(apis={"phemex": [KEY, SECRET]}, registry=registry) as client:
        posted = await client.fetch("POST", "https://api.phemex.com/orders", data=order)
        put = await client.fetch(
            "PUT",
            "https://api.phemex.com/orders/create",
            params={"clOrdID": "x", "symbol": "BTCUSD"},
        )
    assert posted.response.status == 200, posted.text
    assert put.response.status == 200, put.text
    assert_json_body(exchange.seen[-2], order)


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, registry: Registry
) -> None:
    async with exchange.client(apis={"phemex": [KEY, SECRET]}, registry=registry) as client:
        unsigned = await client.fetch(
            "GET", "https://api.phemex.com/accounts/accountPositions", auth=None
        )
        testnet = await client.fetch(
            "GET", "https://testnet-api.phemex.com/accounts/accountPositions"
        )
    async with exchange.client(apis={}, registry=registry) as client:
        public = await client.fetch("GET", "https://api.phemex.com/public/time")
    assert unsigned.response.status == 401 and testnet.response.status == 401
    assert public.data["code"] == 0
    assert not any(
        name.lower().startswith("x-phemex-")
        for record in exchange.seen
        for name in record["headers"]
    )


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="phemex"):
        topgun.Client(apis={"phemex": ["key", "secret", "extra"]}, registry=registry)


def test_plugin_registers_every_host(registry: Registry) -> None:
    assert set(registry.apis) == {"phemex", "phemex_testnet"}
    signing = {"api.phemex.com", "vapi.phemex.com", "testnet-api.phemex.com"}
    websocket = {
        "ws.phemex.com",
        "vapi.phemex.com",
        "testnet-api.phemex.com",
        "phemex.com",
        "testnet.phemex.com",
    }
    for name in signing:
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
    for name in websocket:
        host = registry.hosts[name].host
        assert host.ws_authenticator is not None
        assert host.ws_heartbeat is not None and host.ws_rate_limit is not None
    assert registry.hosts["testnet.phemex.com"].host.api == "phemex_testnet"
