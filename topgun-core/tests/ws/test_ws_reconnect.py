"""Failure scenarios: each one must end with the app connected again.

The app's waits go through ``Backoff(sleep=kit.RecordedSleep())``, so the tests assert the delays
the app chose (none after a healthy connection, a growing one after failures), never wall-clock
gaps between connections. The recovery times printed (``RECOVERY ...``, with ``pytest -s``) are
for reading only.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import tracemalloc
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun import Backoff, ConnectionState


def report(scenario: str, seconds: float) -> None:
    print(f"\nRECOVERY {scenario}: {seconds * 1000:.0f} ms")


async def hang(conn: Any, server: Any) -> None:
    await server.release.wait()


async def test_clean_close_of_a_healthy_connection_reconnects_at_once(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="topgun")
    servers: list[Any] = []

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"n": conn.index})
        if conn.index == 0:
            await asyncio.sleep(0.3)  # longer than healthy_after
            await conn.ws.close()
        else:
            await servers[0].release.wait()

    server = await serve(behaviour)
    servers.append(server)
    got: list[Any] = []
    # Were the healthy connection's end taken for a failure, the delay would be 0.5 * 5 s.
    waits = kit.RecordedSleep()
    backoff = Backoff(1.0, 5.0, 2.0, 5.0, healthy_after=0.2, random=lambda: 0.5, sleep=waits)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=lambda m, ws: got.append(m), backoff=backoff)
        second = await server.wait_connections(2)
        await kit.eventually(lambda: len(got) == 2)
        first = server.connections[0]
        assert first.closed_at is not None
        report("server closed a healthy connection cleanly", second.opened_at - first.closed_at)
        assert waits.delays == [0.0]
        assert app.stats.reconnects == 1
        assert app.stats.disconnects == 1
        assert "closed by the server (code 1000)" in (app.stats.last_error or "")
    assert got == [{"n": 0}, {"n": 1}]
    assert any("reconnecting now" in r.getMessage() for r in caplog.records)


async def test_server_closing_right_after_opening_meets_a_growing_delay(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.close()  # a rate limit or a rejected login looks like this

    server = await serve(behaviour)
    waits = kit.RecordedSleep(hold_after=7)
    backoff = Backoff(0.05, 0.4, 2.0, 0.05, healthy_after=5.0, random=lambda: 1.0, sleep=waits)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=backoff)
        await kit.eventually(lambda: len(waits.delays) == 7)
        await app.close()
    # Each failure in a row waits longer, up to the maximum: never a tight reconnect loop.
    assert [round(d, 3) for d in waits.delays] == [0.05, 0.1, 0.2, 0.4, 0.4, 0.4, 0.4]
    assert server.accepted == 7
    assert app.stats.reconnects == 6


async def test_dropped_tcp_connection_is_replaced(serve: Any, kit: Any) -> None:
    servers: list[Any] = []

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"n": conn.index})
        if conn.index == 0:
            await asyncio.sleep(0.3)
            conn.drop()  # no close frame, no goodbye
            conn.closed_at = asyncio.get_running_loop().time()
            return
        await servers[0].release.wait()

    server = await serve(behaviour)
    servers.append(server)
    got: list[Any] = []
    waits = kit.RecordedSleep()
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_json=lambda m, ws: got.append(m),
            backoff=Backoff(1.0, 5.0, 2.0, 5.0, healthy_after=0.2, sleep=waits),
        )
        second = await server.wait_connections(2)
        await kit.eventually(lambda: len(got) == 2)
        dropped_at = server.connections[0].closed_at
        report("server dropped the TCP connection", second.opened_at - dropped_at)
        assert waits.delays == [0.0]  # it had been healthy: replaced at once
        assert app.stats.disconnects == 1
    assert got == [{"n": 0}, {"n": 1}]


async def test_half_open_connection_is_detected_within_about_heartbeat(
    serve: Any, kit: Any
) -> None:
    heartbeat = 0.5
    servers: list[Any] = []
    silent_at: list[float] = []

    async def behaviour(conn: Any) -> None:
        if conn.index == 0:
            for i in range(6):  # a live feed, then silence without a FIN
                await conn.ws.send_json({"n": 0, "i": i})
                await asyncio.sleep(0.05)
            conn.go_silent()
            silent_at.append(asyncio.get_running_loop().time())
            await servers[0].release.wait()
            conn.drop()  # a paused reader would make the server's own close wait 10 s
            return
        await conn.ws.send_json({"n": conn.index})
        await conn.drain()

    server = await serve(behaviour)
    servers.append(server)
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_json=lambda m, ws: got.append(m),
            heartbeat=heartbeat,
            backoff=Backoff(1.0, 5.0, 2.0, 5.0, healthy_after=0.1),
        )
        second = await server.wait_connections(2)
        await kit.eventually(lambda: {"n": 1} in got)
        report(f"half-open connection (heartbeat={heartbeat} s)", second.opened_at - silent_at[0])
        assert "ping unanswered" in (app.stats.last_error or "")
        # The silent connection was alive for a while: the monitor waited for real silence.
        assert len([m for m in got if m.get("n") == 0]) == 6


async def test_quiet_but_alive_connection_is_kept(serve: Any, kit: Any) -> None:
    """A peer that sends nothing but answers pings is alive: no reconnect."""
    server = await serve(lambda conn: conn.drain())  # aiohttp's server answers pings itself
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, heartbeat=0.2)
        await app
        await asyncio.sleep(1.2)  # six heartbeat intervals of silence from the server
        assert server.accepted == 1
        assert app.stats.connects == 1
        assert app.state is ConnectionState.READY


async def test_server_down_at_start_then_up(serve: Any, kit: Any) -> None:
    port = kit.free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    got: list[Any] = []
    waits = kit.RecordedSleep(hold_after=3)
    async with topgun.Client() as client:
        app = client.ws_connect(
            url,
            hdlr_json=lambda m, ws: got.append(m),
            backoff=Backoff(0.05, 0.2, 2.0, 0.05, random=lambda: 1.0, sleep=waits),
        )
        await kit.eventually(lambda: len(waits.delays) == 3)
        assert app.current_ws is None
        assert "cannot connect" in (app.stats.last_error or "")

        async def behaviour(conn: Any) -> None:
            await conn.ws.send_json({"hello": True})
            await conn.drain()

        server = await serve(behaviour, port=port)
        waits.release()
        await server.wait_connections(1)
        assert await app is app
        await kit.eventually(lambda: got == [{"hello": True}])
        # Each refused attempt waited longer, up to the maximum; the next one got through.
        assert waits.delays == [0.05, 0.1, 0.2]
        assert app.stats.connect_failures == 3
        assert app.stats.reconnects == 0  # the first live connection is not a reconnection


async def test_url_change_is_used_by_the_next_reconnect(serve: Any, kit: Any) -> None:
    release_a = asyncio.Event()

    async def at_a(conn: Any) -> None:
        await conn.ws.send_json({"from": "A"})
        await release_a.wait()
        await conn.ws.close()

    async def at_b(conn: Any) -> None:
        await conn.ws.send_json({"from": "B"})
        await conn.drain()

    a = await serve(at_a)
    b = await serve(at_b)
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(
            a.url, hdlr_json=lambda m, ws: got.append(m), backoff=Backoff(0.01, 0.05, 2, 0.01)
        )
        await kit.eventually(lambda: got == [{"from": "A"}])
        live = app.current_ws
        app.url = URL(b.url)  # a yarl.URL is accepted too; reading gives the str back
        assert app.url == b.url and isinstance(app.url, str)
        await asyncio.sleep(0.1)
        assert app.current_ws is live and live is not None and not live.closed  # untouched
        release_a.set()
        await kit.eventually(lambda: got == [{"from": "A"}, {"from": "B"}])
        assert a.accepted == 1 and b.accepted == 1
    with pytest.raises(ValueError, match="absolute ws"):
        app.url = "/relative"


async def test_subscriptions_are_sent_again_in_order_after_every_reconnect(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read(4)
        if conn.index < 3:
            await conn.ws.close()
        else:
            await conn.drain()

    server = await serve(behaviour)
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            send_str="hello",
            send_bytes=b"\x01raw",
            send_json=[{"op": "subscribe", "ch": "a"}, {"op": "subscribe", "ch": "b"}],
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        await server.wait_connections(4)
        await kit.eventually(lambda: len(server.connections[3].received) == 4)
        await app.ready()
    expected = ["hello", b"\x01raw", {"op": "subscribe", "ch": "a"}, {"op": "subscribe", "ch": "b"}]
    assert [conn.received for conn in server.connections] == [expected] * 4


async def test_close_during_backoff_leaves_nothing_behind(kit: Any) -> None:
    url = f"ws://127.0.0.1:{kit.free_port()}/ws"  # nobody listens
    async with topgun.Client() as client:
        app = client.ws_connect(url, backoff=Backoff(60.0, 60.0, 1.0, 60.0))
        await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
        started = asyncio.get_running_loop().time()
        await app.close()
        took = asyncio.get_running_loop().time() - started
    print(f"\nclose() during backoff took {took * 1000:.1f} ms")
    assert app.closed and app.state is ConnectionState.CLOSED
    with pytest.raises(topgun.WebSocketClosedError):
        await app
    with pytest.raises(topgun.WebSocketClosedError):
        await app.ready()
    await app.wait()  # returns at once once closed
    # The autouse no_task_left fixture checks for pending tasks and "Task was destroyed".


async def test_close_during_handshake_leaves_nothing_behind(kit: Any) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # TCP accepted, HTTP upgrade never answered

    tcp = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        async with topgun.Client() as client:
            app = client.ws_connect(f"ws://127.0.0.1:{port}/ws")
            waiter = asyncio.ensure_future(app.ready())
            await kit.eventually(lambda: accepted)
            assert app.state is ConnectionState.CONNECTING
            await app.close()
            with pytest.raises(topgun.WebSocketClosedError):
                await waiter
        assert app.state is ConnectionState.CLOSED
        assert app.stats.connects == 0
    finally:
        for writer in accepted:
            writer.close()
        tcp.close()
        await tcp.wait_closed()


async def test_client_close_during_handshake_closes_the_app(kit: Any) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    tcp = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        client = topgun.Client()
        app = client.ws_connect(f"ws://127.0.0.1:{port}/ws")
        await kit.eventually(lambda: accepted)
        await client.close()
        assert app.closed
    finally:
        for writer in accepted:
            writer.close()
        tcp.close()
        await tcp.wait_closed()


async def test_thousand_reconnect_cycles_do_not_grow_memory_or_tasks(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="topgun")  # 1000 reconnect warnings are not the point

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_str('{"n":1}')
        await conn.ws.close()

    server = await serve(behaviour, record=False)
    received = 0

    def count(msg: Any, ws: Any) -> None:
        nonlocal received
        received += 1

    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url, hdlr_json=count, backoff=Backoff(0.0, 0.0, 1.0, 0.0), heartbeat=5.0
        )
        await kit.eventually(lambda: server.accepted >= 100, within=30.0)
        gc.collect()
        tracemalloc.start()
        try:
            before_bytes = tracemalloc.get_traced_memory()[0]
            before_tasks = len(asyncio.all_tasks())
            start = server.accepted
            await kit.eventually(lambda: server.accepted >= start + 1000, within=60.0)
            gc.collect()
            after_bytes = tracemalloc.get_traced_memory()[0]
            after_tasks = len(asyncio.all_tasks())
        finally:
            tracemalloc.stop()
        cycles = app.stats.connects
    growth = after_bytes - before_bytes
    print(
        f"\n1000 reconnect cycles: memory growth {growth / 1024:.1f} KiB, tasks {before_tasks} -> {after_tasks}"
    )
    assert cycles >= 1100 and received >= 1000
    assert growth < 256 * 1024, f"{growth} bytes more after 1000 cycles"
    assert after_tasks <= before_tasks + 2  # the one connection in flight, at most
