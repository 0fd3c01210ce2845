"""BitMEX Realtime API through ``client.ws_connect`` against a local server reached as the real
hosts (ws.bitmex.com, www.bitmex.com, testnets), which verifies ``authKeyExpires`` as
https://www.bitmex.com/app/wsAPI documents it and answers the text ``ping``."""

from __future__ import annotations

import asyncio
import bisect
from typing import Any

import pytest

from topgun import Backoff
from topgun.testing import Registry, build_registry, stream_until, with_heartbeat_interval
from topgun_bitmex import plugin

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
FAST = Backoff(min=0.01, max=0.02, factor=1.0, initial=0.01, healthy_after=60.0)


def registry_with(heartbeat_interval: float | None = None) -> Registry:
    """The real plugin, optionally with a quicker (otherwise identical) heartbeat for the test."""
    if heartbeat_interval is None:
        return build_registry([plugin], strict=True)
    return build_registry([with_heartbeat_interval(plugin, heartbeat_interval)], strict=True)


@pytest.mark.parametrize(
    ("host", "api"),
    [
        ("ws.bitmex.com", "bitmex"),
        ("www.bitmex.com", "bitmex"),
        ("ws.testnet.bitmex.com", "bitmex_testnet"),
    ],
)
async def test_login_then_private_subscription(realtime: Any, host: str, api: str) -> None:
    async with realtime.client(apis={api: [KEY, SECRET]}, registry=registry_with()) as client:
        _, got = await stream_until(
            client,
            f"wss://{host}/realtime",
            lambda got: any(m.get("table") == "order" for m in got),
            send_json={"op": "subscribe", "args": ["order"]},
        )
    [received] = realtime.server.connections
    assert realtime.server.logins == [True]
    assert received[0]["op"] == "authKeyExpires" and received[1]["op"] == "subscribe"
    assert got[0]["info"].startswith("Welcome")  # the welcome reached the handlers
    assert not any("request" in m and m["request"].get("op") == "authKeyExpires" for m in got)


async def test_auth_none_connects_without_login(eventually: Any, realtime: Any) -> None:
    async with realtime.client(apis={"bitmex": [KEY, SECRET]}, registry=registry_with()) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime",
            send_json={"op": "subscribe", "args": ["trade"]},
            auth=None,
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(
            lambda: bool(realtime.server.connections and realtime.server.connections[0])
        )
    assert realtime.server.logins == []
    assert realtime.server.connections[0][0]["op"] == "subscribe"


async def test_text_ping_heartbeat(eventually: Any, realtime: Any) -> None:
    got: list[Any] = []
    async with realtime.client(apis={}, registry=registry_with(heartbeat_interval=0.05)) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime", hdlr_json=lambda message, ws: got.append(message)
        )
        await eventually(
            lambda: (
                bool(realtime.server.connections)
                and realtime.server.connections[0].count("ping") >= 3
            )
        )
        await eventually(lambda: app.stats.messages_received >= 4)  # the welcome and 3 pongs
        non_json = app.stats.non_json
    assert non_json == 0  # "pong" is known as the heartbeat's reply, not reported as garbage
    assert [m.get("info", "")[:7] for m in got] == ["Welcome"]


async def test_ping_only_after_silence_not_during_steady_traffic(
    eventually: Any, ws_exchange: Any
) -> None:
    """BitMEX's "Heartbeats" (https://www.bitmex.com/app/wsAPI): restart a 5 s timer on every
    message received; send ``ping`` only when it fires. With the interval shortened to 0.3 s, the
    server streams a message every 0.05 s for a while, then goes quiet. Each ``ping`` must reach
    the server at least one interval after the server's previous frame: the client only pings
    after that much silence (it receives a frame no earlier than the server sends it). A ping on a
    fixed timer would land in the middle of the stream and break this."""
    interval = 0.3
    loop = asyncio.get_running_loop()
    sent_at: list[float] = []  # loop time of every frame the server sent
    streamed = asyncio.Event()

    async def stream(conn: Any) -> None:
        for n in range(24):  # about 1.2 s of steady traffic: four intervals
            sent_at.append(loop.time())
            await conn.send({"table": "trade", "action": "insert", "data": [{"n": n}]})
            await asyncio.sleep(0.05)
        streamed.set()

    def respond(conn: Any, message: Any) -> list[Any]:
        if message == "ping":
            sent_at.append(loop.time())  # just before the reply goes out
            return ["pong"]
        return []

    server = await ws_exchange(["ws.bitmex.com"], respond, on_open=stream)
    async with server.client(registry=registry_with(heartbeat_interval=interval)) as client:
        client.ws_connect("wss://ws.bitmex.com/realtimePlatform")
        await eventually(lambda: bool(server.connections))
        conn = server.connections[0]

        def pings_after_stream() -> int:
            pings = [t for t, m in zip(conn.times, conn.received, strict=True) if m == "ping"]
            return sum(t > sent_at[23] for t in pings) if streamed.is_set() else 0

        await eventually(lambda: pings_after_stream() >= 2, 10)  # silence: it pings
    for arrived, message in zip(conn.times, conn.received, strict=True):
        if message != "ping":
            continue
        before = sent_at[bisect.bisect_right(sent_at, arrived) - 1]
        assert arrived - before >= interval, (arrived - before, sent_at, conn.times)
