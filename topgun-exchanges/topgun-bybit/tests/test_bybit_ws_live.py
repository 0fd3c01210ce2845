"""Bybit V5 WebSockets through ``Client.ws_connect`` against a local server reached as the real
stream hosts, which checks logins and trade-stream headers the way Bybit documents them.

Docs: https://bybit-exchange.github.io/docs/v5/ws/connect ("Authentication", "How to Send the
Heartbeat Packet"); https://bybit-exchange.github.io/docs/v5/websocket/trade/guideline.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import time
from typing import Any

import pytest

from topgun.testing import Registry, build_registry, heartbeats, stream_until
from topgun_bybit import plugin

HOSTS = ["stream.bybit.com", "stream-demo.bybit.com", "stream-testnet.bybit.com"]
KEY, SECRET = "bybit-ws-key", "bybit-ws-secret-DO-NOT-LEAK"
APIS = {name: [KEY, SECRET] for name in ("bybit", "bybit_demo", "bybit_testnet")}


def bybit(conn: Any, message: Any) -> list[Any]:
    """Bybit's side of the protocol, as documented; the login is verified independently."""
    if not isinstance(message, dict):
        return []
    trade = conn.path.startswith("/v5/trade")
    op = message.get("op")
    if op == "auth":
        key, expires, signature = message["args"]
        want = hmac.new(SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256)
        ok = (
            key == KEY
            and isinstance(expires, int)
            and expires > time.time() * 1000
            and hmac.compare_digest(signature, want.hexdigest())
        )
        conn.state["authed"] = ok
        if trade:
            return [
                {
                    "retCode": 0 if ok else 10004,
                    "retMsg": "OK" if ok else "invalid sign",
                    "op": "auth",
                }
            ]
        return [
            {"success": ok, "ret_msg": "" if ok else "error sign", "op": "auth", "conn_id": "c"}
        ]
    if op == "ping":
        return [{"success": True, "ret_msg": "pong", "op": "ping"}]
    if op == "subscribe":
        if conn.path.startswith("/v5/private") and not conn.state.get("authed"):
            return [{"success": False, "ret_msg": "request not authorized", "op": "subscribe"}]
        return [{"success": True, "ret_msg": "", "op": "subscribe"}]
    if trade and str(op).startswith("order."):
        header = message.get("header", {})
        now = time.time() * 1000
        window = int(header.get("X-BAPI-RECV-WINDOW", "5000"))
        stamp = int(header.get("X-BAPI-TIMESTAMP", "0"))
        ok = conn.state.get("authed") and now - window <= stamp < now + 1000
        return [{"reqId": message.get("reqId"), "retCode": 0 if ok else 10001, "op": op}]
    return []


async def test_private_stream_logs_in_before_subscribing(
    ws_exchange: Any, registry: Registry
) -> None:
    server = await ws_exchange(HOSTS, bybit)
    async with server.client(apis=APIS, registry=registry) as client:
        _, got = await stream_until(
            client,
            "wss://stream.bybit.com/v5/private",
            send_json={"op": "subscribe", "args": ["order"]},
        )
    conn = server.connections[0]
    assert [m["op"] for m in conn.received] == ["auth", "subscribe"]
    assert got == [{"success": True, "ret_msg": "", "op": "subscribe"}]  # the auth reply is not


@pytest.mark.parametrize(
    "url", ["wss://stream-demo.bybit.com/v5/private", "wss://stream-testnet.bybit.com/v5/private"]
)
async def test_demo_and_testnet_use_their_own_credentials(
    ws_exchange: Any, registry: Registry, url: str
) -> None:
    server = await ws_exchange(HOSTS, bybit)
    api = "bybit_demo" if "demo" in url else "bybit_testnet"
    async with server.client(apis={api: [KEY, SECRET]}, registry=registry) as client:
        app = client.ws_connect(url, send_json={"op": "subscribe", "args": ["wallet"]})
        async with asyncio.timeout(5):
            await app.ready()
    assert server.connections[0].state["authed"] is True


async def test_public_stream_sends_no_login_even_with_credentials(
    ws_exchange: Any, registry: Registry
) -> None:
    server = await ws_exchange(HOSTS, bybit)
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect(
            "wss://stream.bybit.com/v5/public/linear",
            send_json={"op": "subscribe", "args": ["orderbook.1.BTCUSDT"]},
        )
        async with asyncio.timeout(5):
            await app.ready()
    assert [m["op"] for m in server.connections[0].received] == ["subscribe"]


async def test_trade_stream_orders_carry_a_fresh_timestamp_header(
    ws_exchange: Any, registry: Registry, eventually: Any
) -> None:
    server = await ws_exchange(HOSTS, bybit)
    replies: list[Any] = []
    order = {
        "reqId": "o-1",
        "header": {"X-BAPI-RECV-WINDOW": "8000"},
        "op": "order.create",
        "args": [{"symbol": "ETHUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.2"}],
    }
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect(
            "wss://stream.bybit.com/v5/trade", hdlr_json=lambda m, ws: replies.append(m)
        )
        async with asyncio.timeout(5):
            await app.ready()
        assert app.current_ws is not None
        await app.current_ws.send_json(order)
        await eventually(lambda: replies)
    sent = server.connections[0].received[-1]
    assert sent["header"]["X-BAPI-RECV-WINDOW"] == "8000"
    assert sent["header"]["X-BAPI-TIMESTAMP"].isdigit()
    assert replies == [{"reqId": "o-1", "retCode": 0, "op": "order.create"}]
    assert order["header"] == {"X-BAPI-RECV-WINDOW": "8000"}  # the caller's dict is untouched


async def test_heartbeat_payload_and_spacing(ws_exchange: Any, fast_heartbeat: Any) -> None:
    registry = build_registry([fast_heartbeat(plugin, 0.05)], strict=True)
    server = await ws_exchange(HOSTS, bybit)
    async with server.client(apis=APIS, registry=registry) as client:
        url = "wss://stream.bybit.com/v5/private"
        conn, pings = await heartbeats(client, server, url, {"op": "ping"})
    assert conn.received[0]["op"] == "auth"  # the heartbeat starts only after the login
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(pings))


async def test_auth_none_skips_login_and_trade_headers(
    ws_exchange: Any, registry: Registry, eventually: Any
) -> None:
    server = await ws_exchange(HOSTS, bybit)
    async with server.client(apis=APIS, registry=registry) as client:
        app = client.ws_connect(
            "wss://stream.bybit.com/v5/trade",
            send_json={"op": "order.cancel", "args": [{"orderId": "1"}]},
            auth=None,
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(lambda: server.connections and server.connections[0].received)
    assert server.connections[0].received == [{"op": "order.cancel", "args": [{"orderId": "1"}]}]
