"""``client.ws_connect("wss://api.hyperliquid.xyz/ws")`` against a local server reached as that host.

The server (conftest.py) answers ``{"method":"ping"}`` with ``{"channel":"pong"}`` and verifies
``post`` actions with the official SDK's recovery code, replying by id as the docs show
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/post-requests).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import types
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from eth_account import Account

from topgun.plugin import ApiSpec, Heartbeat, Host, hookimpl
from topgun.testing import Registry, build_registry
from topgun_hyperliquid import HEARTBEAT, plugin

KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
ADDRESS = Account.from_key(KEY).address
URL = "wss://api.hyperliquid.xyz/ws"
CANCEL = {"type": "cancel", "cancels": [{"a": 0, "o": 123}]}
SUBSCRIBE = {"method": "subscribe", "subscription": {"type": "trades", "coin": "BTC"}}


class Inbox:
    """A JSON handler that keeps what arrives and lets a test wait for what it expects."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._arrived = asyncio.Event()

    def __call__(self, message: Any, ws: Any) -> None:
        self.messages.append(message)
        self._arrived.set()

    async def until(self, condition: Callable[[list[Any]], bool]) -> None:
        async with asyncio.timeout(5):
            while not condition(self.messages):
                self._arrived.clear()
                await self._arrived.wait()

    def post_reply(self) -> Any:
        return next(m for m in self.messages if m.get("channel") == "post")


def has_post_reply(messages: list[Any]) -> bool:
    return any(m.get("channel") == "post" for m in messages)


def ws_record(exchange: Any) -> dict[str, Any]:
    return next(r for r in exchange.seen if r["path"] == "/ws")


def fast_ping_registry(interval: float) -> Registry:
    """The plugin's own hosts with only the ping interval shortened, so a test sees it tick."""
    module = types.ModuleType("topgun_hyperliquid_fastping")

    @hookimpl
    def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
        plugin.topgun_register_apis(register)

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        def shorten(host: Host) -> None:
            ping = Heartbeat(interval, HEARTBEAT.message, HEARTBEAT.frame, HEARTBEAT.replies)
            register(dataclasses.replace(host, ws_heartbeat=ping))

        plugin.topgun_register_hosts(shorten)

    module.topgun_register_apis = topgun_register_apis  # type: ignore[attr-defined]
    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return build_registry([module], strict=True)


async def test_post_action_is_signed_and_the_handshake_is_not(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="topgun.ws")
    replies = Inbox()
    async with exchange.client(apis={"hyperliquid": [KEY]}, registry=registry) as client:
        app = client.ws_connect(URL, send_json=SUBSCRIBE, hdlr_json=replies)
        await app.ready()
        ws = app.current_ws
        assert ws is not None
        message = {
            "method": "post",
            "id": 1,
            "request": {"type": "action", "payload": {"action": CANCEL}},
        }
        await ws.send_json(message)
        await replies.until(has_post_reply)
        assert message["request"]["payload"] == {"action": CANCEL}  # the caller's dict is unchanged
    record = ws_record(exchange)
    post = replies.post_reply()
    assert post["data"]["id"] == 1
    assert post["data"]["response"]["payload"] == {"status": "ok", "signer": ADDRESS}
    subscribe, sent = (orjson.loads(f) for f in record["frames"][:2])
    assert subscribe == SUBSCRIBE  # not a post action: sent as it is
    assert set(sent["request"]["payload"]) == {"action", "nonce", "signature"}
    # The upgrade request carries nothing of the credential: no query, no body, no extra headers.
    assert record["path"] == "/ws"
    assert record["handshake_body"] == b""
    assert KEY[2:] not in repr(record["headers"]).lower()
    assert not {h.lower() for h in record["headers"]} - {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-version",
        "sec-websocket-key",
        "sec-websocket-extensions",
        "accept",
        "accept-encoding",
        "user-agent",
    }
    assert not any(r["path"] in ("/exchange", "/info") for r in exchange.seen)
    # The server's greeting is expected, not reported as a malformed frame.
    assert not [r for r in caplog.records if "is not JSON" in r.getMessage()]


async def test_without_credentials_posts_go_unsigned(exchange: Any, registry: Registry) -> None:
    replies = Inbox()
    async with exchange.client(apis={}, registry=registry) as client:
        app = client.ws_connect(URL, hdlr_json=replies)
        await app.ready()
        assert app.current_ws is not None
        await app.current_ws.send_json(
            {
                "method": "post",
                "id": 2,
                "request": {"type": "action", "payload": {"action": CANCEL}},
            }
        )
        await replies.until(has_post_reply)
    assert replies.post_reply()["data"]["response"]["payload"]["signer"] == "unsigned"


async def test_the_ping_goes_out_on_its_interval_and_is_answered(exchange: Any) -> None:
    replies = Inbox()
    async with exchange.client(
        apis={"hyperliquid": [KEY]}, registry=fast_ping_registry(0.05)
    ) as client:
        app = client.ws_connect(URL, hdlr_json=replies)
        await app.ready()
        await replies.until(lambda ms: ms.count({"channel": "pong"}) >= 3)
    frames = [orjson.loads(f) for f in ws_record(exchange)["frames"]]
    assert frames[:3] == [{"method": "ping"}] * 3
