"""Binance WebSocket: WebSocket API request signing, stream send limits, no application heartbeat.

Doc: https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security
("SIGNED request example (HMAC)"); limits: web-socket-streams "WebSocket Limits" (spot, 5/s) and
the USDⓈ-M / COIN-M "Websocket Market Streams" pages (10/s).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, MessageSigningRequest, RateLimit
from topgun.testing import Registry
from topgun_binance.ws import authenticate, sign_message

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
WS_API = "wss://ws-api.binance.com:443/ws-api/v3"
NOW = 1700000000.123

DOC_REQUEST = {
    "id": "4885f793-e5ad-4c3b-8f6c-55d891472b71",
    "method": "order.place",
    "params": {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01000000",
        "price": "52000.00",
        "newOrderRespType": "ACK",
        "recvWindow": 100,
        "timestamp": 1645423376532,
        "apiKey": KEY,
    },
}
DOC_SIGNATURE = "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"


def _sign(message: Any, url: str = WS_API, secret: str = SECRET, key: str = KEY) -> Any:
    return sign_message(
        MessageSigningRequest(
            message, URL(url), Credential("binance", [key, secret]), topgun.FixedClock(NOW)
        )
    )


def test_doc_example_signature() -> None:
    caller = copy.deepcopy(DOC_REQUEST)
    signed = _sign(caller)
    assert signed["params"]["signature"] == DOC_SIGNATURE
    assert signed["id"] == DOC_REQUEST["id"] and signed["method"] == "order.place"
    assert caller == DOC_REQUEST  # the caller's message is left as it was


def test_api_key_and_timestamp_are_added() -> None:
    signed = _sign({"id": 1, "method": "account.status", "params": {"omitZeroBalances": True}})
    params = signed["params"]
    assert params["apiKey"] == KEY and params["timestamp"] == 1700000000123
    # Hand-computed: echo -n "apiKey=$KEY&omitZeroBalances=true&timestamp=1700000000123" |
    #   openssl dgst -sha256 -hmac "$SECRET"
    assert params["signature"] == "888945b33e2016370ffe26692e431620d8838f2b3a7d0a205f7309c84dd74faf"


def test_versioned_method_and_missing_params_are_signed() -> None:
    signed = _sign({"id": 2, "method": "v3/account.status"})
    assert set(signed["params"]) == {"apiKey", "timestamp", "signature"}


@pytest.mark.parametrize("method", ["ping", "time", "depth", "ticker.price", "session.status"])
def test_public_methods_are_not_signed(method: str) -> None:
    message = {"id": 3, "method": method, "params": {"symbol": "BTCUSDT"}}
    assert _sign(message) is message


@pytest.mark.parametrize("method", ["userDataStream.start", "userDataStream.ping"])
def test_user_stream_methods_get_the_key_only(method: str) -> None:
    signed = _sign({"id": 4, "method": method, "params": {"listenKey": "abc"}})
    assert signed["params"] == {"listenKey": "abc", "apiKey": KEY}


def test_stream_connections_and_other_messages_are_left_alone() -> None:
    subscribe = {"method": "SUBSCRIBE", "params": ["btcusdt@depth"], "id": 1}
    assert _sign(subscribe, "wss://testnet.binance.vision/ws") is subscribe
    order = {"id": 5, "method": "order.place", "params": {"symbol": "BTCUSDT"}}
    assert _sign(order, "wss://testnet.binance.vision/ws/btcusdt@trade") is order
    assert _sign("plain text") == "plain text"
    presigned = {"id": 6, "method": "order.place", "params": {"signature": "mine"}}
    assert _sign(presigned) is presigned


def test_futures_ws_api_is_signed_the_same_way() -> None:
    signed = _sign(copy.deepcopy(DOC_REQUEST), "wss://ws-fapi.binance.com/ws-fapi/v1")
    assert signed["params"]["signature"] == DOC_SIGNATURE


def test_ed25519_ws_signature_verifies(binance_pem_keys: Any, binance_verify: Any) -> None:
    key, pem = binance_pem_keys["ed25519"]
    signed = _sign(
        {"id": 7, "method": "order.test", "params": {"symbol": "BTCUSDT"}}, key=key, secret=pem
    )
    params = signed["params"]
    payload = f"apiKey={key}&symbol=BTCUSDT&timestamp=1700000000123".encode()
    assert binance_verify(key, payload, params["signature"])  # base64, not percent-encoded


def test_stream_send_limits(registry: Registry) -> None:
    spot = RateLimit(messages=5, per_seconds=1.0)
    futures = RateLimit(messages=10, per_seconds=1.0)
    for host in ("stream.binance.com", "stream.testnet.binance.vision"):
        assert registry.hosts[host].host.ws_rate_limit == spot
    for host in ("fstream.binance.com", "dstream.binance.com", "stream.binancefuture.com"):
        assert registry.hosts[host].host.ws_rate_limit == futures


def test_no_application_heartbeat_and_logon_only_on_ws_api_hosts(registry: Registry) -> None:
    # Servers ping, clients pong (done by the WebSocket layer); the only login is session.logon
    # on the WebSocket API hosts (see test_binance_ws_logon).
    ws_api = {"ws-api.binance.com", "ws-fapi.binance.com", "ws-dapi.binance.com"}
    ws_api |= {"testnet.binance.vision", "testnet.binancefuture.com"}
    for name, route in registry.hosts.items():
        assert route.host.ws_heartbeat is None
        assert (route.host.ws_authenticator is authenticate) == (name in ws_api)
    for host in ("ws-api.binance.com", "testnet.binance.vision", "testnet.binancefuture.com"):
        assert registry.hosts[host].host.ws_message_signer is sign_message
