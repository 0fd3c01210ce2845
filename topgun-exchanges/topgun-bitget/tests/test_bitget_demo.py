"""Bitget demo trading: the ``bitget_demo`` credentials go where Bitget documents demo trading.

Docs: https://www.bitget.com/api-doc/common/demotrading/restapi (REST: a Demo API Key, and the
header ``paptrading: 1`` on api.bitget.com) and
https://www.bitget.com/api-doc/common/demotrading/websocket (WebSocket: wspap.bitget.com,
``/v2/ws/public`` and ``/v2/ws/private``). The local servers, reached under those hostnames,
accept the demo key only with the header (REST) or on the demo host (WebSocket), and the live key
only without it / on the live host; they recompute every signature themselves.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import HttpExchange, Registry
from topgun_bitget.auth import choose_api

LIVE = ("bitget-live-key", "bitget-live-secret-DO-NOT-LEAK", "bitget-live-pass")
DEMO = ("bitget-demo-key", "bitget-demo-secret-DO-NOT-LEAK", "bitget-demo-pass")
APIS = {"bitget": list(LIVE), "bitget_demo": list(DEMO)}
DEMO_HOST = {"ws.bitget.com": False, "wspap.bitget.com": True}


def _b64_hmac(secret: str, text: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


async def rest(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    headers = request.headers
    demo = headers.get("paptrading") == "1"
    key, secret, passphrase = DEMO if demo else LIVE
    if headers.get("ACCESS-KEY") != key or headers.get("ACCESS-PASSPHRASE") != passphrase:
        # A live key on a demo request (or the reverse) is refused, as Bitget does.
        return web.json_response({"code": "40006", "msg": "Invalid ACCESS_KEY"}, status=400)
    timestamp = headers.get("ACCESS-TIMESTAMP", "")
    text = (timestamp + request.method + request.rel_url.raw_path_qs).encode() + body
    if not hmac.compare_digest(headers.get("ACCESS-SIGN", ""), _b64_hmac(secret, text)):
        return web.json_response({"code": "40009", "msg": "sign signature error"}, status=400)
    record["verified"] = "bitget_demo" if demo else "bitget"
    return web.json_response({"code": "00000", "msg": "success", "data": {}})


def ws_login(conn: Any, message: Any) -> list[Any]:
    if message == "ping":
        return ["pong"]
    if not isinstance(message, dict) or message.get("op") != "login":
        return []
    key, secret, passphrase = DEMO if DEMO_HOST[conn.request.host.split(":")[0]] else LIVE
    (args,) = message["args"]
    want = _b64_hmac(secret, f"{args['timestamp']}GET/user/verify".encode())
    ok = (
        args["apiKey"] == key
        and args["passphrase"] == passphrase
        and abs(int(args["timestamp"]) - time.time()) < 30
        and hmac.compare_digest(args["sign"], want)
    )
    conn.state["authed"] = ok
    if ok:
        return [{"event": "login", "code": 0}]
    return [{"event": "error", "code": 30005, "msg": "Invalid sign"}]


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    async with HttpExchange(["api.bitget.com"], rest) as server:
        yield server


@pytest.mark.parametrize(
    ("headers", "api"),
    [
        ({}, "bitget"),
        ({"paptrading": "1"}, "bitget_demo"),
        ({"PAPTRADING": " 1 "}, "bitget_demo"),
        ({"paptrading": "0"}, "bitget"),
    ],
)
def test_the_paptrading_header_picks_the_api_name(headers: dict[str, str], api: str) -> None:
    assert choose_api(headers) == api


@pytest.mark.parametrize(("headers", "api"), [({}, "bitget"), ({"paptrading": "1"}, "bitget_demo")])
async def test_demo_requests_are_signed_with_the_demo_key(
    exchange: Any, registry: Registry, headers: dict[str, str], api: str
) -> None:
    async with exchange.client(apis=APIS, registry=registry) as client:
        result = await client.fetch(
            "POST",
            "https://api.bitget.com/api/v2/spot/trade/place-order",
            data={"symbol": "SBTCSUSDT", "side": "buy", "orderType": "market", "size": "1"},
            headers=headers,
        )
    assert result.data["code"] == "00000", result.data
    record = exchange.seen[-1]
    assert record["verified"] == api
    assert record["headers"].get("paptrading") == headers.get("paptrading")  # sent as given


async def test_a_demo_request_without_demo_credentials_carries_no_live_key(
    exchange: Any, registry: Registry
) -> None:
    async with exchange.client(apis={"bitget": list(LIVE)}, registry=registry) as client:
        result = await client.fetch(
            "GET", "https://api.bitget.com/api/v2/spot/account/assets", headers={"paptrading": "1"}
        )
    assert result.data["code"] == "40006"
    assert "ACCESS-KEY" not in exchange.seen[-1]["headers"]


@pytest.mark.parametrize("host", ["ws.bitget.com", "wspap.bitget.com"])
async def test_each_websocket_host_logs_in_with_its_own_key(
    ws_exchange: Any, registry: Registry, eventually: Any, host: str
) -> None:
    server = await ws_exchange(list(DEMO_HOST), ws_login)
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect(
            f"wss://{host}/v2/ws/private",
            send_json={"op": "subscribe", "args": [{"instType": "SPOT", "channel": "orders"}]},
        )
        async with asyncio.timeout(5):
            await app.ready()
    conn = server.connections[0]
    assert conn.state["authed"] is True
    assert [m["op"] for m in conn.received if isinstance(m, dict)] == ["login", "subscribe"]


def test_registration(registry: Registry) -> None:
    assert set(registry.apis) == {"bitget", "bitget_demo"}
    assert registry.hosts["api.bitget.com"].host.api_names == ("bitget", "bitget_demo")
    assert registry.hosts["ws.bitget.com"].host.api == "bitget"
    demo_ws = registry.hosts["wspap.bitget.com"].host
    assert demo_ws.api == "bitget_demo"
    assert demo_ws.ws_authenticator is not None and demo_ws.ws_heartbeat is not None
