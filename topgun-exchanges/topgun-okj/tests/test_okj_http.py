"""OKJ HTTP signing: a vector OKJ's official SDK publishes, hand-computed vectors, and local OKJ
hosts (www.okcoin.jp for V3, api.okj.com for V5) that verify signatures.

Recipe: OKJ API guide, REST "Authentication" (https://dev.okj.com/apidoc/v3/en/ and
https://dev.okj.com/apidoc/v5/en/): base64 HMAC-SHA256 of timestamp + METHOD + path?query + body,
ISO-8601 UTC millisecond timestamps. Hand vectors: ``printf '%s' MESSAGE | openssl dgst -sha256
-hmac okj-test-secret -binary | base64`` at 2023-11-14T22:13:20.123Z.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun_okj.auth import iso_timestamp, sign_request

NOW = 1700000000.123
KEY = "okj-test-key"
SECRET = "okj-test-secret"
PASSPHRASE = "okj-test-passphrase"
APIS = {"okj": [KEY, SECRET, PASSPHRASE]}


def _sign(
    method: str, url: str, body: bytes = b"", *, secret: str = SECRET, at: float = NOW
) -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        {},
        body,
        None,
        Credential("okj", [KEY, secret, PASSPHRASE]),
        topgun.FixedClock(at),
    )
    return dict(sign_request(request).headers)


def test_sdk_published_vector() -> None:
    """okcoinjapan/V3-Open-API-SDK, okcoin-go-sdk-api/utils.go, comments of PreHashString and
    HmacSha256Base64Signer: timestamp 2018-03-08T10:59:25.789Z, POST, /orders?before=2&limit=30,
    secret E65791902180E9EF4510DB6A77F6EBAE -> TO6uwdqz+31SIPkd4I+9NiZGmVH74dXi+Fd5X0EzzSQ=.
    (The comment's body reads BTC-JPY, but that digest is of the BTC-USD-0309 body it inherited
    from OKEx's SDK; with the BTC-JPY body the digest differs.)"""
    body = b'{"product_id":"BTC-USD-0309","order_id":"377454671037440"}'
    headers = _sign(
        "POST",
        "https://www.okcoin.jp/orders?before=2&limit=30",
        body,
        secret="E65791902180E9EF4510DB6A77F6EBAE",
        at=1520506765.789,
    )
    assert headers["OK-ACCESS-TIMESTAMP"] == "2018-03-08T10:59:25.789Z"
    assert headers["OK-ACCESS-SIGN"] == "TO6uwdqz+31SIPkd4I+9NiZGmVH74dXi+Fd5X0EzzSQ="


def test_get_vector() -> None:
    assert _sign("GET", "https://www.okcoin.jp/api/spot/v3/accounts") == {
        "OK-ACCESS-KEY": KEY,
        "OK-ACCESS-SIGN": "grtKnKeVLzUeSbnALfCbyzVHkkmeLnkU79wfV2HMFT8=",
        "OK-ACCESS-TIMESTAMP": "2023-11-14T22:13:20.123Z",
        "OK-ACCESS-PASSPHRASE": PASSPHRASE,
    }


def test_get_with_query_vector() -> None:
    headers = _sign("GET", "https://www.okcoin.jp/api/spot/v3/orders?instrument_id=BTC-JPY&state=2")
    assert headers["OK-ACCESS-SIGN"] == "k2vJDrkOOIuvjCC4MrZWs/HjPrvuimkeudMv4sP2Soo="


def test_post_vector() -> None:
    body = (
        b'{"type":"limit","side":"buy","instrument_id":"BTC-JPY","size":"0.001","price":"3000000"}'
    )
    headers = _sign("POST", "https://www.okcoin.jp/api/spot/v3/orders", body)
    assert headers["OK-ACCESS-SIGN"] == "UfujCqH8k6rOrVRexgtJaVHWSJ9ir0DracS5WQsnbOk="


def test_v5_vector() -> None:
    headers = _sign("GET", "https://api.okj.com/api/v5/account/balance?ccy=BTC")
    assert headers["OK-ACCESS-SIGN"] == "85IKiH8JPosU2Eh9WLn1/gaJ2a3ikUfp6ABtGXTiQWs="


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


async def test_v3_signed_get_with_params(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        result = await client.fetch(
            "GET",
            "https://www.okcoin.jp/api/spot/v3/orders",
            params={"instrument_id": "BTC-JPY", "state": 2},
        )
    assert result.response.status == 200, result.text
    assert exchange.seen[-1]["verified"]
    assert exchange.seen[-1]["path_qs"] == "/api/spot/v3/orders?instrument_id=BTC-JPY&state=2"


async def test_v3_signed_post_sends_json(exchange: Any, registry: Any) -> None:
    order = {
        "type": "limit",
        "side": "buy",
        "instrument_id": "BTC-JPY",
        "size": "0.001",
        "price": "3000000",
    }
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        result = await client.fetch("POST", "https://www.okcoin.jp/api/spot/v3/orders", data=order)
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_v5_signed_get(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        result = await client.fetch(
            "GET", "https://api.okj.com/api/v5/account/balance", params={"ccy": "BTC"}
        )
    assert result.response.status == 200, result.text
    assert exchange.seen[-1]["verified"] and exchange.seen[-1]["host"] == "api.okj.com"


async def test_auth_none_and_missing_credentials_send_nothing(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        private = await client.fetch("GET", "https://www.okcoin.jp/api/spot/v3/accounts", auth=None)
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://www.okcoin.jp/api/spot/v3/instruments")
    assert private.response.status == 401
    assert public.data == [{"instrument_id": "BTC-JPY"}]
    assert all(
        not any(h.upper().startswith("OK-ACCESS") for h in r["headers"]) for r in exchange.seen
    )


async def test_wrong_secret_is_rejected_and_never_logged(
    exchange: Any, registry: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret, passphrase = "wrong-secret-MUST-NOT-LEAK", "passphrase-MUST-NOT-LEAK"
    async with topgun.Client(
        apis={"okj": [KEY, secret, PASSPHRASE]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://www.okcoin.jp/api/spot/v3/accounts")
    assert result.response.status == 401 and result.data["message"] == "Invalid Sign"
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"okj": [KEY, secret, passphrase, "extra"]}, registry=registry)
    for shown in (caplog.text, str(info.value)):
        assert secret not in shown and passphrase not in shown


def test_two_element_credentials_are_rejected_clearly(registry: Any) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"okj": [KEY, "s3cret-value"]}, registry=registry)
    message = str(info.value)
    assert "okj" in message and "PASSPHRASE" in message and "passphrase" in message.lower()
    assert "s3cret-value" not in message
