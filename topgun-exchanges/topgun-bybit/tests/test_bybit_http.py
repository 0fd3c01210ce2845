"""Bybit V5 HTTP signing: vectors from the documented recipe, and a local server reached as the real
Bybit hostnames that verifies signatures and the recv window itself.

Docs: https://bybit-exchange.github.io/docs/v5/guide ("Authentication" > "Create A Request").
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
from topgun_bybit.auth import sign_request

DOC_KEY = "XXXXXXXXXX"
VECTOR_SECRET = "bybit-test-secret"


def _sign(
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    at: float = 1658384314.791,
) -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        CIMultiDict(headers or {}),
        body,
        None,
        Credential("bybit", [DOC_KEY, VECTOR_SECRET]),
        topgun.FixedClock(at),
    )
    return dict(sign_request(request).headers)


# The guide's "An example for how to generate plain text to encrypt" publishes the plain text
# (timestamp 1658384314791, api_key XXXXXXXXXX, recv_window 5000, queryString
# category=option&symbol=BTC-29JUL22-25000-C) but no secret or signature. The digests below were
# computed independently: printf '%s' '<plain text>' | openssl dgst -sha256 -hmac bybit-test-secret
def test_get_vector_from_the_documented_plain_text() -> None:
    headers = _sign(
        "GET",
        "https://api-testnet.bybit.com/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C",
    )
    assert headers == {
        "X-BAPI-API-KEY": DOC_KEY,
        "X-BAPI-TIMESTAMP": "1658384314791",
        "X-BAPI-SIGN": "603cf75a23e0bd0a5226adb8f4f42accf1a7b89145fc1c05d3ec5f6855b26c67",
        "X-BAPI-RECV-WINDOW": "5000",
    }


def test_post_vector_signs_the_raw_body() -> None:
    # The guide's POST example: timestamp 1658385579423, raw_request_body {"category": "option"}
    # (sent compact, as topgun encodes JSON).
    headers = _sign(
        "POST",
        "https://api-testnet.bybit.com/v5/order/create",
        b'{"category":"option"}',
        at=1658385579.423,
    )
    assert headers["X-BAPI-TIMESTAMP"] == "1658385579423"
    assert (
        headers["X-BAPI-SIGN"] == "b8bed39e899617db7b635376d12dfaf45dd6a0c03b1baafb3c3b329ac1b47c5f"
    )


def test_get_without_query_signs_an_empty_payload() -> None:
    headers = _sign("GET", "https://api.bybit.com/v5/account/wallet-balance")
    assert (
        headers["X-BAPI-SIGN"] == "74afe48327c737a1762b822decb288864a3802bf73cbbe4e719df41202ede3a0"
    )


@pytest.mark.parametrize("name", ["X-BAPI-RECV-WINDOW", "x-bapi-recv-window"])
def test_callers_recv_window_is_signed_and_not_overridden(name: str) -> None:
    # Special case: the caller's recv window takes part in the signature. Hand-computed from
    # '1658385579423XXXXXXXXXX20000{"category":"option"}'.
    request_headers = {name: "20000"}
    headers = _sign(
        "POST",
        "https://api.bybit.com/v5/order/create",
        b'{"category":"option"}',
        headers=request_headers,
        at=1658385579.423,
    )
    assert (
        headers["X-BAPI-SIGN"] == "61f5c6655d523b8c1ce6a479b4576fcdc1d1ea244a565a22bdd2da55a34c9908"
    )
    assert "X-BAPI-RECV-WINDOW" not in headers  # the caller's header goes out as the caller set it
    assert request_headers == {name: "20000"}


def test_plain_dict_headers_are_read_case_insensitively() -> None:
    request = SigningRequest(
        "GET",
        URL("https://api.bybit.com/v5/account/wallet-balance"),
        {"x-bapi-recv-window": "3000"},
        b"",
        None,
        Credential("bybit", [DOC_KEY, VECTOR_SECRET]),
        topgun.FixedClock(1658384314.791),
    )
    assert "X-BAPI-RECV-WINDOW" not in sign_request(request).headers


@pytest.fixture
def client_for(exchange: Any, registry: Registry, bybit_keys: dict[str, tuple[str, str]]) -> Any:
    """A Client factory holding every environment's credentials, connected to the local server."""

    def make(**kwargs: Any) -> topgun.Client:
        apis = {name: list(pair) for name, pair in bybit_keys.items()}
        return topgun.Client(apis=apis, registry=registry, **exchange.client_kwargs(), **kwargs)

    return make


@pytest.mark.parametrize(
    "host", ["api.bybit.com", "api.bytick.com", "api-demo.bybit.com", "api-testnet.bybit.com"]
)
async def test_each_host_is_signed_with_its_own_credentials(
    exchange: Any, client_for: Any, host: str
) -> None:
    async with client_for() as client:
        result = await client.fetch(
            "GET",
            f"https://{host}/v5/position/list",
            params={"category": "linear", "symbol": "BTCUSDT"},
        )
    assert result.data["retCode"] == 0, result.data
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/v5/position/list?category=linear&symbol=BTCUSDT"
    assert record["headers"]["X-BAPI-RECV-WINDOW"] == "5000"


async def test_post_sends_and_signs_a_json_body(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "qty": "0.01"}
    async with client_for() as client:
        result = await client.fetch("POST", "https://api.bybit.com/v5/order/create", data=order)
    assert result.data["retCode"] == 0, result.data
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_callers_recv_window_reaches_the_server_signed(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    async with client_for() as client:
        result = await client.fetch(
            "POST",
            "https://api.bybit.com/v5/order/create",
            data={"category": "spot"},
            headers={"X-BAPI-RECV-WINDOW": "15000"},
        )
    assert result.data["retCode"] == 0, result.data
    assert exchange.seen[-1]["headers"]["X-BAPI-RECV-WINDOW"] == "15000"


async def test_a_skewed_clock_is_rejected_until_offset(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    # Documented in docs/advanced.rst ("Clock offset"): client.clock.offset / sync_to.
    async with client_for(clock=topgun.Clock(offset=-30.0)) as client:
        skewed = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
        client.clock.offset = 0.0
        fixed = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
    assert skewed.data["retCode"] == 10002
    assert fixed.data["retCode"] == 0


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    async with client_for() as client:
        opted_out = await client.fetch(
            "GET", "https://api.bybit.com/v5/account/wallet-balance", auth=None
        )
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://api.bybit.com/v5/market/time")
        private = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
    assert opted_out.data["retCode"] == 10003
    assert public.data["retCode"] == 0
    assert private.data["retCode"] == 10003
    for record in exchange.seen:
        assert not any(name.upper().startswith("X-BAPI-") for name in record["headers"])


async def test_wrong_secret_is_rejected_and_secrets_stay_out_of_logs(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "bybit-wrong-secret-DO-NOT-LEAK"
    async with topgun.Client(
        apis={"bybit": ["bybit-main-key", secret]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
        text = repr(client)
    assert result.data["retCode"] == 10004
    assert secret not in caplog.text and secret not in text


def test_credential_shape_is_checked_at_client_creation(registry: Registry) -> None:
    with pytest.raises(CredentialError, match=r"apis\['bybit_demo'\].*needs 2 strings") as info:
        topgun.Client(apis={"bybit_demo": ["only-a-key"]}, registry=registry)
    assert "demo trading" in str(info.value)


async def test_market_data_goes_without_credentials(exchange: Any, client_for: Any) -> None:
    # The guide's "Market" endpoints are public: no key leaves for them, even when loaded.
    async with client_for() as client:
        result = await client.fetch(
            "GET", "https://api.bybit.com/v5/market/tickers", params={"category": "spot"}
        )
    assert result.data["retCode"] == 0
    assert not any(name.upper().startswith("X-BAPI-") for name in exchange.seen[-1]["headers"])
