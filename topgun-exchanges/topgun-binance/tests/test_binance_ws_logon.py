"""Binance WebSocket API ``session.logon`` with Ed25519 keys.

Docs: "Log in with API key (SIGNED)" in
https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/authentication-requests
(``session.logon`` takes ``apiKey``, ``timestamp`` and ``signature``, signed like any request;
"Only Ed25519 keys are supported"; afterwards ``apiKey``/``signature`` may be left out), and the
same method on the USDⓈ-M futures WebSocket API (ws-fapi). The local exchange, reached as
ws-api.binance.com and ws-fapi.binance.com, verifies the logon's Ed25519 signature with the public
key and serves ``userDataStream.subscribe`` only on a logged-on session, as Binance does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential
from topgun.testing import Registry, stream_until
from topgun_binance.ws import logon_request

HOSTS = ["ws-api.binance.com", "ws-fapi.binance.com"]
SUBSCRIBE = {"id": "sub", "method": "userDataStream.subscribe"}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def binance(verify: Any, accepted_key: str) -> Any:
    """Binance's side: check ``session.logon``, then serve what needs the logged-on session."""

    def respond(conn: Any, message: Any) -> list[Any]:
        if not isinstance(message, dict):
            return []
        if message.get("method") == "session.logon":
            params = dict(message["params"])
            signature = params.pop("signature", "")
            payload = "&".join(f"{k}={_text(params[k])}" for k in sorted(params)).encode()
            ok = (
                params.get("apiKey") == accepted_key
                and set(params) == {"apiKey", "timestamp"}
                and verify(params["apiKey"], payload, signature)
            )
            conn.state["logged_on"] = ok
            if ok:
                result = {"apiKey": params["apiKey"], "authorizedSince": 1, "connectedSince": 1}
                return [{"id": message["id"], "status": 200, "result": result}]
            error = {"code": -1022, "msg": "Signature for this request is not valid."}
            return [{"id": message["id"], "status": 401, "error": error}]
        if message.get("method") == "userDataStream.subscribe":
            if conn.state.get("logged_on"):
                return [{"id": message["id"], "status": 200, "result": {}}]
            error = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
            return [{"id": message["id"], "status": 401, "error": error}]
        return []

    return respond


def test_logon_payload_matches_the_docs_worked_example() -> None:
    # The docs' session.logon example (apiKey vmPUZE6..., timestamp 1649729878532) shows the
    # signature 1cf54395...; it is the HMAC-SHA256 of "apiKey=...&timestamp=..." with the docs'
    # example secret, so the payload is exactly the one built here (Ed25519 signs the same text).
    key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    request = logon_request(
        URL("wss://ws-api.binance.com:443/ws-api/v3"),
        Credential("binance", [key, secret]),
        topgun.FixedClock(1649729878.532),
    )
    assert request["method"] == "session.logon"
    assert request["params"] == {
        "apiKey": key,
        "timestamp": 1649729878532,
        "signature": "1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed",
    }


@pytest.fixture
async def ed25519_logons(
    ws_exchange: Any, binance_pem_keys: Any, binance_verify: Any
) -> tuple[Any, dict[str, list[str]]]:
    """Binance's WebSocket API, accepting ``session.logon`` signed by an Ed25519 API key; and the
    credential of that key."""
    key, pem = binance_pem_keys["ed25519"]
    return await ws_exchange(HOSTS, binance(binance_verify, key)), {"binance": [key, pem]}


@pytest.mark.parametrize(
    "url", ["wss://ws-api.binance.com/ws-api/v3", "wss://ws-fapi.binance.com/ws-fapi/v1"]
)
async def test_ed25519_key_logs_on_before_the_subscriptions(
    ed25519_logons: tuple[Any, dict[str, list[str]]], registry: Registry, url: str
) -> None:
    server, apis = ed25519_logons
    async with server.client(apis=apis, registry=registry) as client:
        _, replies = await stream_until(client, url, send_json=SUBSCRIBE)
    conn = server.connections[0]
    assert conn.state["logged_on"] is True
    assert [m["method"] for m in conn.received] == ["session.logon", "userDataStream.subscribe"]
    assert replies == [{"id": "sub", "status": 200, "result": {}}]  # the logon reply is not here


async def test_every_reconnection_logs_on_again(
    ed25519_logons: tuple[Any, dict[str, list[str]]],
    registry: Registry,
    eventually: Any,
    fast_backoff: Any,
) -> None:
    server, apis = ed25519_logons
    async with server.client(apis=apis, registry=registry) as client:
        app = client.ws_connect(
            "wss://ws-api.binance.com/ws-api/v3", send_json=SUBSCRIBE, backoff=fast_backoff
        )
        async with asyncio.timeout(5):
            await app.ready()
        await server.connections[0].ws.close()  # Binance ends every connection after 24 hours
        await eventually(lambda: len(server.connections) == 2 and server.connections[1].received)
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(lambda: len(server.connections[1].received) == 2)
    assert [m["method"] for m in server.connections[1].received] == [
        "session.logon",
        "userDataStream.subscribe",
    ]


async def test_hmac_keys_and_other_paths_send_no_logon(
    ws_exchange: Any, registry: Registry, eventually: Any, binance_verify: Any
) -> None:
    # session.logon takes Ed25519 keys only: an HMAC key keeps signing each request instead.
    key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    server = await ws_exchange(HOSTS, binance(binance_verify, key))
    async with server.client(apis={"binance": [key, secret]}, registry=registry) as client:
        app = client.ws_connect(
            "wss://ws-api.binance.com/ws-api/v3",
            send_json={"id": "t", "method": "time"},
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(lambda: server.connections and server.connections[0].received)
    assert [m["method"] for m in server.connections[0].received] == ["time"]
