"""Binance WebSocket through ``client.ws_connect`` against local servers on the real hostnames.

ws-api.binance.com checks request signatures as "SIGNED request example (HMAC)" documents
(https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security);
stream.binance.com records when each message arrives, to check the 5 messages per second limit
("WebSocket Limits", web-socket-streams). Runs once ``Client.ws_connect`` (issue 3) is in core.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import LocalExchange, build_registry, eventually, json_messages
from topgun_binance import plugin

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


class Servers:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.app = web.Application()
        self.app.router.add_get("/ws-api/v3", self.ws_api)
        self.app.router.add_get("/ws", self.stream)

    async def ws_api(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for call in json_messages(ws):
            self.requests.append(call)
            params = dict(call.get("params", {}))
            signature = params.pop("signature", None)
            if call["method"] in ("ping", "time"):
                ok = signature is None and "apiKey" not in params
            else:
                payload = "&".join(f"{k}={_text(params[k])}" for k in sorted(params))
                want = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
                ok = signature == want and params.get("apiKey") == KEY
            status = 200 if ok else 400
            await ws.send_json({"id": call["id"], "status": status, "result": {}})
        return ws

    async def stream(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for call in json_messages(ws):
            self.arrivals.append(time.monotonic())
            await ws.send_json({"result": None, "id": call["id"]})
        return ws


@pytest.fixture
async def servers() -> Any:
    server = Servers()
    async with LocalExchange(server.app, ["ws-api.binance.com", "stream.binance.com"]) as exchange:
        yield server, exchange


# "wss://ws-api.binance.com:443/ws-api/v3 ... alternative port 9443 is also available"
# (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-api/general-api-information)
@pytest.mark.parametrize("port", ["", ":9443"])
async def test_ws_api_requests_are_signed_as_documented(servers: Any, port: str) -> None:
    server, exchange = servers
    replies: list[Any] = []
    async with exchange.client(
        apis={"binance": [KEY, SECRET]}, registry=build_registry([plugin], strict=True)
    ) as client:
        app = client.ws_connect(
            f"wss://ws-api.binance.com{port}/ws-api/v3",
            send_json=[
                {"id": "p", "method": "ping"},
                {"id": "o", "method": "order.test", "params": {"symbol": "BTCUSDT", "side": "BUY"}},
            ],
            hdlr_json=lambda m, ws: replies.append(m),
        )
        async with asyncio.timeout(5):
            await app.ready()
        mine = {"id": "s", "method": "account.status", "params": {"omitZeroBalances": True}}
        assert app.current_ws is not None
        await app.current_ws.send_json(mine)
        await eventually(lambda: len(replies) == 3)
    assert [r["status"] for r in replies] == [200, 200, 200]
    assert mine == {"id": "s", "method": "account.status", "params": {"omitZeroBalances": True}}
    assert "signature" not in server.requests[0].get("params", {})


async def test_spot_stream_sends_are_spaced_to_five_per_second(servers: Any) -> None:
    server, exchange = servers
    async with exchange.client(registry=build_registry([plugin], strict=True)) as client:
        app = client.ws_connect("wss://stream.binance.com/ws")
        async with asyncio.timeout(5):
            await app.ready()
        assert app.current_ws is not None
        for n in range(7):
            await app.current_ws.send_json(
                {"method": "SUBSCRIBE", "params": [f"s{n}@trade"], "id": n}
            )
        await eventually(lambda: len(server.arrivals) == 7)
    arrivals = server.arrivals
    # No 6 messages inside one second: the 6th and 7th wait for the window to move on.
    assert all(arrivals[i + 5] - arrivals[i] >= 0.95 for i in range(len(arrivals) - 5))
