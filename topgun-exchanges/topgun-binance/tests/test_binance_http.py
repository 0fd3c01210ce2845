"""Binance HTTP signing: the official worked examples, key types, special endpoints, a local server.

Doc: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security
("SIGNED Endpoint Examples for POST /api/v3/order", HMAC keys, examples 1 to 3).
"""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import quote

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningError, SigningRequest
from topgun.testing import Registry
from topgun_binance import keys
from topgun_binance.auth import sign_request

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
PARAMS = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
DOC_SIGNATURE_1_2 = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
DOC_SIGNATURE_3 = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
NOW = 1700000000.123


def _sign(
    method: str,
    url: str,
    body: bytes = b"",
    data: Any = None,
    secret: str = SECRET,
    extra: tuple[str, ...] = (),
    key: str = KEY,
) -> Any:
    credential = Credential("binance", [key, secret, *extra])
    request = SigningRequest(method, URL(url), {}, body, data, credential, topgun.FixedClock(NOW))
    return sign_request(request)


def _signature(url: URL) -> str:
    return url.raw_query_string.rpartition("signature=")[2]


def test_doc_example_1_request_body() -> None:
    # Example 1: every parameter in the form body; nothing in the query string.
    signed = _sign("POST", "https://api.binance.com/api/v3/order", PARAMS.encode(), data=PARAMS)
    assert signed.url is not None
    assert signed.url.raw_query_string == f"signature={DOC_SIGNATURE_1_2}"
    assert signed.headers == {"X-MBX-APIKEY": KEY}


def test_doc_example_2_query_string() -> None:
    signed = _sign("POST", f"https://api.binance.com/api/v3/order?{PARAMS}")
    assert str(signed.url) == (
        f"https://api.binance.com/api/v3/order?{PARAMS}&signature={DOC_SIGNATURE_1_2}"
    )


def test_doc_example_3_mixed_query_and_body() -> None:
    body = b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    signed = _sign(
        "POST",
        "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        body,
        data={"quantity": 1, "price": "0.1", "recvWindow": 5000, "timestamp": 1499827319559},
    )
    assert signed.url is not None
    assert _signature(signed.url) == DOC_SIGNATURE_3


def test_timestamp_comes_from_the_clock() -> None:
    # Hand-computed: echo -n "symbol=BTCUSDT&side=BUY&timestamp=1700000000123" |
    #   openssl dgst -sha256 -hmac "$SECRET"
    signed = _sign("GET", "https://fapi.binance.com/fapi/v1/order?symbol=BTCUSDT&side=BUY")
    assert signed.url is not None
    assert signed.url.raw_query_string == (
        "symbol=BTCUSDT&side=BUY&timestamp=1700000000123"
        "&signature=da71c4bf3fe23398b5f67e7424454fe03a41abc0e81c1d2a5aad8946f4fb00ee"
    )


def test_clock_offset_moves_the_timestamp() -> None:
    clock = topgun.FixedClock(NOW)
    clock.sync_to(NOW + 2.5)
    request = SigningRequest(
        "GET",
        URL("https://api.binance.com/api/v3/account"),
        {},
        b"",
        None,
        Credential("binance", [KEY, SECRET]),
        clock,
    )
    signed = sign_request(request)
    assert signed.url is not None
    assert "timestamp=1700000002623" in signed.url.raw_query_string


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/userDataStream",
        "/sapi/v1/userDataStream",
        "/sapi/v1/userDataStream/isolated",  # the reference library signs this one fully
        "/fapi/v1/listenKey",
        "/dapi/v1/listenKey",
        "/api/v3/historicalTrades",
    ],
)
def test_user_stream_and_market_data_endpoints_get_the_key_only(path: str) -> None:
    # Security types USER_STREAM / MARKET_DATA: "requires sending a valid API-Key", no signature.
    signed = _sign("POST", f"https://api.binance.com{path}?listenKey=abc")
    assert signed.headers == {"X-MBX-APIKEY": KEY}
    assert signed.url is None and signed.body is None


@pytest.mark.parametrize(
    "url",
    [
        "https://api.binance.com/api/v3/depth?symbol=BTCUSDT",
        "https://api.binance.com/api/v3/ticker/price",
        "https://fapi.binance.com/fapi/v1/premiumIndex",
        "https://fapi.binance.com/fapi/v1/indexInfo",
        "https://fapi.binance.com/fapi/v1/assetIndex",
        "https://fapi.binance.com/futures/data/openInterestHist?symbol=BTCUSDT&period=5m",
    ],
)
def test_public_endpoints_carry_no_credentials(url: str) -> None:
    signed = _sign("GET", url)
    assert dict(signed.headers) == {} and signed.url is None


def test_signed_endpoint_next_to_a_key_only_one_is_signed() -> None:
    # Decided by the documented path, not by a last-segment guess.
    signed = _sign("GET", "https://api.binance.com/sapi/v1/margin/isolated/account")
    assert signed.url is not None and "signature=" in signed.url.raw_query_string


def test_caller_timestamp_is_not_doubled() -> None:
    signed = _sign("GET", "https://api.binance.com/api/v3/account?timestamp=1&recvWindow=5000")
    assert signed.url is not None
    assert signed.url.raw_query_string.count("timestamp=") == 1


def test_inputs_are_not_mutated() -> None:
    url = URL("https://api.binance.com/api/v3/order?symbol=BTCUSDT")
    headers: dict[str, str] = {}
    data = {"side": "BUY"}
    request = SigningRequest(
        "POST",
        url,
        headers,
        b"side=BUY",
        data,
        Credential("binance", [KEY, SECRET]),
        topgun.FixedClock(NOW),
    )
    sign_request(request)
    assert str(url) == "https://api.binance.com/api/v3/order?symbol=BTCUSDT"
    assert headers == {} and data == {"side": "BUY"}


# RSA and Ed25519 keys: the docs publish the recipe but not the private key behind their examples,
# so these vectors come from throwaway keys (tests/keys) and openssl, independently of the code:
#   openssl pkeyutl -sign -inkey test-ed25519-private.pem -rawin -in payload | base64
#   openssl dgst -sha256 -sign test-rsa-private.pem payload | base64
PEM_PAYLOAD = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000"
ED25519_SIGNATURE = (
    "ikXe64uNNeLp1H2BgTPeGxzX3goVE75wLx/AAYyoTRbn9kgMs4CBiIUM2pwqKSNNFi+7xv4g5itad9AyobJ2Bw=="
)
RSA_SIGNATURE = (
    "ktLiObKhxqZxLepvgJx1/JBETYh1tm9J5zAmEKBmuPII3NbI6nwNkMmMdHon6/W2II97ZXndz11N61aXmMmJFqQBsaTSbOoR"
    "QjNt60+JM7/dCsZKzn6lUyq/xC2s6kC2CPHI4pVLZAM7F+DnQrH9xxPQnrT/IwpuFEYA1kwfjt1DSGwp2CIB99GtUWRS8S/1"
    "PTWMDTmqCEwlT8LP5oS8CXGzWf87di3GS4b3YOflRbNhs7yDnbimJHAiKcv6YNJmneRL+zzpR2iyVpua3h1ngO07gyifZyyo"
    "dc1NPHNUTPtrZGJlNMVa3WaLnA7sMkwDXg3HNwqsY47lxzyt5abdIg=="
)


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_pem_key_without_cryptography_names_the_extra(
    kind: str, binance_pem_keys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, pem = binance_pem_keys[kind]
    keys._pem_key.cache_clear()
    keys._pem_signer.cache_clear()
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    try:
        with pytest.raises(SigningError, match=r"topgun-binance\[rsa\]") as info:
            _sign(
                "POST", f"https://api.binance.com/api/v3/order?{PEM_PAYLOAD}", secret=pem, key=key
            )
        assert "PRIVATE KEY" not in str(info.value)
    finally:
        keys._pem_key.cache_clear()
        keys._pem_signer.cache_clear()


@pytest.mark.parametrize(
    ("kind", "expected"), [("ed25519", ED25519_SIGNATURE), ("rsa", RSA_SIGNATURE)]
)
def test_pem_key_signatures(kind: str, expected: str, binance_pem_keys: Any) -> None:
    key, pem = binance_pem_keys[kind]
    signed = _sign(
        "POST", f"https://api.binance.com/api/v3/order?{PEM_PAYLOAD}", secret=pem, key=key
    )
    assert signed.url is not None
    # base64 is percent-encoded in the query ("/" as %2F, "+" as %2B, "=" as %3D), as in the docs'
    # RSA example.
    assert signed.url.raw_query_string == f"{PEM_PAYLOAD}&signature={quote(expected, safe='')}"
    assert signed.headers == {"X-MBX-APIKEY": key}


def test_bad_pem_fails_without_showing_it() -> None:
    bad = "-----BEGIN PRIVATE KEY-----\nnot-a-key-DO-NOT-LEAK\n-----END PRIVATE KEY-----\n"
    with pytest.raises(SigningError) as info:
        _sign("GET", "https://api.binance.com/api/v3/account", secret=bad)
    assert "DO-NOT-LEAK" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


# -- through topgun.Client, against a local server that verifies as Binance documents -----------


async def test_signed_get(binance_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "GET", "https://api.binance.com/api/v3/openOrders", params={"symbol": "BTCUSDT"}
        )
    assert result.response.status == 200, result.text
    record = binance_exchange.seen[-1]
    assert record["verified"] and record["query"].startswith("symbol=BTCUSDT&timestamp=")


async def test_signed_post_sends_a_form_body(binance_exchange: Any, registry: Registry) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "0.1"}
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        result = await client.fetch("POST", "https://fapi.binance.com/fapi/v1/order", data=order)
    assert result.response.status == 200, result.text
    record = binance_exchange.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert record["body"] == b"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=0.1"


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
async def test_pem_keys_against_the_server(
    kind: str, binance_exchange: Any, registry: Registry, binance_pem_keys: Any
) -> None:
    key, pem = binance_pem_keys[kind]
    async with topgun.Client(
        apis={"binancespot_testnet": [key, pem]},
        registry=registry,
        **binance_exchange.client_kwargs(),
    ) as client:
        result = await client.fetch(
            "POST",
            "https://testnet.binance.vision/api/v3/order",
            data={"symbol": "BTCUSDT", "side": "SELL"},
        )
    assert result.response.status == 200, result.text
    assert binance_exchange.seen[-1]["verified"]


async def test_listen_key_gets_only_the_api_key(binance_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        result = await client.fetch("POST", "https://api.binance.com/api/v3/userDataStream")
    assert result.data["listenKey"]
    record = binance_exchange.seen[-1]
    assert record["verified"] and record["query"] == ""
    assert record["headers"]["X-MBX-APIKEY"] == KEY


async def test_public_endpoint_gets_no_key(binance_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        await client.fetch(
            "GET", "https://api.binance.com/api/v3/depth", params={"symbol": "BTCUSDT"}
        )
    record = binance_exchange.seen[-1]
    assert "X-MBX-APIKEY" not in record["headers"] and record["query"] == "symbol=BTCUSDT"


async def test_auth_none_and_missing_credentials(binance_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        off = await client.fetch("GET", "https://api.binance.com/api/v3/account", auth=None)
    async with topgun.Client(
        apis={}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        none = await client.fetch("GET", "https://api.binance.com/api/v3/account")
    assert off.response.status == 401 and none.response.status == 401
    assert all(
        "X-MBX-APIKEY" not in r["headers"] and "signature" not in r["query"]
        for r in binance_exchange.seen
    )


async def test_wrong_secret_is_rejected(binance_exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"binance": [KEY, "wrong"]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.binance.com/api/v3/account")
    assert result.data["code"] == -1022


async def test_secrets_never_logged(
    binance_exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with topgun.Client(
        apis={"binance": [KEY, SECRET]}, registry=registry, **binance_exchange.client_kwargs()
    ) as client:
        await client.fetch("GET", "https://api.binance.com/api/v3/account")
        shown = repr(client)
    assert SECRET not in caplog.text and SECRET not in shown


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="PEM private key") as info:
        topgun.Client(apis={"binance": [KEY]}, registry=registry)
    assert KEY not in str(info.value)
