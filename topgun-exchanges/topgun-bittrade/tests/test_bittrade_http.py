"""BitTrade HTTP signing: the documentation's worked example, hand-computed vectors, and a local
api-cloud.bittrade.co.jp that verifies the query signature.

BitTrade API documentation "Rest API共通情報" > "署名処理" (https://api-doc.bittrade.co.jp/;
github.com/BitTrade-Inc/BitTrade-api-docs "rest api.md"). Its worked example masks the keys
("e2xxxxxx-…", "b0xxxxxx-…") and prints a signature made with the real ones, so only the
string to sign can be reproduced exactly; the digests below were computed independently with
``printf 'MESSAGE' | openssl dgst -sha256 -hmac SECRET -binary | base64``.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun_bittrade.auth import canonical_query, sign_request, string_to_sign

KEY = "bittrade-test-key"
SECRET = "bittrade-test-secret"
NOW = 1700000000.123  # 2023-11-14T22:13:20 UTC
APIS = {"bittrade": [KEY, SECRET]}


def _signed_url(
    method: str, url: str, key: str = KEY, secret: str = SECRET, at: float = NOW
) -> URL:
    request = SigningRequest(
        method,
        URL(url),
        {},
        b"",
        None,
        Credential("bittrade", [key, secret]),
        topgun.FixedClock(at),
    )
    signed = sign_request(request)
    assert signed.url is not None and not signed.headers and signed.body is None
    return signed.url


def test_documented_worked_example() -> None:
    """Steps 1-8 of "署名処理": GET /v1/order/orders?order-id=1234567890 at 2017-05-11T15:19:30."""
    doc_key, doc_secret = "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx", "b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx"
    pairs = [
        ("order-id", "1234567890"),
        ("AccessKeyId", doc_key),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", "2017-05-11T15:19:30"),
    ]
    # Step 6 of the docs, verbatim.
    assert string_to_sign(
        "GET", "api-cloud.bittrade.co.jp", "/v1/order/orders", canonical_query(pairs)
    ) == (
        "GET\napi-cloud.bittrade.co.jp\n/v1/order/orders\n"
        "AccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx&SignatureMethod=HmacSHA256"
        "&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30&order-id=1234567890"
    )
    url = _signed_url(
        "GET",
        "https://api-cloud.bittrade.co.jp/v1/order/orders?order-id=1234567890",
        key=doc_key,
        secret=doc_secret,
        at=1494515970.0,
    )
    # Step 8: the same parameters plus Signature, percent-encoded.
    assert str(url) == (
        "https://api-cloud.bittrade.co.jp/v1/order/orders?AccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"
        "&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30"
        "&order-id=1234567890&Signature=ctyrHKLzTjiRZCq48Ynp8Pzu2AKjA%2F0m%2FvmehmljyIg%3D"
    )


def test_get_with_query_vector() -> None:
    url = _signed_url(
        "GET",
        "https://api-cloud.bittrade.co.jp/v1/order/orders?symbol=btcjpy&states=filled,canceled",
    )
    assert url.raw_query_string == (
        "AccessKeyId=bittrade-test-key&SignatureMethod=HmacSHA256&SignatureVersion=2"
        "&Timestamp=2023-11-14T22%3A13%3A20&states=filled%2Ccanceled&symbol=btcjpy"
        "&Signature=swTXFgu7YtsGpFGYn5vUh00W3qEOijXXCoc1s3%2Br1O8%3D"
    )


def test_post_signs_only_the_four_parameters() -> None:
    url = _signed_url("POST", "https://api-cloud.bittrade.co.jp/v1/order/orders/place")
    assert url.query["Signature"] == "37yCrLh+0QpT1YZBO8Eqo6USbdF0s5/zwXR0TUFZfTQ="
    assert url.path == "/v1/order/orders/place"


def test_signing_never_mutates_the_request_url() -> None:
    original = URL("https://api-cloud.bittrade.co.jp/v1/order/orders?symbol=btcjpy")
    request = SigningRequest(
        "GET",
        original,
        {},
        b"",
        None,
        Credential("bittrade", [KEY, SECRET]),
        topgun.FixedClock(NOW),
    )
    sign_request(request)
    assert str(request.url) == "https://api-cloud.bittrade.co.jp/v1/order/orders?symbol=btcjpy"


async def test_signed_get_with_params(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
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
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        result = await client.fetch(
            "POST", "https://api-cloud.bittrade.co.jp/v1/order/orders/place", data=order
        )
    assert result.data["status"] == "ok", result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order
    assert {k for k, _ in record["params"]} == {
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Signature",
    }


async def test_auth_none_and_missing_credentials_add_nothing(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        private = await client.fetch(
            "GET", "https://api-cloud.bittrade.co.jp/v1/account/accounts", auth=None
        )
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch(
            "GET",
            "https://api-cloud.bittrade.co.jp/market/detail/merged",
            params={"symbol": "btcjpy"},
        )
    assert private.data["err-msg"] == "missing"
    assert public.data["status"] == "ok"
    assert all(k not in {"AccessKeyId", "Signature"} for r in exchange.seen for k, _ in r["params"])


async def test_wrong_secret_is_rejected_and_never_logged(
    exchange: Any, registry: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-MUST-NOT-LEAK"
    async with topgun.Client(
        apis={"bittrade": [KEY, secret]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api-cloud.bittrade.co.jp/v1/account/accounts")
    assert result.data["err-msg"] == "Signature not valid"
    assert secret not in caplog.text


def test_malformed_credentials_fail_at_client(registry: Any) -> None:
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_KEY") as info:
        topgun.Client(apis={"bittrade": [KEY, "s3cret-value", "extra"]}, registry=registry)
    assert "s3cret-value" not in str(info.value)


@pytest.mark.parametrize("path", ["/market/detail/merged?symbol=btcjpy", "/v1/common/timestamp"])
async def test_public_endpoints_carry_no_access_key(
    exchange: Any, registry: Any, path: str
) -> None:
    """ "Public API" endpoints need no signature; the access key stays out of their URLs."""
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await client.fetch("GET", f"https://api-cloud.bittrade.co.jp{path}")
    assert exchange.seen[-1]["path_qs"] == path
