"""The ws_connect / WebSocketApp surface: what the user guide relies on, and its edges."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

import topgun
from topgun import Backoff, ConnectionState, WebSocketApp


async def test_ws_connect_is_a_plain_function_and_await_gives_the_app(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending({"ok": 1}))
    got: list[Any] = []
    # base_url never applies to WebSocket URLs.
    async with topgun.Client(base_url="https://api.example.invalid") as client:
        app = client.ws_connect(server.url, hdlr_json=lambda m, ws: got.append(m))
        assert isinstance(app, WebSocketApp)  # not a coroutine
        assert await app is app
        ws = app.current_ws
        assert isinstance(ws, aiohttp.ClientWebSocketResponse)
        assert isinstance(ws, topgun.ClientWebSocketResponse)
        assert await app is app  # already connected: at once
        await kit.eventually(lambda: got == [{"ok": 1}])
        # pybotters returns the URL as a str, so code comparing it with a string keeps working.
        assert app.url == server.url and isinstance(app.url, str)
        assert repr(app).startswith("<topgun.WebSocketApp ws://127.0.0.1:")


async def test_extra_keywords_go_to_aiohttp(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url, headers={"X-Bot": "42"}, protocols=("v1",), max_msg_size=1 << 20
        )
        await app
    request = server.connections[0].request
    assert request.headers["X-Bot"] == "42"
    assert request.headers["Sec-WebSocket-Protocol"] == "v1"


async def test_bad_arguments_fail_at_once_not_on_every_reconnect() -> None:
    async with topgun.Client() as client:
        with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
            client.ws_connect("ws://127.0.0.1:1/ws", colour="red")
        with pytest.raises(TypeError, match="does not pass 'decode_text'"):
            client.ws_connect("ws://127.0.0.1:1/ws", decode_text=True)
        with pytest.raises(ValueError, match="absolute ws"):
            client.ws_connect("/ws")
        with pytest.raises(ValueError, match="absolute ws"):
            client.ws_connect("ftp://example.com/ws")
        with pytest.raises(ValueError, match="heartbeat"):
            client.ws_connect("ws://127.0.0.1:1/ws", heartbeat=0)
        with pytest.raises(TypeError, match="send_str takes str"):
            client.ws_connect("ws://127.0.0.1:1/ws", send_str=[b"bytes"])
        with pytest.raises(TypeError, match="send_bytes takes bytes"):
            client.ws_connect("ws://127.0.0.1:1/ws", send_bytes="text")
        with pytest.raises(TypeError):
            client.ws_connect("ws://127.0.0.1:1/ws", send_json={"when": object()})
        with pytest.raises(TypeError, match="must be callable"):
            client.ws_connect("ws://127.0.0.1:1/ws", hdlr_json="print")

        async def handler(msg: Any, ws: Any) -> None: ...

        with pytest.raises(TypeError, match=r"coroutine function.*WebSocketQueue"):
            client.ws_connect("ws://127.0.0.1:1/ws", hdlr_json=[print, handler])
        with pytest.raises(TypeError, match="backoff must be"):
            client.ws_connect("ws://127.0.0.1:1/ws", backoff=(1, 2))
        assert not client._ws_apps  # nothing was started


async def test_ws_connect_needs_a_running_loop() -> None:
    async with topgun.Client() as client:
        with pytest.raises(RuntimeError, match="no running event loop"):
            await asyncio.to_thread(client.ws_connect, "ws://127.0.0.1:1/ws")
        assert not client._ws_apps


async def test_closing_the_client_closes_every_app(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    client = topgun.Client()
    apps = [client.ws_connect(server.url) for _ in range(3)]
    for app in apps:
        await app
    waiting = asyncio.ensure_future(apps[0].wait())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    await client.close()
    assert all(app.closed and app.state is ConnectionState.CLOSED for app in apps)
    assert all(app.current_ws is None for app in apps)
    await asyncio.wait_for(waiting, 1)  # wait() returns once closed
    assert not client._ws_apps
    await kit.eventually(lambda: all(c.closed_at is not None for c in server.connections))


async def test_app_as_async_context_manager_and_idempotent_close(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        async with client.ws_connect(server.url) as app:
            await app.ready()
            assert app.state is ConnectionState.READY
        assert app.closed
        await app.close()  # again: nothing happens
        await asyncio.gather(app.close(), app.close())
        assert client._ws_apps == set()


async def test_cancelling_wait_does_not_close_the_app(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await app.wait()
        assert not app.closed
        assert await app is app


async def test_live_counters(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_str('{"a":1}')
        await conn.ws.send_bytes(b"\x00\x01")
        if conn.index == 0:
            await conn.ws.close()
        else:
            await conn.drain()

    server = await serve(behaviour)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=Backoff(0.01, 0.05, 2, 0.01))
        assert app.stats.last_message_at is None and app.stats.idle_seconds is None
        await server.wait_connections(2)
        await kit.eventually(lambda: app.stats.messages_received == 4)
        stats = app.stats.as_dict()
        assert stats["state"] == "ready"
        assert stats["connects"] == 2 and stats["reconnects"] == 1 and stats["disconnects"] == 1
        assert stats["bytes_received"] == 2 * (7 + 2)
        assert stats["auth_failures"] == 0 and stats["connect_failures"] == 0
        assert abs(stats["last_message_at"] - time.time()) < 5
        assert stats["connected_at"] <= time.time()
        assert "closed by the server" in stats["last_error"]
        assert "reconnects=1" in repr(app.stats)
    assert app.stats.state is ConnectionState.CLOSED


def test_backoff_policy_numbers() -> None:
    policy = Backoff()  # pybotters' defaults: (1.92, 60.0, 1.618, 5.0)
    assert (policy.min, policy.max, policy.factor, policy.initial) == (1.92, 60.0, 1.618, 5.0)
    assert policy.delay(0) == 0.0  # after a healthy connection: at once
    high = Backoff(random=lambda: 1.0)
    low = Backoff(random=lambda: 0.0)
    assert high.delay(1) == 5.0  # first failure: uniform(0, initial)
    assert low.delay(1) == 0.0
    top = [round(high.delay(n), 2) for n in range(2, 12)]
    assert top == [3.11, 5.03, 8.13, 13.16, 21.29, 34.45, 55.74, 60.0, 60.0, 60.0]
    assert low.delay(5) == pytest.approx(13.16 / 2, abs=0.01)
    assert high.delay(10_000) == 60.0  # no overflow
    assert high == policy  # the source of jitter is not part of the policy's value
    assert Backoff.of((0.5, 2, 2, 1)) == Backoff(0.5, 2.0, 2.0, 1.0)
    assert Backoff.of(policy) is policy
    with pytest.raises(ValueError, match="min <= max"):
        Backoff(5, 1)
    with pytest.raises(ValueError, match="factor"):
        Backoff(1, 2, 0.5)
    with pytest.raises(TypeError):
        Backoff.of("fast")


async def test_closing_the_session_directly_ends_the_app(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    client = topgun.Client()
    app = client.ws_connect(server.url, backoff=Backoff(0.01, 0.05, 2, 0.01))
    await app
    await client.session.close()  # not client.close(): the app must notice and stop
    await asyncio.wait_for(app.wait(), 5)
    assert app.closed
    await client.close()


async def test_aiohttp_receive_timeout_ends_a_quiet_connection(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            timeout=aiohttp.ClientWSTimeout(ws_receive=0.1),
            heartbeat=None,
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        await server.wait_connections(2)
        assert app.stats.last_error == "no frame within the receive timeout"
