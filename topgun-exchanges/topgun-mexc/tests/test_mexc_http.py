"""MEXC HTTP signing: spot v3 doc vectors, futures vectors by hand, both schemes against a server.

Spot: https://mexcdevelop.github.io/apidocs/spot_v3_en/ "SIGNED Endpoint Examples for POST
/api/v3/order". Futures: https://mexcdevelop.github.io/apidocs/contract_v1_en/ "Authentication
method" (no worked numeric example is published; vectors were computed with
``openssl dgst -sha256 -hmac``).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun.testing import Registry
from topgun_mexc.auth import java_url_encode, sign_futures_request, sign_request

KEY = "mx0aBYs33eIilxBWC5"
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
NOW = 1700000000.123
PARAMS = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"
)


def _sign(
    method: str, url: str, body: bytes = b"", data: Any = None, signer: Any = sign_request
) -> Any:
    credential = Credential("mexc", [KEY, SECRET])
    return signer(
        SigningRequest(method, URL(url), {}, body, data, credential, topgun.FixedClock(NOW))
    )


def test_spot_doc_example_2_query_string() -> None:
    # The docs print this payload twice; example 2's signature is the one openssl reproduces
    # (example 1 shows 323c96ab..., which does not match its own payload).
    signed = _sign("POST", f"https://api.mexc.com/api/v3/order?{PARAMS}")
    assert signed.url.raw_query_string == (
        f"{PARAMS}&signature=fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
    )
    assert signed.headers == {"X-MEXC-APIKEY": KEY} and signed.body is None


def test_spot_doc_example_3_mixed_query_and_raw_body() -> None:
    body = b"quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"
    signed = _sign(
        "POST", "https://api.mexc.com/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT", body, body
    )
    assert signed.url.raw_query_string.endswith(
        "&signature=d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
    )
    assert signed.body is None  # a raw body the caller built is sent as is


def test_spot_data_moves_to_the_query_string() -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": 1, "price": 11}
    signed = _sign("POST", "https://api.mexc.com/api/v3/order", orjson.dumps(order), order)
    # openssl: "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&timestamp=1700000000123"
    assert signed.url.raw_query_string == (
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&timestamp=1700000000123"
        "&signature=6250b423afaae0030a54a3423aa1652794a835b4c394722d46391d63276b8a9d"
    )
    assert signed.body == b""  # nothing is sent as a body, so nothing is mislabelled


def test_spot_batch_values_are_encoded_with_upper_case_hex() -> None:
    # "special symbols such as comma ... need to be URL encoded when signing (uppercase)"
    data = {"batchOrders": '[{"a":1},{"b":2}]'}
    signed = _sign("POST", "https://api.mexc.com/api/v3/batchOrders", orjson.dumps(data), data)
    assert signed.url.raw_query_string == (
        "batchOrders=%5B%7B%22a%22%3A1%7D%2C%7B%22b%22%3A2%7D%5D&timestamp=1700000000123"
        "&signature=4d1f0219286ad6d10ec5b70a0e1ddf31a95d241b04b4662aaea9009e2e975fcc"
    )


def test_spot_public_endpoint_is_not_signed() -> None:
    signed = _sign("GET", "https://api.mexc.com/api/v3/depth?symbol=BTCUSDT")
    assert dict(signed.headers) == {} and signed.url is None


def test_futures_get_vector() -> None:
    signed = _sign(
        "GET",
        "https://contract.mexc.com/api/v1/private/order/list/history_orders?symbol=BTC_USDT&states=3,4&page_size=10",
        signer=sign_futures_request,
    )
    # openssl: KEY + "1700000000123" + "page_size=10&states=3%2C4&symbol=BTC_USDT"
    assert signed.headers == {
        "ApiKey": KEY,
        "Request-Time": "1700000000123",
        "Signature": "cd8dfa9695cd09a8c49908bf31dcf6f767cfaea9c34d5e074e2f816e450fc74c",
        "Content-Type": "application/json",
    }
    assert signed.url is None


def test_futures_post_vector() -> None:
    body = b'{"symbol":"BTC_USDT","price":50000,"vol":1,"side":1,"type":1,"openType":1}'
    signed = _sign(
        "POST",
        "https://contract.mexc.com/api/v1/private/order/submit",
        body,
        signer=sign_futures_request,
    )
    assert (
        signed.headers["Signature"]
        == "2e139fac8a1806a77fa653a6772aaf2d45e63a5d1483a4a0cd86568b1c471142"
    )


def test_futures_scheme_on_api_host_and_public_paths() -> None:
    on_api = _sign("GET", "https://api.mexc.com/api/v1/private/account/assets")
    assert "Signature" in on_api.headers and on_api.url is None
    public = _sign(
        "GET",
        "https://contract.mexc.com/api/v1/contract/depth/BTC_USDT",
        signer=sign_futures_request,
    )
    assert dict(public.headers) == {}


def test_java_url_encoding() -> None:
    assert java_url_encode("a b,c~d*e.f-g_h/") == "a%20b%2Cc%7Ed*e.f-g_h%2F"


# -- through topgun.Client, against the verifying local server --------------------------------


async def test_spot_signed_post(mexc_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"mexc": [KEY, SECRET]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "POST",
            "https://api.mexc.com/api/v3/order",
            data={"symbol": "BTCUSDT", "side": "BUY", "quantity": "1 2"},
        )
    assert result.response.status == 200, result.text
    record = mexc_exchange.seen[-1]
    assert record["verified"] and record["body"] == b""
    assert record["query"].startswith("symbol=BTCUSDT&side=BUY&quantity=1%202&timestamp=")


async def test_spot_signed_get_with_params(mexc_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"mexc": [KEY, SECRET]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "GET", "https://api.mexc.com/api/v3/openOrders", params={"symbol": "BTCUSDT"}
        )
    assert result.response.status == 200, result.text
    assert mexc_exchange.seen[-1]["verified"]


async def test_futures_get_and_post(mexc_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"mexc": [KEY, SECRET]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        got = await client.fetch(
            "GET",
            "https://contract.mexc.com/api/v1/private/order/list/history_orders",
            params={"symbol": "BTC_USDT", "states": "3,4", "note": "a b~"},
        )
        posted = await client.fetch(
            "POST",
            "https://contract.mexc.com/api/v1/private/order/submit",
            data={"symbol": "BTC_USDT", "vol": 1},
        )
    assert got.data["success"] and posted.data["success"], (got.text, posted.text)
    post = mexc_exchange.seen[-1]
    assert post["verified"] and post["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(post["body"]) == {"symbol": "BTC_USDT", "vol": 1}


async def test_auth_none_missing_credentials_and_wrong_secret(
    mexc_exchange: Any, registry: Registry
) -> None:
    async with topgun.Client(
        apis={"mexc": [KEY, SECRET]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        off = await client.fetch(
            "GET", "https://contract.mexc.com/api/v1/private/account/assets", auth=None
        )
    async with topgun.Client(apis={}, registry=registry, **mexc_exchange.client_kwargs()) as client:
        none = await client.fetch("GET", "https://api.mexc.com/api/v3/account")
    async with topgun.Client(
        apis={"mexc": [KEY, "wrong"]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        wrong = await client.fetch("GET", "https://contract.mexc.com/api/v1/private/account/assets")
    assert off.data["code"] == 401 and none.response.status == 400 and wrong.data["code"] == 602
    for record in mexc_exchange.seen[:2]:
        assert not {"ApiKey", "Signature", "X-MEXC-APIKEY"} & set(record["headers"])


async def test_secrets_never_logged(
    mexc_exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with topgun.Client(
        apis={"mexc": [KEY, SECRET]}, registry=registry, **mexc_exchange.client_kwargs()
    ) as client:
        await client.fetch("GET", "https://api.mexc.com/api/v3/account")
        shown = repr(client)
    assert SECRET not in caplog.text and SECRET not in shown


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_KEY"):
        topgun.Client(apis={"mexc": [KEY, SECRET, "extra"]}, registry=registry)
