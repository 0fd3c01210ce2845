"""Bitget v2 WebSockets through ``Client.ws_connect`` against a local server reached as
ws.bitget.com, which checks logins the way Bitget documents them and times the sends.

Docs: https://www.bitget.com/api-doc/common/websocket-intro ("Connect", "Login", limits).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import time
from typing import Any

from topgun.testing import Registry, build_registry, heartbeats, stream_until
from topgun_bitget import plugin

HOSTS = ["ws.bitget.com"]
KEY, SECRET, PASSPHRASE = "bitget-ws-key", "bitget-ws-secret-DO-NOT-LEAK", "bitget-ws-pass"
APIS = {"bitget": [KEY, SECRET, PASSPHRASE]}


def bitget(conn: Any, message: Any) -> list[Any]:
    """Bitget's side of the protocol, as documented; the login is verified independently."""
    if message == "ping":
        return ["pong"]
    if not isinstance(message, dict):
        return []
    if message.get("op") == "login":
        (args,) = message["args"]
        text = f"{args['timestamp']}GET/user/verify".encode()
        want = base64.b64encode(hmac.new(SECRET.encode(), text, hashlib.sha256).digest())
        ok = (
            args["apiKey"] == KEY
            and args["passphrase"] == PASSPHRASE
            and abs(int(args["timestamp"]) - time.time()) < 30
            and hmac.compare_digest(args["sign"], want.decode())
        )
        conn.state["authed"] = ok
        if ok:
            return [{"event": "login", "code": 0, "msg": ""}]
        return [{"event": "error", "code": 30005, "msg": "Invalid sign"}]
    if message.get("op") == "subscribe":
        if conn.path == "/v2/ws/private" and not conn.state.get("authed"):
            return [{"event": "error", "code": 30004, "msg": "User not logged in"}]
        return [{"event": "subscribe", "arg": message["args"][0]}]
    return []


def spot(channel: str, inst_id: str) -> dict[str, Any]:
    """The subscription to a spot ``channel`` for ``inst_id``."""
    return {
        "op": "subscribe",
        "args": [{"instType": "SPOT", "channel": channel, "instId": inst_id}],
    }


async def test_private_stream_logs_in_then_subscribes(ws_exchange: Any, registry: Registry) -> None:
    server = await ws_exchange(HOSTS, bitget)
    subscribe = spot("orders", "default")
    async with server.client(apis=APIS, registry=registry) as client:
        _, got = await stream_until(
            client, "wss://ws.bitget.com/v2/ws/private", send_json=subscribe
        )
    conn = server.connections[0]
    assert conn.state["authed"] is True
    assert [m["op"] for m in conn.received] == ["login", "subscribe"]
    assert got[0]["event"] == "subscribe"


async def test_public_stream_gets_no_login(ws_exchange: Any, registry: Registry) -> None:
    server = await ws_exchange(HOSTS, bitget)
    subscribe = spot("ticker", "BTCUSDT")
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect("wss://ws.bitget.com/v2/ws/public", send_json=subscribe)
        async with asyncio.timeout(5):
            await app.ready()
    assert [m["op"] for m in server.connections[0].received] == ["subscribe"]


async def test_sends_are_paced_to_ten_per_second(
    ws_exchange: Any, registry: Registry, eventually: Any
) -> None:
    server = await ws_exchange(HOSTS, bitget)
    subscriptions = [spot("ticker", f"C{n}USDT") for n in range(13)]
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect("wss://ws.bitget.com/v2/ws/public", send_json=subscriptions)
        async with asyncio.timeout(10):
            await app.ready()
        conn = server.connections[0]
        await eventually(lambda: len(conn.received) == 13)
    # Any 11 consecutive messages span at least a second: never more than 10 in one second.
    assert all(
        later - first >= 0.9 for first, later in zip(conn.times, conn.times[10:], strict=False)
    )


async def test_heartbeat_is_text_ping(ws_exchange: Any, fast_heartbeat: Any) -> None:
    registry = build_registry([fast_heartbeat(plugin, 0.05)], strict=True)
    server = await ws_exchange(HOSTS, bitget)
    async with server.client(apis=APIS, registry=registry) as client:
        conn, pings = await heartbeats(client, server, "wss://ws.bitget.com/v2/ws/private", "ping")
    assert conn.received[0]["op"] == "login"
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(pings))
