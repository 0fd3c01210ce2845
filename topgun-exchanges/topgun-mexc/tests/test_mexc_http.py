"""MEXC HTTP signing beyond the conformance suite (test_mexc_plugin.py holds the spot doc vectors,
the futures vectors and the local-server checks): which scheme each path takes, Java URL
encoding, and requests with awkward values through the Client.

Spot: https://mexcdevelop.github.io/apidocs/spot_v3_en/ ; futures:
https://mexcdevelop.github.io/apidocs/contract_v1_en/ "Authentication method".
"""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import Registry, assert_json_body, signing_request
from topgun_mexc.auth import java_url_encode, sign_futures_request, sign_request

KEY = "mx0aBYs33eIilxBWC5"
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
NOW = 1700000000.123


def _sign(
    method: str, url: str, body: bytes = b"", data: Any = None, signer: Any = sign_request
) -> Any:
    credential = Credential("mexc", [KEY, SECRET])
    return signer(signing_request(method, url, credential, body=body, data=data, clock=NOW))


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


async def _accepted(
    exchange: Any, registry: Registry, method: str, url: str, **kwargs: Any
) -> dict[str, Any]:
    """Send one request; the local MEXC must answer 200 and verify its signature. Returns what
    the exchange recorded of it."""
    async with exchange.client(apis={"mexc": [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch(method, url, **kwargs)
    assert result.response.status == 200, result.text
    record: dict[str, Any] = exchange.seen[-1]
    assert record["verified"]
    return record


async def test_spot_signed_post(mexc_exchange: Any, registry: Registry) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "1 2"}
    url = "https://api.mexc.com/api/v3/order"
    record = await _accepted(mexc_exchange, registry, "POST", url, data=order)
    assert record["body"] == b""
    assert record["query"].startswith("symbol=BTCUSDT&side=BUY&quantity=1%202&timestamp=")


async def test_spot_signed_get_with_params(mexc_exchange: Any, registry: Registry) -> None:
    url = "https://api.mexc.com/api/v3/openOrders"
    record = await _accepted(mexc_exchange, registry, "GET", url, params={"symbol": "BTCUSDT"})
    assert record["query"].startswith("symbol=BTCUSDT&timestamp=")


async def test_futures_get_and_post(mexc_exchange: Any, registry: Registry) -> None:
    async with mexc_exchange.client(apis={"mexc": [KEY, SECRET]}, registry=registry) as client:
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
    assert_json_body(mexc_exchange.seen[-1], {"symbol": "BTC_USDT", "vol": 1})


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_KEY"):
        topgun.Client(apis={"mexc": [KEY, SECRET, "extra"]}, registry=registry)
