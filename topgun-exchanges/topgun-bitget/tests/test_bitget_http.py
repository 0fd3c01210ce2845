"""Bitget v2 HTTP beyond the conformance suite (test_bitget_plugin.py holds the vectors and the
local-server checks): the documented public example signed by the signing function itself,
headers kept, clock skew, the credential shape and the registration.

Docs: https://www.bitget.com/api-doc/common/signature ("HMAC" and its examples).
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import Registry, signing_request
from topgun_bitget.auth import sign_request, signed_headers

VECTOR_SECRET = "bitget-test-secret"


def _sign(
    method: str, url: str, body: bytes = b"", at: float = 0.0, headers: Any = None
) -> dict[str, str]:
    credential = Credential("bitget", ["bitget-key", VECTOR_SECRET, "bitget-pass"])
    request = signing_request(
        method, url, credential, body=body, headers=CIMultiDict(headers or {}), clock=at
    )
    return dict(signed_headers(request).headers)


# The signature page works this example through to the pre-sign string but publishes no secret or
# signature: '1591089508404GET/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20'. It is a public
# endpoint, so it is signed here with signed_headers (sign_request skips it); the signature was
# computed independently from exactly that string:
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


@pytest.fixture
def client_for(exchange: Any, registry: Registry, bitget_account: tuple[str, str, str]) -> Any:
    def make(**kwargs: Any) -> topgun.Client:
        apis = {"bitget": list(bitget_account)}
        return exchange.client(apis=apis, registry=registry, **kwargs)

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


async def test_a_skewed_clock_is_rejected_until_offset(exchange: Any, client_for: Any) -> None:
    # docs/advanced.rst ("Clock offset"): client.clock.offset / sync_to.
    async with client_for(clock=topgun.Clock(offset=-45.0)) as client:
        skewed = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
        client.clock.offset = 0.0
        fixed = await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
    assert skewed.data["code"] == "40008"
    assert fixed.data["code"] == "00000"


def test_two_element_credentials_are_rejected_clearly(registry: Registry) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"bitget": ["key", "secret-DO-NOT-LEAK"]}, registry=registry)
    message = str(info.value)
    assert "apis['bitget']" in message and "needs 3 strings" in message
    assert "PASSPHRASE" in message and "secret-DO-NOT-LEAK" not in message


def test_registration(registry: Registry) -> None:
    assert registry.apis["bitget"].fields == ("API_KEY", "API_SECRET", "PASSPHRASE")
    rest = registry.hosts["api.bitget.com"].host
    assert rest.signer is sign_request and rest.body == "json"
    ws = registry.hosts["ws.bitget.com"].host
    assert ws.api == "bitget" and ws.ws_authenticator is not None
    assert ws.ws_rate_limit is not None and ws.ws_heartbeat is not None
