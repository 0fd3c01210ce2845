"""MEXC futures WebSocket through ``client.ws_connect``, against a local contract.mexc.com server.

The server checks the login as https://mexcdevelop.github.io/apidocs/contract_v1_en/ documents it
("Private Channels > Login authentication": signature = hex HMAC-SHA256 of apiKey + reqTime, reqTime
in ms; ``rs.login`` on success, ``rs.error`` on failure) and answers ``{"method":"ping"}`` with
``{"channel":"pong"}`` ("Detailed data interaction commands"). Runs once ``Client.ws_connect``
(issue 3) is in core.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import (
    LocalExchange,
    Registry,
    build_registry,
    eventually,
    json_messages,
    stream_until,
    with_heartbeat_interval,
)
from topgun_mexc import plugin

KEY = "mx0aBYs33eIilxBWC5"
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
URL = "wss://contract.mexc.com/edge"
FILTER = {"method": "personal.filter", "param": {"filters": [{"filter": "order"}]}}


class ContractServer:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_get("/edge", self.handle)

    @staticmethod
    def check(param: dict[str, Any]) -> str | None:
        req_time = str(param.get("reqTime", ""))
        if param.get("apiKey") != KEY:
            return "apiKey invalid"
        if not req_time.isdigit() or abs(int(req_time) / 1000 - time.time()) > 10:
            return "reqTime invalid"
        want = hmac.new(SECRET.encode(), (KEY + req_time).encode(), hashlib.sha256).hexdigest()
        return (
            None if hmac.compare_digest(str(param.get("signature")), want) else "signature invalid"
        )

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for call in json_messages(ws):
            method = call.get("method")
            self.events.append((method, call))
            if method == "ping":
                await ws.send_json({"channel": "pong", "data": int(time.time() * 1000)})
            elif method == "login":
                problem = self.check(call.get("param", {}))
                if problem is None:
                    await ws.send_json({"channel": "rs.login", "data": "success", "ts": 1})
                else:
                    await ws.send_json({"channel": "rs.error", "data": problem, "ts": 1})
            elif method == "personal.filter":
                await ws.send_json({"channel": "rs.personal.filter", "data": "success"})
        return ws


@pytest.fixture
async def contract() -> Any:
    server = ContractServer()
    async with LocalExchange(server.app, ["contract.mexc.com"]) as exchange:
        yield server, exchange


def _fast_heartbeat_registry() -> Registry:
    """The real login and heartbeat message, with the interval shortened so a test sees pings."""
    return build_registry([with_heartbeat_interval(plugin, 0.05)], strict=True)


async def test_login_then_subscriptions(contract: Any) -> None:
    server, exchange = contract
    registry = build_registry([plugin], strict=True)
    async with exchange.client(apis={"mexc": [KEY, SECRET]}, registry=registry) as client:
        await stream_until(
            client,
            URL,
            lambda got: any(m.get("channel") == "rs.personal.filter" for m in got),
            send_json=FILTER,
        )
    methods = [method for method, _ in server.events if method != "ping"]
    assert methods == ["login", "personal.filter"]  # the filter waits for a confirmed login
    assert server.check(server.events[0][1]["param"]) is None


async def test_heartbeat_ping_on_the_wire(contract: Any) -> None:
    server, exchange = contract
    async with exchange.client(
        apis={"mexc": [KEY, SECRET]}, registry=_fast_heartbeat_registry()
    ) as client:
        app = client.ws_connect(URL)
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(lambda: sum(method == "ping" for method, _ in server.events) >= 2)
    pings = [call for method, call in server.events if method == "ping"]
    assert pings[0] == {"method": "ping"}
    assert server.events[0][0] == "login"  # the ping never raced ahead of the login reply wait
