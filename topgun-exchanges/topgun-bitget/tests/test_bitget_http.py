"""Bitget v2 HTTP signing: the docs' worked pre-sign strings, and a local server reached as
api.bitget.com that verifies signatures, passphrase and timestamp itself.

Docs: https://www.bitget.com/api-doc/common/signature ("HMAC" and its examples).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from multidict import CIMultiDict
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun.testing import Registry
from topgun_bitget.auth import sign_request, signed_headers

VECTOR_SECRET = "bitget-test-secret"


def _sign(
    method: str, url: str, body: bytes = b"", at: float = 0.0, headers: Any = None
) -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        CIMultiDict(headers or {}),
        body,
        None,
        Credential("bitget", ["bitget-key", VECTOR_SECRET, "bitget-pass"]),
        topgun.FixedClock(at),
    )
    return dict(signed_headers(request).headers)


# The signature page works two examples through to the pre-sign string but publishes no secret or
# signature: '1591089508404GET/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20' and
# '1561022985382POST/api/v2/mix/order/place-order{"symbol":"BTCUSDT","quantity":"8",...}'.
# The signatures below were computed independently from exactly those strings:
#   printf '%s' '<pre-sign string>' | openssl dgst -sha256 -hmac bitget-test-secret -binary | base64
def test_get_vector_from_the_documented_example() -> None:
    headers = _sign(
        "GET",
        "https://api.bitget.com/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20",
        at=1591089508.404,
    )
    assert headers == {
        "ACCESS-KEY": "bitget-key",
        "ACCESS-SIGN": "yoELxDiBn0QMmUK86yNhAEb2O0IOHLXUOqz5uVXcYo0=",
        "ACCESS-TIMESTAMP": "1591089508404",
        "ACCESS-PASSPHRASE": "bitget-pass",
        "Content-Type": "application/json",
    }


def test_post_vector_from_the_documented_example() -> None:
    body = (
        b'{"symbol":"BTCUSDT","quantity":"8","side":"buy","price":"1","orderType":"limit",'
        b'"clientOrderId":"ww#123456"}'
    )
    headers = _sign(
        "POST",
        "https://api.bitget.com/api/v2/mix/order/place-order",
        body,
        at=1561022985.382,
        headers={"Content-Type": "application/json"},
    )
    assert headers["ACCESS-SIGN"] == "BMB3ks6c5ycQGAs5tEjjCDA7vrQfQt/nr8NAl+K676Y="
    assert "Content-Type" not in headers  # the body's own content type is left alone


def test_the_documented_public_example_is_not_signed_in_practice() -> None:
    # The docs' GET example is a public market endpoint: sign_request sends no key there.
    request = SigningRequest(
        "GET",
        URL("https://api.bitget.com/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20"),
        CIMultiDict(),
        b"",
        None,
        Credential("bitget", ["bitget-key", VECTOR_SECRET, "bitget-pass"]),
        topgun.FixedClock(1591089508.404),
    )
    assert dict(sign_request(request).headers) == {}


def test_no_query_means_no_question_mark() -> None:
    headers = _sign("GET", "https://api.bitget.com/api/v2/spot/account/assets", at=1561022985.382)
    assert headers["ACCESS-SIGN"] == "r4wN6TzALn6MPT7dU+xtCV+shF3QTZ5oV6rEFXMQ+9U="


@pytest.fixture
def client_for(exchange: Any, registry: Registry, bitget_account: tuple[str, str, str]) -> Any:
    def make(**kwargs: Any) -> topgun.Client:
        apis = {"bitget": list(bitget_account)}
        return topgun.Client(apis=apis, registry=registry, **exchange.client_kwargs(), **kwargs)

    return make


async def test_get_with_params_is_signed(exchange: Any, client_for: Any) -> None:
    async with client_for() as client:
        result = await client.fetch(
            "GET",
            "https://api.bitget.com/api/v2/spot/trade/unfilled-orders",
            params={"symbol": "BTCUSDT", "limit": 20},
            headers={"locale": "en-US"},
        )
    assert result.data["code"] == "00000", result.data
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/api/v2/spot/trade/unfilled-orders?symbol=BTCUSDT&limit=20"
    assert record["headers"]["Content-Type"] == "application/json"
    assert record["headers"]["locale"] == "en-US"


async def test_post_sends_and_signs_a_json_body(exchange: Any, client_for: Any) -> None:
    order = {"symbol": "BTCUSDT", "side": "buy", "orderType": "limit", "price": "1", "size": "1"}
    async with client_for() as client:
        result = await client.fetch(
            "POST", "https://api.bitget.com/api/v2/spot/trade/place-order", data=order
        )
    assert result.data["code"] == "00000", result.data
    record = exchange.seen[-1]
    assert record["verified"]
    assert orjson.loads(record["body"]) == order


async def test_a_skewed_clock_is_rejected_until_offset(exchange: Any, client_for: Any) -> None:
    # docs/advanced.rst ("Clock offset"): client.clock.offset / sync_to.
    async with client_for(clock=topgun.Clock(offset=-45.0)) as client:
        skewed = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
        client.clock.offset = 0.0
        fixed = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
    assert skewed.data["code"] == "40008"
    assert fixed.data["code"] == "00000"


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    async with client_for() as client:
        opted_out = await client.fetch(
            "GET", "https://api.bitget.com/api/v2/spot/account/assets", auth=None
        )
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://api.bitget.com/api/v2/public/time")
        private = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
    assert opted_out.data["code"] == "40006"
    assert public.data["code"] == "00000"
    assert private.data["code"] == "40006"
    for record in exchange.seen:
        assert not any(name.upper().startswith("ACCESS-") for name in record["headers"])


async def test_wrong_secret_is_rejected_and_secrets_stay_out_of_logs(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "bitget-wrong-secret-DO-NOT-LEAK"
    passphrase = "bitget-pass-DO-NOT-LEAK"
    async with topgun.Client(
        apis={"bitget": ["bitget-key", secret, passphrase]},
        registry=registry,
        **exchange.client_kwargs(),
    ) as client:
        result = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
        text = repr(client)
    assert result.data["code"] == "40009"
    for value in (secret, passphrase):
        assert value not in caplog.text and value not in text


def test_two_element_credentials_are_rejected_clearly(registry: Registry) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"bitget": ["key", "secret-DO-NOT-LEAK"]}, registry=registry)
    message = str(info.value)
    assert "apis['bitget']" in message and "needs 3 strings" in message
    assert "PASSPHRASE" in message and "secret-DO-NOT-LEAK" not in message


@pytest.mark.parametrize(
    "path", ["/api/v2/public/time", "/api/v2/spot/market/tickers", "/api/v2/mix/market/ticker"]
)
async def test_public_endpoints_go_without_credentials(
    exchange: Any, client_for: Any, path: str
) -> None:
    async with client_for() as client:
        await client.fetch("GET", f"https://api.bitget.com{path}")
    assert not any(name.upper().startswith("ACCESS-") for name in exchange.seen[-1]["headers"])
