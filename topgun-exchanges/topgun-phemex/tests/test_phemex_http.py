"""Phemex REST signing: the three signature examples of https://phemex-docs.github.io/ ("Contract
REST API" > "Endpoint security type"), and a local server reached as api/vapi/testnet-api.phemex.com
that recomputes every signature itself.

The docs publish the signed strings but no key, secret or resulting signature, so the vectors
below were computed independently from those strings with
``printf '<signed string>' | openssl dgst -sha256 -hmac phemex-test-secret``.
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
from topgun_phemex.auth import EXPIRY_IN, sign_request, signed_text

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"


def _sign_at(expiry: int, method: str, url: str, body: bytes = b"") -> dict[str, str]:
    clock = topgun.FixedClock(expiry - EXPIRY_IN + 0.5)
    request = SigningRequest(
        method, URL(url), {}, body, None, Credential("phemex", [KEY, SECRET]), clock
    )
    return dict(sign_request(request).headers)


def test_doc_example_1_get() -> None:
    headers = _sign_at(
        1575735514, "GET", "https://api.phemex.com/accounts/accountPositions?currency=BTC"
    )
    assert headers == {
        "x-phemex-access-token": KEY,
        "x-phemex-request-expiry": "1575735514",
        # signed string: /accounts/accountPositionscurrency=BTC1575735514
        "x-phemex-request-signature": "360495b0b975ad69a13aabc5fa914d9bddae50dd1982a1d0b3ed5cd1f8ad1328",
    }


def test_doc_example_2_get_with_repeated_query_keys() -> None:
    url = (
        "https://api.phemex.com/orders/activeList"
        "?ordStatus=New&ordStatus=PartiallyFilled&ordStatus=Untriggered&symbol=BTCUSD"
    )
    assert signed_text(URL(url).raw_path, URL(url).raw_query_string, 1575735951) == (
        b"/orders/activeListordStatus=New&ordStatus=PartiallyFilled&ordStatus=Untriggered"
        b"&symbol=BTCUSD1575735951"
    )
    headers = _sign_at(1575735951, "GET", url)
    assert (
        headers["x-phemex-request-signature"]
        == "e392de2dabb60dbbf590e379956394fcdc965929d3718e7ac6d3a71d0a8e3203"
    )


def test_doc_example_3_post() -> None:
    body = (
        b'{"symbol":"BTCUSD","clOrdID":"uuid-1573058952273","side":"Sell","priceEp":93185000,'
        b'"orderQty":7,"ordType":"Limit","reduceOnly":false,"timeInForce":"GoodTillCancel",'
        b'"takeProfitEp":0,"stopLossEp":0}'
    )
    headers = _sign_at(1575735514, "POST", "https://api.phemex.com/orders", body)
    assert (
        headers["x-phemex-request-signature"]
        == "5f89ba777b39d930914da1e3d4eaae086148706cf8e2abc3e0a70bb5d227cbda"
    )


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
    async with topgun.Client(
        apis={api: [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", f"https://{host}/orders/activeList", params=params)
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == host
    assert "%25" in record["path_qs"]  # the server saw, and verified, the encoded query


async def test_signed_put_and_post(exchange: Any, registry: Registry) -> None:
    order = {"symbol": "BTCUSD", "clOrdID": "uuid-1", "side": "Sell", "orderQty": 7}
    async with topgun.Client(
        apis={"phemex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        posted = await client.fetch("POST", "https://api.phemex.com/orders", data=order)
        put = await client.fetch(
            "PUT",
            "https://api.phemex.com/orders/create",
            params={"clOrdID": "x", "symbol": "BTCUSD"},
        )
    assert posted.response.status == 200, posted.text
    assert put.response.status == 200, put.text
    post_record = exchange.seen[-2]
    assert post_record["verified"] and orjson.loads(post_record["body"]) == order
    assert post_record["headers"]["Content-Type"] == "application/json"


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, registry: Registry
) -> None:
    async with topgun.Client(
        apis={"phemex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        unsigned = await client.fetch(
            "GET", "https://api.phemex.com/accounts/accountPositions", auth=None
        )
        testnet = await client.fetch(
            "GET", "https://testnet-api.phemex.com/accounts/accountPositions"
        )
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://api.phemex.com/public/time")
    assert unsigned.response.status == 401 and testnet.response.status == 401
    assert public.data["code"] == 0
    assert not any(
        name.lower().startswith("x-phemex-")
        for record in exchange.seen
        for name in record["headers"]
    )


async def test_wrong_secret_is_rejected_and_never_logged(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with topgun.Client(
        apis={"phemex": [KEY, "not-the-secret"]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.phemex.com/accounts/accountPositions")
    assert result.data["msg"] == "invalid signature"
    assert "not-the-secret" not in caplog.text


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="phemex"):
        topgun.Client(apis={"phemex": ["key", "secret", "extra"]}, registry=registry)
