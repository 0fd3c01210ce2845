"""Binance HTTP signing beyond the conformance suite (test_binance_plugin.py holds the docs'
worked examples 1 to 3, the clock vector and the local-server checks): key-only endpoints, RSA
and Ed25519 keys, inputs left alone, form bodies, the listing.

Doc: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningError
from topgun.testing import Registry, exchanges_listing, signing_request, without_cryptography
from topgun_binance import keys, plugin
from topgun_binance.auth import sign_request

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
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
    return sign_request(signing_request(method, url, credential, body=body, data=data, clock=NOW))


def test_clock_offset_moves_the_timestamp() -> None:
    clock = topgun.FixedClock(NOW)
    clock.sync_to(NOW + 2.5)
    credential = Credential("binance", [KEY, SECRET])
    url = "https://api.binance.com/api/v3/account"
    signed = sign_request(signing_request("GET", url, credential, clock=clock))
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
    credential = Credential("binance", [KEY, SECRET])
    sign_request(
        signing_request(
            "POST", url, credential, body=b"side=BUY", data=data, headers=headers, clock=NOW
        )
    )
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
def test_pem_key_without_cryptography_names_the_extra(kind: str, binance_pem_keys: Any) -> None:
    key, pem = binance_pem_keys[kind]
    url = f"https://api.binance.com/api/v3/order?{PEM_PAYLOAD}"
    with (
        without_cryptography(keys._pem_key, keys._pem_signer),
        pytest.raises(SigningError, match=r"topgun-binance\[rsa\]") as info,
    ):
        _sign("POST", url, secret=pem, key=key)
    assert "PRIVATE KEY" not in str(info.value)


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
    async with binance_exchange.client(
        apis={"binance": [KEY, SECRET]}, registry=registry
    ) as client:
        result = await client.fetch(
            "GET", "https://api.binance.com/api/v3/openOrders", params={"symbol": "BTCUSDT"}
        )
    assert result.response.status == 200, result.text
    record = binance_exchange.seen[-1]
    assert record["verified"] and record["query"].startswith("symbol=BTCUSDT&timestamp=")


async def test_signed_post_sends_a_form_body(binance_exchange: Any, registry: Registry) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "0.1"}
    async with binance_exchange.client(
        apis={"binance": [KEY, SECRET]}, registry=registry
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
    async with binance_exchange.client(
        apis={"binancespot_testnet": [key, pem]}, registry=registry
    ) as client:
        result = await client.fetch(
            "POST",
            "https://testnet.binance.vision/api/v3/order",
            data={"symbol": "BTCUSDT", "side": "SELL"},
        )
    assert result.response.status == 200, result.text
    assert binance_exchange.seen[-1]["verified"]


async def test_listen_key_gets_only_the_api_key(binance_exchange: Any, registry: Registry) -> None:
    async with binance_exchange.client(
        apis={"binance": [KEY, SECRET]}, registry=registry
    ) as client:
        result = await client.fetch("POST", "https://api.binance.com/api/v3/userDataStream")
    assert result.data["listenKey"]
    record = binance_exchange.seen[-1]
    assert record["verified"] and record["query"] == ""
    assert record["headers"]["X-MBX-APIKEY"] == KEY


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match="PEM private key") as info:
        topgun.Client(apis={"binance": [KEY]}, registry=registry)
    assert KEY not in str(info.value)


def test_every_api_name_and_host_is_listed(registry: Registry) -> None:
    text = exchanges_listing(registry)
    for name in ("binance", "binancespot_testnet", "binancefuture_testnet"):
        assert f"api        {name}" in text
    for host in (
        *plugin.HTTP_HOSTS,
        *plugin.WS_API_HOSTS,
        "testnet.binance.vision",
        "testnet.binancefuture.com",
    ):
        assert host in text
    assert registry.hosts["api.binance.com"].host.body == "form"
