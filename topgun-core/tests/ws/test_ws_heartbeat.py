"""Pings, pongs and exchange heartbeats: ``app.heartbeat()``, autoping, plugin heartbeats."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

import topgun
from topgun import Backoff
from topgun.plugin import Heartbeat


async def test_heartbeat_returns_once_a_pong_proves_the_link(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())  # aiohttp's server answers pings
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, heartbeat=None)
        async with asyncio.timeout(5):
            await app.heartbeat(timeout=1.0)
        assert server.accepted == 1


async def test_heartbeat_reconnects_when_no_pong_comes(serve: Any, kit: Any) -> None:
    servers: list[Any] = []

    async def behaviour(conn: Any) -> None:
        if conn.index == 0:
            conn.go_silent()  # pings are never read, so never answered
            await servers[0].release.wait()
            conn.drop()
            return
        await conn.drain()

    server = await serve(behaviour)
    servers.append(server)
    async with topgun.Client() as client:
        # The automatic monitor is off, so only heartbeat() can notice the dead link.
        app = client.ws_connect(server.url, heartbeat=None, backoff=Backoff(0.01, 0.05, 2, 0.01))
        await app
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with asyncio.timeout(5):
            await app.heartbeat(timeout=0.3)
        took = loop.time() - started
        print(f"\nRECOVERY heartbeat(timeout=0.3) on a dead link: {took * 1000:.0f} ms")
        assert server.accepted == 2
        assert app.current_ws is not None and not app.current_ws.closed
        assert "no pong within 0.3 s" in (app.stats.last_error or "")
        assert took >= 0.3


async def test_autoping_answers_the_servers_pings_unless_disabled(serve: Any, kit: Any) -> None:
    pongs: list[list[bytes]] = []

    async def behaviour(conn: Any) -> None:
        seen: list[bytes] = []
        pongs.append(seen)
        await conn.ws.ping(b"are-you-there")
        try:
            async with asyncio.timeout(0.3):
                while True:
                    msg = await conn.ws.receive()
                    if msg.type is aiohttp.WSMsgType.PONG:
                        seen.append(bytes(msg.data))
        except TimeoutError:
            pass
        await conn.drain()

    server = await serve(behaviour, autoping=False)
    async with topgun.Client() as client:
        first = client.ws_connect(server.url)
        await server.wait_connections(1)
        second = client.ws_connect(server.url, autoping=False, heartbeat=None)
        await server.wait_connections(2)
        await asyncio.sleep(0.4)
        assert await first is first and await second is second
    assert pongs == [[b"are-you-there"], []]


async def test_plugin_heartbeat_is_sent_and_its_replies_are_not_garbage(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        while True:
            (msg,) = await conn.read()
            if msg == "ping":
                await conn.ws.send_str("pong")

    server = await serve(behaviour)
    registry = kit.toy_registry(
        ws_authenticator=None, ws_heartbeat=Heartbeat(0.05, message="ping", replies=("pong",))
    )
    texts: list[str] = []
    decoded: list[Any] = []
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(
            kit.TOY_URL,
            hdlr_str=lambda m, ws: texts.append(m),
            hdlr_json=lambda m, ws: decoded.append(m),
        )
        await kit.eventually(lambda: len(texts) >= 3)
        assert app.stats.non_json == 0
    assert set(texts) == {"pong"}
    assert decoded == []


async def test_heartbeat_factory_and_message_callable_per_connection(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    urls: list[str] = []

    def factory(url: Any) -> Heartbeat | None:
        urls.append(str(url))
        if url.path == "/public":
            return None
        return Heartbeat(
            0.05, message=lambda clock: b'{"ping": %d}' % clock.time_ms(), frame="binary"
        )

    registry = kit.toy_registry(ws_authenticator=None, ws_heartbeat=factory)
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL)
        await server.wait_connections(1)
        await kit.eventually(lambda: len(server.connections[0].received) >= 2)
        await app.close()
    first, second = server.connections[0].received[:2]
    assert isinstance(first["ping"], int) and second["ping"] >= first["ping"]
    assert urls == [kit.TOY_URL]


async def test_idle_heartbeat_waits_for_silence_after_every_frame(serve: Any, kit: Any) -> None:
    """``Heartbeat(idle=True)``: the interval restarts on every frame received, so each ping
    reaches the server at least one interval after the server's previous frame (the client gets
    a frame no earlier than it was sent), while a quiet link still gets its pings."""
    interval = 0.1
    loop = asyncio.get_running_loop()
    sent_at: list[float] = []
    pinged_at: list[float] = []

    async def behaviour(conn: Any) -> None:
        for n in range(10):  # steady traffic first: a frame every interval / 4
            sent_at.append(loop.time())
            await conn.ws.send_json({"n": n})
            await asyncio.sleep(interval / 4)
        while True:  # then quiet, but for the replies
            (msg,) = await conn.read()
            if msg == "ping":
                pinged_at.append(loop.time())
                sent_at.append(loop.time())
                await conn.ws.send_str("pong")

    server = await serve(behaviour)
    registry = kit.toy_registry(
        ws_authenticator=None,
        ws_heartbeat=Heartbeat(interval, message="ping", replies=("pong",), idle=True),
    )
    async with kit.toy_client(server, registry) as client:
        client.ws_connect(kit.TOY_URL)
        await kit.eventually(lambda: len(pinged_at) >= 3)
    for arrived in pinged_at:
        before = max(t for t in sent_at if t < arrived)
        assert arrived - before >= interval, (arrived - before, sent_at, pinged_at)
