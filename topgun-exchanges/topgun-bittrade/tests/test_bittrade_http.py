"""BitTrade HTTP beyond the conformance suite (test_bittrade_plugin.py holds the signed-URL
vectors and the local-server checks): the documented string to sign, the URL left untouched,
unsigned bodies, the credential shape and the registration.

BitTrade API documentation "Rest API共通情報" > "署名処理" (https://api-doc.bittrade.co.jp/).
"""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import assert_json_body, signing_request
from topgun_bittrade.auth import canonical_query, sign_request, string_to_sign

KEY = "bittrade-test-key"
SECRET = "bittrade-test-secret"
NOW = 1700000000.123  # 2023-11-14T22:13:20 UTC
APIS = {"bittrade": [KEY, SECRET]}


def test_documented_string_to_sign() -> None:
    """Step 6 of "署名処理", verbatim: GET /v1/order/orders?order-id=1234567890 at
    2017-05-11T15:19:30 (the signed URL of steps 7-8 is a vector in vectors/bittrade.json)."""
    doc_key = "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"
    pairs = [
        ("order-id", "1234567890"),
        ("AccessKeyId", doc_key),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", "2017-05-11T15:19:30"),
    ]
    assert string_to_sign(
        "GET", "api-cloud.bittrade.co.jp", "/v1/order/orders", canonical_query(pairs)
    ) == (
        "GET\napi-cloud.bittrade.co.jp\n/v1/order/orders\n"
        "AccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx&SignatureMethod=HmacSHA256"
        "&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30&order-id=1234567890"
    )


def test_signing_never_mutates_the_request_url() -> None:
    original = URL("https://api-cloud.bittrade.co.jp/v1/order/orders?symbol=btcjpy")
    request = signing_request("GET", original, Credential("bittrade", [KEY, SECRET]), clock=NOW)
    sign_request(request)
    assert str(request.url) == "https://api-cloud.bittrade.co.jp/v1/order/orders?symbol=btcjpy"


async def test_signed_get_with_params(exchange: Any, registry: Any) -> None:
    async with exchange.client(apis=APIS, registry=registry) as client:
        result = await client.fetch(
            "GET",
            "https://api-cloud.bittrade.co.jp/v1/order/orders",
            params={"symbol": "btcjpy", "states": "filled,canceled", "start-date": "2023-11-01"},
        )
    assert result.data["status"] == "ok", result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["params"][-1][0] == "Signature"


async def test_signed_post_sends_an_unsigned_json_body(exchange: Any, registry: Any) -> None:
    order = {
        "account-id": "100009",
        "amount": "0.001",
        "price": "6000000",
        "symbol": "btcjpy",
        "type": "buy-limit",
    }
    async with exchange.client(apis=APIS, registry=registry) as client:
        result = await client.fetch(
            "POST", "https://api-cloud.bittrade.co.jp/v1/order/orders/place", data=order
        )
    assert result.data["status"] == "ok", result.text
    record = exchange.seen[-1]
    assert_json_body(record, order)
    assert {k for k, _ in record["params"]} == {
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Signature",
    }


def test_malformed_credentials_fail_at_client(registry: Any) -> None:
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_KEY") as info:
        topgun.Client(apis={"bittrade": [KEY, "s3cret-value", "extra"]}, registry=registry)
    assert "s3cret-value" not in str(info.value)


def test_plugin_registers_the_host(registry: Any) -> None:
    assert registry.apis["bittrade"].fields == ("ACCESS_KEY", "SECRET_KEY")
    host = registry.hosts["api-cloud.bittrade.co.jp"].host
    assert host.signer is sign_request and host.body == "json"
    assert host.features() == (
        "sign",
        "ws-login",
        "ws-rate-limit",
        "ws-decode",
        "ws-reply",
        "body=json",
    )


@pytest.mark.parametrize("path", ["/market/detail/merged?symbol=btcjpy", "/v1/common/timestamp"])
async def test_public_endpoints_carry_no_access_key(
    exchange: Any, registry: Any, path: str
) -> None:
    """ "Public API" endpoints need no signature; the access key stays out of their URLs."""
    async with exchange.client(apis=APIS, registry=registry) as client:
        await client.fetch("GET", f"https://api-cloud.bittrade.co.jp{path}")
    assert exchange.seen[-1]["path_qs"] == path
