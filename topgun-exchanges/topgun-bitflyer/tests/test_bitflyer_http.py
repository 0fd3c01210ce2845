"""bitFlyer HTTP signing: documented recipe vectors, and a local server reached as api.bitflyer.com."""

from __future__ import annotations

from typing import Any

import orjson
from yarl import URL

import topgun
from topgun.plugin import Credential, SigningRequest
from topgun_bitflyer.auth import sign_request

NOW = 1700000000.123
KEY = "bitflyer-test-key"
SECRET = "bitflyer-test-secret"


def _sign(method: str, url: str, body: bytes = b"") -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        {},
        body,
        None,
        Credential("bitflyer", [KEY, SECRET]),
        topgun.FixedClock(NOW),
    )
    return dict(sign_request(request).headers)


# Vectors computed independently with `openssl dgst -sha256 -hmac bitflyer-test-secret` from the
# recipe in https://lightning.bitflyer.com/docs?lang=en#authentication (bitFlyer publishes no
# worked numeric example): timestamp + method + path-with-query + body.
def test_get_with_query_vector() -> None:
    headers = _sign(
        "GET",
        "https://api.bitflyer.com/v1/me/getchildorders?product_code=BTC_JPY&child_order_state=ACTIVE",
    )
    assert headers == {
        "ACCESS-KEY": KEY,
        "ACCESS-TIMESTAMP": "1700000000123",
        "ACCESS-SIGN": "8746667a15d70bf99b79bf7ad7cdca771efe31c5f06fdd49b7eda1377e64c3d4",
    }


def test_post_with_body_vector() -> None:
    body = b'{"product_code":"BTC_JPY","child_order_type":"MARKET","side":"BUY","size":0.01}'
    headers = _sign("POST", "https://api.bitflyer.com/v1/me/sendchildorder", body)
    assert (
        headers["ACCESS-SIGN"] == "d8194aef0fd1c2a46a2d9cc4ab4a29404feb4cc57ec3d0c23741f193af8fb4a0"
    )


def test_no_params_vector() -> None:
    headers = _sign("GET", "https://api.bitflyer.com/v1/me/getbalance")
    assert (
        headers["ACCESS-SIGN"] == "d476076b47fec64c4173a658409a5f95da7e3a5919bc84715b7ad771734deb80"
    )


async def test_signed_get_with_params(exchange: Any, registry: Any) -> None:
    apis = {"bitflyer": [KEY, SECRET]}
    async with topgun.Client(apis=apis, registry=registry, **exchange.client_kwargs()) as client:
        result = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/me/getchildorders",
            params={"product_code": "BTC_JPY", "count": 1},
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/v1/me/getchildorders?product_code=BTC_JPY&count=1"


async def test_signed_post_sends_json_body(exchange: Any, registry: Any) -> None:
    order = {"product_code": "BTC_JPY", "child_order_type": "MARKET", "side": "BUY", "size": 0.01}
    async with topgun.Client(
        apis={"bitflyer": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "POST", "https://api.bitflyer.com/v1/me/sendchildorder", data=order
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_signed_without_params_and_with_base_url(exchange: Any, registry: Any) -> None:
    async with (
        topgun.Client(
            apis={"bitflyer": [KEY, SECRET]},
            base_url="https://api.bitflyer.com",
            registry=registry,
            **exchange.client_kwargs(),
        ) as client,
        client.get("/v1/me/getbalance") as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["ok"] is True
    assert exchange.seen[-1]["verified"]


async def test_auth_none_sends_no_credentials(exchange: Any, registry: Any) -> None:
    async with topgun.Client(
        apis={"bitflyer": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance", auth=None)
    assert result.response.status == 401
    assert not any(h.upper().startswith("ACCESS-") for h in exchange.seen[-1]["headers"])


async def test_without_credentials_requests_go_unsigned(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch(
            "GET", "https://api.bitflyer.com/v1/getticker", params={"product_code": "BTC_JPY"}
        )
        private = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
    assert public.data["product_code"] == "BTC_JPY"
    assert private.response.status == 401
    assert all(
        not any(h.upper().startswith("ACCESS-") for h in r["headers"]) for r in exchange.seen
    )


async def test_wrong_secret_is_rejected_by_the_server(exchange: Any, registry: Any) -> None:
    async with topgun.Client(
        apis={"bitflyer": [KEY, "wrong"]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
    assert result.response.status == 401
    assert result.data["error_message"] == "Invalid signature"
